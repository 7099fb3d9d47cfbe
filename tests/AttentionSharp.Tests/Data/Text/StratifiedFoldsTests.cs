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
}
