using AttentionSharp.Data.Text;

namespace AttentionSharp.Tests.Data.Text;

public class StratifiedFoldsTests
{
    [Fact]
    public void FoldsAreDisjointCoverEverythingAndKeepClassProportions()
    {
        var labels = Enumerable.Range(0, 103).Select(i => i < 70 ? 0 : i < 95 ? 1 : 2).ToArray();
        var folds = new StratifiedFolds(labels, 5, seed: 3);
        var seen = new int[labels.Length];
        for (int f = 0; f < 5; f++)
        {
            var (train, test) = folds.Split(f);
            Assert.Equal(labels.Length, train.Length + test.Length);
            Assert.Empty(train.Intersect(test));
            foreach (var i in test) seen[i]++;
            Assert.InRange(test.Count(i => labels[i] == 0), 14, 14);
            Assert.InRange(test.Count(i => labels[i] == 1), 5, 5);
            Assert.InRange(test.Count(i => labels[i] == 2), 1, 2);
        }
        Assert.All(seen, s => Assert.Equal(1, s));
    }

    [Fact]
    public void FoldsAreFixedBySeed_AndOneFoldIsANinetyTenSplit()
    {
        var labels = Enumerable.Range(0, 200).Select(i => i % 2).ToArray();
        Assert.Equal(new StratifiedFolds(labels, 10, 1).Split(4).Test, new StratifiedFolds(labels, 10, 1).Split(4).Test);
        Assert.NotEqual(new StratifiedFolds(labels, 10, 1).Split(4).Test, new StratifiedFolds(labels, 10, 2).Split(4).Test);
        var (train, test) = new StratifiedFolds(labels, 1, 1).Split(0);
        Assert.Equal(20, test.Length);
        Assert.Equal(180, train.Length);
        Assert.Equal(10, test.Count(i => labels[i] == 1));
        Assert.Throws<ArgumentException>(() => new StratifiedFolds(labels, 0, 1));
        Assert.Throws<ArgumentException>(() => new StratifiedFolds(labels, 10, 1).Split(10));
    }

    [Fact]
    public void HoldoutIsStratifiedDisjointCoveringAndFixedBySeed()
    {
        // 150 of class 0, 50 of class 1, 3 of class 2, 1 of class 3 (a lone example is never held out).
        var labels = Enumerable.Repeat(0, 150).Concat(Enumerable.Repeat(1, 50)).Concat([2, 2, 2, 3]).ToArray();
        var (kept, held) = StratifiedFolds.Holdout(labels, 0.1, 7);
        Assert.Empty(kept.Intersect(held));
        Assert.Equal(Enumerable.Range(0, labels.Length), kept.Concat(held).Order());
        Assert.Equal(15, held.Count(i => labels[i] == 0));
        Assert.Equal(5, held.Count(i => labels[i] == 1));
        Assert.Equal(1, held.Count(i => labels[i] == 2));   // round(0.3) = 0, raised to one
        Assert.Equal(0, held.Count(i => labels[i] == 3));
        Assert.Equal(held, StratifiedFolds.Holdout(labels, 0.1, 7).HeldOut);
        Assert.NotEqual(held, StratifiedFolds.Holdout(labels, 0.1, 8).HeldOut);
        Assert.Throws<ArgumentException>(() => StratifiedFolds.Holdout(labels, 0, 7));
        Assert.Throws<ArgumentException>(() => StratifiedFolds.Holdout(labels, 1, 7));
        Assert.Throws<ArgumentException>(() => StratifiedFolds.Holdout([0, 1], 0.5, 7));
    }

    [Fact]
    public void SubsampleIsStratifiedNestedAcrossFractionsAndFixedBySeed()
    {
        // 150 of class 0, 50 of class 1, 1 of class 2 (never dropped: every class keeps at least one example).
        var labels = Enumerable.Repeat(0, 150).Concat(Enumerable.Repeat(1, 50)).Concat([2]).ToArray();
        var quarter = StratifiedFolds.Subsample(labels, 0.25, 3);
        var half = StratifiedFolds.Subsample(labels, 0.5, 3);
        Assert.Equal(quarter.Order(), quarter);                        // ascending positions
        Assert.Equal(quarter.Length, quarter.Distinct().Count());
        Assert.Equal(38, quarter.Count(i => labels[i] == 0));          // round(37.5) = 38 (banker's: 38)
        Assert.Equal(12, quarter.Count(i => labels[i] == 1));          // round(12.5) = 12
        Assert.Equal(1, quarter.Count(i => labels[i] == 2));
        Assert.Equal(75, half.Count(i => labels[i] == 0));
        Assert.Equal(25, half.Count(i => labels[i] == 1));
        Assert.Subset(half.ToHashSet(), quarter.ToHashSet());          // a learning curve adds examples, never swaps them
        Assert.Equal(quarter, StratifiedFolds.Subsample(labels, 0.25, 3));
        Assert.NotEqual(quarter, StratifiedFolds.Subsample(labels, 0.25, 4));
        Assert.Equal(Enumerable.Range(0, labels.Length), StratifiedFolds.Subsample(labels, 1, 3));
        Assert.Throws<ArgumentException>(() => StratifiedFolds.Subsample(labels, 0, 3));
        Assert.Throws<ArgumentException>(() => StratifiedFolds.Subsample(labels, 1.5, 3));
    }
}
