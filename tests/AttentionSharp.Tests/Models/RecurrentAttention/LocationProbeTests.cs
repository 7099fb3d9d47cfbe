using AttentionSharp.Data;
using AttentionSharp.Models.RecurrentAttention;
using AttentionSharp.Vision;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Models.RecurrentAttention;

public class LocationProbeTests
{
    [Fact]
    public void RidgeMatchesTheNormalEquationsWrittenOut()
    {
        // reference: standardise each column of X by hand, solve (Z^T Z + lambda n I) w = Z^T (y - mean y) by Gaussian
        // elimination, map back to X's units; bias = mean y - mean x . w
        var rng = new Random(3);
        int n = 40, d = 3;
        var x = new double[n, d]; var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++) x[i, j] = rng.NextDouble() * (j + 1) + j;
            y[i] = 0.7 * x[i, 0] - 1.3 * x[i, 1] + 0.2 * x[i, 2] + 0.5 + 0.1 * (rng.NextDouble() - 0.5);
        }
        const double lambda = 0.05;
        var mean = new double[d]; var sd = new double[d];
        for (int j = 0; j < d; j++)
        {
            for (int i = 0; i < n; i++) mean[j] += x[i, j] / n;
            for (int i = 0; i < n; i++) sd[j] += (x[i, j] - mean[j]) * (x[i, j] - mean[j]) / n;
            sd[j] = Math.Sqrt(sd[j]);
        }
        double my = y.Average();
        var a = new double[d, d + 1];
        for (int r = 0; r < d; r++)
        {
            for (int c = 0; c < d; c++)
            {
                for (int i = 0; i < n; i++) a[r, c] += (x[i, r] - mean[r]) / sd[r] * (x[i, c] - mean[c]) / sd[c];
                if (r == c) a[r, c] += lambda * n;
            }
            for (int i = 0; i < n; i++) a[r, d] += (x[i, r] - mean[r]) / sd[r] * (y[i] - my);
        }
        for (int p = 0; p < d; p++)
            for (int r = 0; r < d; r++)
            {
                if (r == p) continue;
                double f = a[r, p] / a[p, p];
                for (int c = p; c <= d; c++) a[r, c] -= f * a[p, c];
            }
        var wRef = new double[d];
        for (int j = 0; j < d; j++) wRef[j] = a[j, d] / a[j, j] / sd[j];
        double bRef = my - Enumerable.Range(0, d).Sum(j => mean[j] * wRef[j]);

        var xt = tensor(Enumerable.Range(0, n * d).Select(k => x[k / d, k % d]).ToArray()).view(n, d);
        var (w, b) = LocationProbe.FitRidge(xt, tensor(y).view(n, 1), lambda);
        var wGot = w.data<double>().ToArray();
        for (int j = 0; j < d; j++) Assert.Equal(wRef[j], wGot[j], 10);
        Assert.Equal(bRef, b.item<double>(), 10);
    }

    [Fact]
    public void RidgeRecoversALinearMapAndIgnoresConstantColumns()
    {
        manual_seed(2);
        var x = randn(200, 4, dtype: ScalarType.Float64);
        x[TensorIndex.Colon, 3] = full(200, 5.0, dtype: ScalarType.Float64); // constant column
        var map = tensor(new double[] { 0.3, -0.2, 0.0, 0.5, 0.1, -0.4, 0.0, 0.0 }).view(4, 2);
        var y = x.matmul(map).add(tensor(new double[] { 0.1, -0.05 }));
        var (w, b) = LocationProbe.FitRidge(x, y, 1e-10);
        var got = w.data<double>().ToArray(); var want = map.data<double>().ToArray();
        for (int k = 0; k < 6; k++) Assert.Equal(want[k], got[k], 6);
        Assert.Equal(0.0, got[6]); Assert.Equal(0.0, got[7]);
        // the constant column's contribution (0) leaves the bias at the true offset
        Assert.Equal(new[] { 0.1, -0.05 }, b.data<double>().ToArray().Select(v => Math.Round(v, 6)).ToArray());
        var e = Assert.Throws<ArgumentException>(() => LocationProbe.FitRidge(x, y.narrow(0, 0, 10), 0.1));
        Assert.Contains("same n", e.Message);
        Assert.Throws<ArgumentException>(() => LocationProbe.FitRidge(x, y, -1));
    }

    [Fact]
    public void TargetsMapBackToTheObjectCentreThroughTheSensorsCoordinates()
    {
        var boxes = new[] { new ObjectBox(0, 0, 28, 28), new ObjectBox(36, 50, 28, 28), new ObjectBox(72, 72, 28, 28) };
        var t = LocationProbe.Targets(boxes, 100, 100).data<double>().ToArray();
        for (int i = 0; i < boxes.Length; i++)
        {
            Assert.Equal(boxes[i].CentreX, GlimpseSensor.Centre(t[2 * i], 100), 0);
            Assert.Equal(boxes[i].CentreY, GlimpseSensor.Centre(t[2 * i + 1], 100), 0);
            Assert.Equal(0.0, GlimpseDiagnostics.PixelDistance(t[2 * i], t[2 * i + 1], boxes[i], 100, 100));
            Assert.True(GlimpseDiagnostics.FoveaCovers(t[2 * i], t[2 * i + 1], boxes[i], 100, 100, 12));
        }
    }

    [Fact]
    public void MeasureGivesOneRowPerStateAndNeedsBoxes()
    {
        manual_seed(1);
        var src = Data.TranslatedImagesTests.Digits(30, 2);
        var fit = TranslatedImages.Generate(src, 40, seed: 5);
        var test = TranslatedImages.Generate(src, 40, seed: 6);
        var model = new RecurrentAttentionModel(new RamOptions(Height: 40, Width: 40, Patch: 6, Scales: 2, Glimpses: 3,
            GlimpseHidden: 8, GlimpseOut: 8, CoreHidden: 8, FirstLocation: RamFirstLocation.Centre, TestPolicy: RamTestPolicy.Mean));
        var p = LocationProbe.Measure(model, fit, test, meanPolicy: true, batchSize: 7);
        Assert.Equal((30, 30, 3), (p.FitImages, p.TestImages, p.Steps.Count));
        Assert.Equal([1, 2, 3], p.Steps.Select(s => s.Step));
        Assert.All(p.Steps, s => Assert.InRange(s.ProbeDistance, 0, 60));
        Assert.All(p.Steps.Take(2), s => Assert.InRange(s.PolicyFovea, 0, 1));
        Assert.True(double.IsNaN(p.Steps[2].PolicyDistance));
        Assert.InRange(p.PolicyError, 0, 1);
        Assert.InRange(p.OracleError, 0, 1);
        // the policy's recorded distance is the diagnostics' distance of the glimpse that followed h_t
        using (no_grad())
        {
            model.eval();
            var r = model.Rollout(test.GetBatch([.. Enumerable.Range(0, 30)]).Images, meanPolicy: true, keepStates: true);
            Assert.Equal(new long[] { 30, 3, 8 }, r.States!.shape);
            var l = r.Locations.to(ScalarType.Float64).data<double>().ToArray();
            double mean = Enumerable.Range(0, 30).Average(i => GlimpseDiagnostics.PixelDistance(l[(i * 3 + 1) * 2], l[(i * 3 + 1) * 2 + 1], test.Boxes![i], 40, 40));
            Assert.Equal(mean, p.Steps[0].PolicyDistance, 9);
        }
        // a given path is followed as given, with no decisions
        using (no_grad())
        {
            var path = rand(4, 3, 2).mul(2).sub(1);
            var r = model.Rollout(test.GetBatch([0, 1, 2, 3]).Images, path: path);
            Assert.True(r.Locations.allclose(path));
            Assert.Equal(0, r.PolicyLogProbs.shape[1]);
            var bad = Assert.Throws<ArgumentException>(() => model.Rollout(test.GetBatch([0, 1, 2, 3]).Images, path: rand(4, 2, 2)));
            Assert.Contains("(4, 3, 2)", bad.Message);
        }
        var e = Assert.Throws<ArgumentException>(() => LocationProbe.Measure(model, src, test, true));
        Assert.Contains("object boxes", e.Message);
    }
}
