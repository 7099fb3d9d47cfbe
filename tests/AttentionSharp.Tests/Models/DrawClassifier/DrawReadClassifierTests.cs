using AttentionSharp.Data;
using AttentionSharp.Models.DrawClassifier;
using AttentionSharp.Tests.Cli;
using AttentionSharp.Training;
using AttentionSharp.Vision;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Models.DrawClassifier;

public class DrawReadClassifierTests
{
    static readonly DrawClassifierOptions Small = new(Height: 16, Width: 20, Classes: 4, Glimpses: 3, Grid: 4, Hidden: 24, GlimpseHidden: 16);

    [Fact]
    public void TheFirstReadCoversTheWholeImageAndEveryReadIsTheCatalogsDrawRead()
    {
        torch.manual_seed(3);
        var model = new DrawReadClassifier(Small);
        var images = torch.rand(5, 1, 16, 20);
        var r = model.Rollout(images);
        Assert.Equal(new long[] { 5, 4 }, r.Logits.shape);
        Assert.Equal(new long[] { 5, 3, 5 }, r.Parameters.shape);
        Assert.Equal(new long[] { 5, 3, 4, 4 }, r.Glimpses.shape);

        // Zero initial state: the parameters are the head's bias, a grid centred on the image spanning all of it.
        var f = DrawAttention.Filterbanks(r.Parameters[.., 0], 4, 16, 20);
        Assert.Equal(10.5, f.CentreX[0].item<float>(), 4);          // (A + 1) / 2 with A = 20
        Assert.Equal(8.5, f.CentreY[0].item<float>(), 4);           // (B + 1) / 2 with B = 16
        Assert.Equal(19.0 / 3, f.Stride[0].item<float>(), 4);       // (max(A, B) - 1) / (N - 1)
        Assert.Equal(19.0 / 3 / 2, Math.Sqrt(f.Sigma2[0].item<float>()), 4);
        Assert.Equal(1.0, f.Gamma[0].item<float>(), 5);

        for (int t = 0; t < 3; t++)
        {
            var expected = DrawAttention.Read(images, r.Parameters[.., t], 4).squeeze(1);
            Assert.True(expected.allclose(r.Glimpses[.., t], rtol: 1e-5, atol: 1e-6), $"read {t + 1} differs from DrawAttention.Read");
        }
    }

    [Fact]
    public void ReadParametersStayInTheirBoundsForAnyState()
    {
        torch.manual_seed(6);
        var model = new DrawReadClassifier(Small);
        var p = model.ReadParameters(torch.randn(64, 24) * 1000);
        double stride = 19.0 / 3, c = Math.Log(stride * stride / 4);
        Assert.True(p[.., ..2].abs().max().item<float>() <= 1, "centre left the image");
        Assert.InRange(p[.., 2].min().item<float>(), c - 2 - 1e-4, c + 2 + 1e-4);
        Assert.InRange(p[.., 2].max().item<float>(), c - 2 - 1e-4, c + 2 + 1e-4);
        Assert.True(p[.., 3].abs().max().item<float>() <= 1.5 + 1e-5, "log delta out of range");
        Assert.True(p[.., 4].abs().max().item<float>() <= 1 + 1e-6, "log gamma out of range");
    }

    [Fact]
    public void GradientsReachTheReadHeadThroughTheGlimpses()
    {
        torch.manual_seed(4);
        var model = new DrawReadClassifier(Small);
        var loss = nn.functional.cross_entropy(model.forward(torch.rand(6, 1, 16, 20)), torch.tensor(new long[] { 0, 1, 2, 3, 0, 1 }));
        loss.backward();
        var headGrad = model.named_parameters().Where(p => p.name.Contains("parameters_head")).Select(p => p.parameter.grad!.abs().sum().item<float>()).ToList();
        Assert.Equal(2, headGrad.Count);
        Assert.All(headGrad, g => Assert.True(g > 0, "the read head got no gradient"));
    }

    /// <summary>16 x 16 images, one bright 3 x 3 blob in one of four quadrants (the class) plus noise.</summary>
    static ImageDataset Quadrants(int count, int seed)
    {
        var rng = new Random(seed);
        var pixels = new byte[count * 256];
        var labels = new byte[count];
        for (int i = 0; i < count; i++)
        {
            int label = rng.Next(4);
            labels[i] = (byte)label;
            for (int p = 0; p < 256; p++) pixels[i * 256 + p] = (byte)rng.Next(40);
            int x0 = (label % 2) * 8 + rng.Next(1, 5), y0 = (label / 2) * 8 + rng.Next(1, 5);
            for (int y = y0; y < y0 + 3; y++) for (int x = x0; x < x0 + 3; x++) pixels[i * 256 + y * 16 + x] = 255;
        }
        return new ImageDataset(pixels, labels, 16, 16, classes: 4);
    }

    [Trait("Category", "Slow")]
    [Fact]
    public void ATinyModelLearnsWhereTheBlobIs()
    {
        torch.manual_seed(5);
        var model = new DrawReadClassifier(new DrawClassifierOptions(16, 16, 4, Glimpses: 2, Grid: 4, Hidden: 32, GlimpseHidden: 32));
        var task = new ClassifierTask(model);
        new Trainer<ImageBatch>(new TrainerOptions { Epochs = 6, BatchSize = 32, LearningRate = 5e-3, Seed = 5 })
            .Fit(task, ModelIdentity.Of("draw-read", model.Options), Quadrants(640, 1), null, new PlainProgress(TextWriter.Null));
        double error = Trainer<ImageBatch>.Evaluate(task, Quadrants(200, 2), 100)["error"];
        Assert.True(error < 0.1, $"test error {error:P1} on the quadrant task");
    }

    [Fact]
    public void BadOptionsAndInputsAreRejectedClearly()
    {
        Assert.Contains("grid must be in 2..20", Assert.Throws<ArgumentException>(() => new DrawReadClassifier(Small with { Grid = 21 })).Message);
        Assert.Contains("glimpses must be at least 1", Assert.Throws<ArgumentException>(() => (Small with { Glimpses = 0 }).Validate()).Message);
        Assert.Contains("classes must be at least 2", Assert.Throws<ArgumentException>(() => (Small with { Classes = 1 }).Validate()).Message);
        var model = new DrawReadClassifier(Small);
        Assert.Contains("(batch, channels, 16, 20)", Assert.Throws<ArgumentException>(() => model.forward(torch.rand(2, 1, 20, 16))).Message);
        Assert.Equal(8, DrawClassifierOptions.ForImage(28, 28, 6, 10).Grid);
        Assert.Equal(12, DrawClassifierOptions.ForImage(60, 60, 6, 10).Grid);
    }

    [Trait("Category", "Slow")]
    [Fact]
    public void CliTrainsEvaluatesAndShows()
    {
        string data = CliTests.FixtureMnist();
        string run = Path.Combine(Directory.CreateTempSubdirectory("attn-draw-run-").FullName, "run");
        var train = CliTests.Run("draw", "train", "--task", "mnist", "--glimpses", "2", "--grid", "6", "--hidden", "16", "--glimpse-hidden", "16",
            "--epochs", "1", "--max-batches", "20", "--batch-size", "50", "--data-dir", data, "--out", run, "--no-progress");
        Assert.True(train.Code == 0, train.Err);
        Assert.Matches(@"(?m)^RESULT task=mnist model=draw-read glimpses=2 grid=6 fresh_canvases=false test_error=\d+\.\d\d% best_epoch=1 epochs=1 ", train.Out);
        Assert.True(File.Exists(Path.Combine(run, "draw.png")));

        var eval = CliTests.Run("draw", "eval", "--checkpoint", run, "--data-dir", data);
        Assert.True(eval.Code == 0, eval.Err);
        Assert.Matches(@"(?m)^RESULT task=mnist model=draw-read glimpses=2 test_error=\d+\.\d\d% test_loss=\S+ examples=10000 ", eval.Out);

        string png = Path.Combine(run, "shown.png");
        var show = CliTests.Run("draw", "show", "--checkpoint", run, "--count", "3", "--out", png, "--data-dir", data);
        Assert.True(show.Code == 0, show.Err);
        Assert.Contains("images=3", show.Out);
        Assert.True(new FileInfo(png).Length > 1000);

        var bad = CliTests.Run("draw", "train", "--task", "cluttered200");
        Assert.Equal(2, bad.Code);
        Assert.Contains("--task must be one of mnist, translated, cluttered60, cluttered100; got 'cluttered200'", bad.Err);
        var wrongKind = CliTests.Run("ram", "eval", "--checkpoint", run, "--data-dir", data);
        Assert.Equal(1, wrongKind.Code);
    }
}
