using AttentionSharp.Models.Segmentation;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Models.Segmentation;

public class DiceTests
{
    static Tensor Map(long[] v, int h, int w) => torch.tensor(v).reshape(1, h, w);

    [Fact]
    public void PerClassDiceOnAWorkedExample()
    {
        // truth      prediction
        // 1 1 0      1 0 0
        // 0 2 2      0 2 2
        // 0 0 2      2 0 0
        // class 0: |T| = 4, |P| = 5, both at (0,2) (1,0) (2,1) -> 3: Dice = 6/9
        // class 1: |T| = 2, |P| = 1, both 1 -> 2/3;  class 2: |T| = 3, |P| = 3, both 2 -> 4/6;  class 3: absent -> NaN
        var truth = Map([1, 1, 0, 0, 2, 2, 0, 0, 2], 3, 3);
        var pred = Map([1, 0, 0, 0, 2, 2, 2, 0, 0], 3, 3);
        var m = new DiceMetric(4);
        m.Add(pred, truth);
        var d = m.PerClass();
        Assert.Equal(6.0 / 9, d[0], 12);
        Assert.Equal(2.0 / 3, d[1], 12);
        Assert.Equal(4.0 / 6, d[2], 12);
        Assert.True(double.IsNaN(d[3]));
        Assert.Equal((2.0 / 3 + 4.0 / 6) / 2, m.MeanForeground(), 12);
        // Adding a second, perfect map of class 3 only: class 3 becomes 1, the others keep their counts.
        m.Add(Map([3, 3, 3, 3], 2, 2), Map([3, 3, 3, 3], 2, 2));
        Assert.Equal(1.0, m.PerClass()[3], 12);
        Assert.Equal((2.0 / 3 + 4.0 / 6 + 1) / 3, m.MeanForeground(), 12);
        var perExample = DiceMetric.PerExample(pred, truth, 4);
        Assert.Equal(new long[] { 1 }, perExample.shape);
        Assert.Equal((2.0 / 3 + 4.0 / 6) / 2, perExample[0].item<double>(), 12);
        var empty = Map([0, 0, 0, 0], 2, 2);
        Assert.Equal(1.0, DiceMetric.PerExample(empty, empty, 4).item<double>());
    }

    [Fact]
    public void SoftDiceLossOnAWorkedExample()
    {
        // Two pixels, two classes; truth = [1, 0]; p(class 1) = [0.8, 0.4].
        // class 1: inter = 0.8, sum p = 1.2, sum t = 1 -> Dice = (1.6 + 1) / (2.2 + 1) = 2.6 / 3.2; loss = 1 - 0.8125 = 0.1875
        var p1 = torch.tensor(new double[] { 0.8, 0.4 });
        var probs = torch.stack([1 - p1, p1]).reshape(1, 2, 1, 2);
        var masks = torch.tensor(new long[] { 1, 0 }).reshape(1, 1, 2);
        Assert.Equal(0.1875, DiceCrossEntropyLoss.SoftDiceLoss(probs, masks).item<double>(), 12);
        // With logits: CE = -(log 0.8 + log 0.6) / 2 added to the Dice term.
        var logits = probs.log();
        double expected = -(Math.Log(0.8) + Math.Log(0.6)) / 2 + 0.5 * 0.1875;
        Assert.Equal(expected, DiceCrossEntropyLoss.Compute(logits, masks, 0.5).item<double>(), 12);
    }

    [Fact]
    public void BadInputsNameExpectedAndActual()
    {
        var e = Assert.Throws<ArgumentException>(() => DiceCrossEntropyLoss.Compute(torch.zeros(2, 3, 4, 4), torch.zeros(new long[] { 2, 4, 5 }, ScalarType.Int64)));
        Assert.Contains("(2, 4, 4)", e.Message);
        Assert.Contains("(2, 4, 5)", e.Message);
        e = Assert.Throws<ArgumentException>(() => new DiceMetric(3).Add(torch.zeros(new long[] { 1, 2, 2 }, ScalarType.Int64), torch.zeros(new long[] { 1, 2, 3 }, ScalarType.Int64)));
        Assert.Contains("(1, 2, 2)", e.Message);
        Assert.Contains("(1, 2, 3)", e.Message);
        e = Assert.Throws<ArgumentException>(() => new DiceMetric(3).Add(torch.full(new long[] { 1, 2 }, 5L), torch.zeros(new long[] { 1, 2 }, ScalarType.Int64)));
        Assert.Contains("0..2", e.Message);
    }
}
