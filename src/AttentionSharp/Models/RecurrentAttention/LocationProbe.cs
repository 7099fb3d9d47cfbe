using AttentionSharp.Data;
using TorchSharp;
using AttentionSharp.Native;
using static TorchSharp.torch;

namespace AttentionSharp.Models.RecurrentAttention;

/// <summary>One core state of a <see cref="LocationProbe"/>: h_t, read after glimpse t.</summary>
/// <param name="Step">t, 1-based.</param>
/// <param name="Ridge">The ridge weight chosen for this step on the held-out fifth of the fitting images.</param>
/// <param name="ProbeDistance">Mean distance (pixels) on the test images from the position the probe reads from h_t to the object's centre.</param>
/// <param name="ProbeFovea">Share of test images where a fovea (g x g) centred on the probe's position covers the object's centre.</param>
/// <param name="PolicyDistance">Mean distance from the location the policy chose from h_t (glimpse t + 1) to the object's centre;
/// NaN for the last state, from which no glimpse follows.</param>
/// <param name="PolicyFovea">Share of test images where that glimpse's fovea covers the object's centre; NaN for the last state.</param>
public sealed record ProbeStep(int Step, double Ridge, double ProbeDistance, double ProbeFovea, double PolicyDistance, double PolicyFovea);

/// <summary>
/// Does RAM's core state know where the object is? A linear probe, ridge regression from h_t to the object's centre in the
/// policy's coordinates, fitted on one set of canvases (the ridge weight chosen on a held-out fifth of them) and measured on
/// another, for every glimpse step, beside where the policy (itself <c>tanh</c> of a linear map of the same h_t) sent the
/// next glimpse. A probe far closer to the object than the policy says the state holds the position and REINFORCE has not
/// found the map, which lies in the policy's own family; a probe no better than always guessing the canvas centre says the
/// state does not hold it, and no policy on that state can look at the object. Both read one glimpse path per image, the
/// same path (sampled or the policy mean).
/// </summary>
/// <param name="FitImages">Canvases the probe was fitted on.</param>
/// <param name="TestImages">Canvases it was measured on.</param>
/// <param name="CentreGuessDistance">Mean distance from the canvas centre to the object's centre on the test images (the guess without any state).</param>
/// <param name="CentreGuessFovea">Share of test images where a fovea at the canvas centre covers the object's centre.</param>
/// <param name="Steps">One row per core state h_1..h_N.</param>
/// <param name="PolicyError">Test error along the policy's path (the path the states were read along).</param>
/// <param name="OracleError">Test error of the same weights when every glimpse is placed on the object's centre: what looking at
/// the object is worth to this classifier, so the most a perfect policy could gain it (and the size of the reward signal
/// REINFORCE has to find).</param>
public sealed record LocationProbe(int FitImages, int TestImages, double CentreGuessDistance, double CentreGuessFovea, IReadOnlyList<ProbeStep> Steps,
    double PolicyError, double OracleError)
{
    /// <summary>The ridge weights tried per step (on standardised states; the weight multiplies the number of fitting images).</summary>
    public static readonly double[] RidgeGrid = [1e-4, 1e-3, 1e-2, 1e-1, 1];

    /// <summary>
    /// Runs <paramref name="model"/> in evaluation mode over <paramref name="fit"/> and <paramref name="test"/> (both must carry
    /// <see cref="ImageDataset.Boxes"/>), one glimpse path per image (<paramref name="meanPolicy"/>: the policy mean, else
    /// sampled), fits the probe per step on <paramref name="fit"/> and measures it and the policy on <paramref name="test"/>.
    /// </summary>
    public static LocationProbe Measure(RecurrentAttentionModel model, ImageDataset fit, ImageDataset test, bool meanPolicy, int batchSize = 500)
    {
        if (fit.Boxes is null || test.Boxes is null)
            throw new ArgumentException("a location probe needs the object boxes of a generated task (translated, cluttered60, cluttered100)");
        if (batchSize < 1) throw new ArgumentException($"batchSize must be >= 1; got {batchSize}");
        if (fit.Count < 10) throw new ArgumentException($"a location probe needs at least 10 fitting images; got {fit.Count}");
        var o = model.Options;
        using var scope = NewDisposeScope();
        var fitTargets = Targets(fit.Boxes, o.Height, o.Width);
        var testTargets = Targets(test.Boxes, o.Height, o.Width);
        var (fitStates, _, _, _) = Collect(model, fit, null, batchSize, meanPolicy);
        var (testStates, testLocations, policyError, oracleError) = Collect(model, test, testTargets, batchSize, meanPolicy);
        int nTest = test.Count, n = o.Glimpses;
        var steps = new List<ProbeStep>();
        var policy = testLocations.data<double>().ToArray(); // (nTest * N * 2)
        for (int t = 0; t < n; t++)
        {
            var xFit = fitStates.select(1, t);   // (nFit, H)
            var xTest = testStates.select(1, t); // (nTest, H)
            double ridge = ChooseRidge(xFit, fitTargets, fit.Boxes, o);
            var (w, b) = FitRidge(xFit, fitTargets, ridge);
            var predicted = Predict(w, b, xTest).data<double>().ToArray(); // (nTest * 2)
            var (probeDist, probeFovea) = Score(i => (predicted[2 * i], predicted[2 * i + 1]), test.Boxes, o);
            double policyDist = double.NaN, policyFovea = double.NaN;
            if (t < n - 1)
                (policyDist, policyFovea) = Score(i => (policy[(i * n + t + 1) * 2], policy[(i * n + t + 1) * 2 + 1]), test.Boxes, o);
            steps.Add(new ProbeStep(t + 1, ridge, probeDist, probeFovea, policyDist, policyFovea));
        }
        var (centreDist, centreFovea) = Score(_ => (0.0, 0.0), test.Boxes, o);
        return new LocationProbe(fit.Count, nTest, centreDist, centreFovea, steps, policyError, oracleError);
    }

    /// <summary>
    /// The core states <c>(n, N, H)</c> and the locations looked at <c>(n, N, 2)</c> of every image (float64, CPU), the error along
    /// that path and, when <paramref name="targets"/> are given, the error with every glimpse on them (else NaN).
    /// </summary>
    static (Tensor States, Tensor Locations, double Error, double OracleError) Collect(RecurrentAttentionModel model, ImageDataset data, Tensor? targets,
        int batchSize, bool meanPolicy)
    {
        var states = new List<Tensor>(); var locations = new List<Tensor>();
        long wrong = 0, oracleWrong = 0;
        bool wasTraining = model.training;
        model.eval();
        using (no_grad())
        {
            for (int start = 0; start < data.Count; start += batchSize)
            {
                using var batchScope = NewDisposeScope();
                int[] idx = [.. Enumerable.Range(start, Math.Min(batchSize, data.Count - start))];
                var batch = data.GetBatch(idx);
                var r = model.Rollout(batch.Images, meanPolicy: meanPolicy, keepStates: true);
                states.Add(r.States!.to(ScalarType.Float64).cpu().MoveToOuterDisposeScope());
                locations.Add(r.Locations.to(ScalarType.Float64).cpu().MoveToOuterDisposeScope());
                wrong += r.LogProbs.argmax(1).ne(batch.Labels).sum().item<long>();
                if (targets is null) continue;
                var onObject = targets.narrow(0, start, idx.Length).unsqueeze(1).expand(idx.Length, model.Options.Glimpses, 2) // (B, N, 2)
                    .to(batch.Images.dtype).to(batch.Images.device);
                oracleWrong += model.Rollout(batch.Images, path: onObject).LogProbs.argmax(1).ne(batch.Labels).sum().item<long>();
            }
        }
        if (wasTraining) model.train();
        return (cat(states, 0), cat(locations, 0), (double)wrong / data.Count, targets is null ? double.NaN : (double)oracleWrong / data.Count);
    }

    /// <summary>Object centres in the policy's coordinates <c>(n, 2)</c> (x = column, y = row, in [-1, 1]), float64.</summary>
    public static Tensor Targets(IReadOnlyList<ObjectBox> boxes, int height, int width)
    {
        var y = new double[boxes.Count * 2];
        for (int i = 0; i < boxes.Count; i++)
        {
            y[2 * i] = 2 * boxes[i].CentreX / width - 1;
            y[2 * i + 1] = 2 * boxes[i].CentreY / height - 1;
        }
        return tensor(y, dtype: ScalarType.Float64).view(boxes.Count, 2);
    }

    /// <summary>
    /// Ridge regression with an unpenalised bias on standardised inputs: <c>W = (Z^T Z + lambda n I)^-1 Z^T (Y - mean Y)</c> with
    /// <c>Z = (X - mean X) / std X</c>, returned in the units of X as (weight <c>(d, k)</c>, bias <c>(k)</c>) so that
    /// <c>X W + b</c> predicts Y. Constant columns get weight 0.
    /// </summary>
    public static (Tensor Weight, Tensor Bias) FitRidge(Tensor x, Tensor y, double lambda)
    {
        if (x.dim() != 2 || y.dim() != 2 || x.shape[0] != y.shape[0])
            throw new ArgumentException($"ridge needs x (n, d) and y (n, k) with the same n; got ({string.Join(", ", x.shape)}) and ({string.Join(", ", y.shape)})");
        if (lambda < 0) throw new ArgumentException($"ridge weight must be >= 0; got {lambda}");
        using var scope = NewDisposeScope();
        x = x.to(ScalarType.Float64); y = y.to(ScalarType.Float64);
        long n = x.shape[0], d = x.shape[1];
        var mx = x.mean([0]); var my = y.mean([0]);
        var sx = x.std(0, unbiased: false);
        var scale = where(sx.gt(HeldScalars.Of(1e-12)), sx.reciprocal(), zeros_like(sx)); // constant columns: weight 0
        var z = (x - mx) * scale;                                                  // (n, d)
        var gram = z.t().matmul(z).add(eye(d, dtype: ScalarType.Float64).mul(HeldScalars.Of(lambda * n)), HeldScalars.Of(1));
        var wz = linalg.solve(gram, z.t().matmul(y - my));                          // (d, k)
        var w = wz * scale.unsqueeze(1);                                            // back to the units of x
        var b = my - mx.matmul(w);
        return (w.MoveToOuterDisposeScope(), b.MoveToOuterDisposeScope());
    }

    /// <summary><c>X W + b</c>, clamped to the policy's range [-1, 1].</summary>
    public static Tensor Predict(Tensor weight, Tensor bias, Tensor x) => x.to(ScalarType.Float64).matmul(weight).add(bias, HeldScalars.Of(1)).clamp(HeldScalars.Of(-1.0), HeldScalars.Of(1.0));

    /// <summary>The ridge weight of <see cref="RidgeGrid"/> whose fit on the first four fifths places the last fifth's objects closest (mean pixels).</summary>
    static double ChooseRidge(Tensor x, Tensor y, IReadOnlyList<ObjectBox> boxes, RamOptions o)
    {
        int n = (int)x.shape[0], cut = n * 4 / 5;
        var heldBoxes = boxes.Skip(cut).ToArray();
        double best = double.PositiveInfinity, chosen = RidgeGrid[0];
        foreach (double lambda in RidgeGrid)
        {
            using var scope = NewDisposeScope();
            var (w, b) = FitRidge(x.narrow(0, 0, cut), y.narrow(0, 0, cut), lambda);
            var p = Predict(w, b, x.narrow(0, cut, n - cut)).data<double>().ToArray();
            double dist = Score(i => (p[2 * i], p[2 * i + 1]), heldBoxes, o).Distance;
            if (dist < best) { best = dist; chosen = lambda; }
        }
        return chosen;
    }

    /// <summary>Mean pixel distance to the object's centre and fovea-cover share of the positions <paramref name="at"/>(i) over <paramref name="boxes"/>.</summary>
    static (double Distance, double Fovea) Score(Func<int, (double X, double Y)> at, IReadOnlyList<ObjectBox> boxes, RamOptions o)
    {
        double sum = 0; int covered = 0;
        for (int i = 0; i < boxes.Count; i++)
        {
            var (x, y) = at(i);
            sum += GlimpseDiagnostics.PixelDistance(x, y, boxes[i], o.Height, o.Width);
            if (GlimpseDiagnostics.FoveaCovers(x, y, boxes[i], o.Height, o.Width, o.Patch)) covered++;
        }
        return (sum / boxes.Count, (double)covered / boxes.Count);
    }
}
