using AttentionSharp.Cli;

namespace AttentionSharp.Tests.Cli;

public class RamCommandsTests
{
    static (int Code, string Out, string Err) Run(params string[] args) => CliTests.Run(args);

    [Fact]
    public void HelpListsTheRamOptions()
    {
        var (code, output, _) = Run("ram", "train", "--help");
        Assert.Equal(0, code);
        foreach (var o in new[] { "--task", "--dataset", "--glimpses", "--std", "--std-final", "--std-epochs", "--reinforce-weight", "--samples", "--core", "--resume",
                                  "--location-hidden", "--policy-gradient", "--first-location", "--test-policy", "--reward" })
            Assert.Contains(o, output);
        Assert.Contains("ram show", Run("--help").Out);
    }

    [Fact]
    public void BadValuesAreUsageErrorsBeforeAnyDataIsLoaded()
    {
        var r = Run("ram", "train", "--task", "cluttered200");
        Assert.Equal(2, r.Code);
        Assert.Contains("--task must be one of mnist, translated, cluttered60, cluttered100; got 'cluttered200'", r.Err);
        r = Run("ram", "train", "--dataset", "cifar");
        Assert.Contains("--dataset must be one of mnist, fashion-mnist; got 'cifar'", r.Err);
        r = Run("ram", "train", "--glimpses", "0", "--data-dir", "/nonexistent-attn");
        Assert.Equal(2, r.Code);
        Assert.Contains("--glimpses must be in 1..100; got 0", r.Err);
        r = Run("ram", "train", "--core", "gru");
        Assert.Contains("--core must be one of rnn, lstm; got 'gru'", r.Err);
        r = Run("ram", "train", "--std-final", "-0.1", "--data-dir", "/nonexistent-attn");
        Assert.Equal(2, r.Code);
        Assert.Contains("--std-final", r.Err);
        r = Run("ram", "train", "--std-epochs", "-2", "--data-dir", "/nonexistent-attn");
        Assert.Equal(2, r.Code);
        Assert.Contains("--std-epochs must be", r.Err);
        r = Run("ram", "train", "--std-epochs", "10", "--data-dir", "/nonexistent-attn");   // a schedule without a final std
        Assert.NotEqual(0, r.Code);
        Assert.Contains("--std-final", r.Err);
        Assert.DoesNotContain("mnist", r.Err);   // refused before any data is looked for
    }

    [Theory]
    [InlineData("--first-location", "middle", "--first-location must be one of uniform, centre, learned; got 'middle'")]
    [InlineData("--test-policy", "argmax", "--test-policy must be one of sample, mean; got 'argmax'")]
    [InlineData("--policy-gradient", "all", "--policy-gradient must be one of detached, core; got 'all'")]
    [InlineData("--reward", "score", "--reward must be one of correct, probability; got 'score'")]
    [InlineData("--location-hidden", "-3", "--location-hidden must be in 0..4096; got -3")]
    public void BadPolicyOptionsAreUsageErrorsBeforeAnyDataIsLoaded(string flag, string value, string message)
    {
        var r = Run("ram", "train", flag, value, "--data-dir", "/nonexistent-attn");
        Assert.Equal(2, r.Code);
        Assert.Contains(message, r.Err);
    }

    [Fact]
    public void EvalOfAMissingCheckpointSaysSo()
    {
        var r = Run("ram", "eval", "--checkpoint", "/nonexistent-attn/best.ckpt");
        Assert.Equal(1, r.Code);
        Assert.Contains("does not exist", r.Err);
    }

    [Fact]
    public void ProbeIsListedAndChecksItsInput()
    {
        Assert.Contains("ram probe", Run("--help").Out);
        var r = Run("ram", "probe", "--checkpoint", "/nonexistent-attn/best.ckpt");
        Assert.Equal(1, r.Code);
        Assert.Contains("does not exist", r.Err);
        r = Run("ram", "probe", "--checkpoint", "/nonexistent-attn/best.ckpt", "--test-policy", "argmax");
        Assert.Equal(2, r.Code);
        Assert.Contains("--test-policy must be one of sample, mean; got 'argmax'", r.Err);
    }
}
