namespace AttentionSharp.Tests.Cli;

public class VisionCommandsTests
{
    [Trait("Category", "Slow")]
    [Fact]
    public void SegmentTrainsEvaluatesAndShowsOnGeneratedDigitScenes()
    {
        string data = CliTests.FixtureMnist();
        string run = Path.Combine(Directory.CreateTempSubdirectory("attn-seg-run-").FullName, "run");
        var train = CliTests.Run("segment", "train", "--task", "digits", "--model", "attention-unet", "--canvas", "32", "--min-digits", "1",
            "--max-digits", "1", "--train-size", "64", "--valid-size", "16", "--test-size", "16", "--base-filters", "4", "--depth", "2",
            "--epochs", "1", "--batch-size", "16", "--threads", "1", "--data-dir", data, "--out", run, "--no-progress");
        Assert.True(train.Code == 0, train.Err);
        Assert.Matches(@"(?m)^RESULT task=digits model=attention-unet test_dice=\S+ dice_0=\S+ ", train.Out);

        var eval = CliTests.Run("segment", "eval", "--checkpoint", run, "--data-dir", data, "--threads", "1");
        Assert.True(eval.Code == 0, eval.Err);
        Assert.Matches(@"(?m)^RESULT task=digits model=attention-unet test_dice=\S+ .* examples=16 ", eval.Out);

        string png = Path.Combine(run, "seg.png");
        var show = CliTests.Run("segment", "show", "--checkpoint", run, "--count", "2", "--out", png, "--data-dir", data, "--threads", "1");
        Assert.True(show.Code == 0, show.Err);
        Assert.Contains("examples=2 gates=1", show.Out);
        Assert.True(new FileInfo(png).Length > 500);
    }

    [Fact]
    public void SegmentAndStnRejectBadOptionsClearly()
    {
        var r = CliTests.Run("segment", "train", "--task", "liver");
        Assert.Equal(2, r.Code);
        Assert.Contains("--task must be one of digits, brain; got 'liver'", r.Err);
        r = CliTests.Run("segment", "train", "--task", "brain", "--depth", "5", "--data-dir", "/nonexistent-attn");
        Assert.NotEqual(0, r.Code);
        Assert.Contains("--depth must be at most 4", r.Err);
        r = CliTests.Run("segment", "train", "--model", "transunet");
        Assert.Equal(2, r.Code);
        Assert.Contains("--model must be one of", r.Err);
        r = CliTests.Run("stn", "train", "--task", "svhn");
        Assert.Equal(2, r.Code);
        Assert.Contains("--task must be one of rts, cluttered60; got 'svhn'", r.Err);
        r = CliTests.Run("stn", "train", "--model", "resnet");
        Assert.Equal(2, r.Code);
        Assert.Contains("--model must be one of cnn, st-cnn; got 'resnet'", r.Err);
        r = CliTests.Run("stn", "eval", "--checkpoint", "/nonexistent-attn/best.ckpt");
        Assert.Equal(1, r.Code);
        Assert.Contains("does not exist", r.Err);
    }

    [Trait("Category", "Slow")]
    [Fact]
    public void StnTrainsAndShowsOnDistortedDigits()
    {
        string data = CliTests.FixtureMnist();
        string run = Path.Combine(Directory.CreateTempSubdirectory("attn-stn-run-").FullName, "run");
        var train = CliTests.Run("stn", "train", "--model", "st-cnn", "--epochs", "1", "--max-batches", "5", "--batch-size", "32",
            "--threads", "1", "--data-dir", data, "--out", run, "--no-progress");
        Assert.True(train.Code == 0, train.Err);
        Assert.Matches(@"(?m)^RESULT task=rts model=st-cnn test_error=\d+\.\d\d% ", train.Out);
        string png = Path.Combine(run, "stn.png");
        var show = CliTests.Run("stn", "show", "--checkpoint", run, "--out", png, "--data-dir", data, "--threads", "1");
        Assert.True(show.Code == 0, show.Err);
        Assert.True(new FileInfo(png).Length > 500);
    }
}
