using System.Text.Json.Nodes;
using AttentionSharp.Cli;
using TorchSharp;

namespace AttentionSharp.Tests.Cli;

public sealed class TranslateCliTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "attn-translate-" + Guid.NewGuid().ToString("N"));
    readonly int _threads = torch.get_num_threads();

    public TranslateCliTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        torch.set_num_threads(_threads);
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    static (int Code, string Err) Run(params string[] args)
    {
        var e = new StringWriter();
        int code = App.Run(args, TextWriter.Null, e);
        return (code, e.ToString());
    }

    [Fact]
    public void UsageErrorsNameTheProblem()
    {
        Assert.Contains("--arch must be one of none, bahdanau", Run("translate", "train", "--arch", "rnn").Err);
        Assert.Contains("--task tsv needs --train", Run("translate", "train", "--task", "tsv").Err);
        Assert.Contains("--train/--dev/--test are for --task tsv", Run("translate", "train", "--task", "dates", "--train", "x.tsv").Err);
        Assert.Contains("needs the sentence", Run("translate", "run", "--checkpoint", "nowhere").Err);
        Assert.Contains("--extra-pairs must be one of none, dictionary; got 'wiki'", Run("translate", "train", "--task", "de-en", "--extra-pairs", "wiki").Err);
        Assert.Contains("--extra-pairs dictionary is for --task de-en; got --task dates", Run("translate", "train", "--extra-pairs", "dictionary").Err);
        Assert.Contains("--extra-max is for --extra-pairs dictionary", Run("translate", "train", "--task", "de-en", "--extra-max", "100").Err);
        Assert.Contains("--extra-max must be in 0..2147483647; got -5", Run("translate", "train", "--task", "de-en", "--extra-pairs", "dictionary", "--extra-max", "-5").Err);
        Assert.Contains("--cell must be one of gru, lstm; got 'rnn'", Run("translate", "train", "--cell", "rnn").Err);
        Assert.Contains("--cell applies to the recurrent architectures", Run("translate", "train", "--arch", "transformer", "--cell", "lstm").Err);
        Assert.Contains("--extra-max expects an integer; got 'many'", Run("translate", "train", "--task", "de-en", "--extra-pairs", "dictionary", "--extra-max", "many").Err);
        Assert.Contains("--train-max and --test-on-train are for corpus tasks; --task dates", Run("translate", "train", "--train-max", "100").Err);
        Assert.Contains("--train-max and --test-on-train are for corpus tasks; --task reverse", Run("translate", "train", "--task", "reverse", "--test-on-train").Err);
        Assert.Contains("--monitor bleu needs dev scores: set DevBleuSentences (--dev-bleu N) above 0", Run("translate", "train", "--monitor", "bleu", "--dev-bleu", "0", "--out", Path.Combine(Path.GetTempPath(), "attn-never-" + Guid.NewGuid())).Err);
        Assert.Contains("--warmup-steps must be in 0..", Run("translate", "train", "--warmup-steps", "-3").Err);
        Assert.Contains("--encoder-layers applies to the recurrent architectures", Run("translate", "train", "--arch", "transformer", "--encoder-layers", "2").Err);
        Assert.Contains("--word-dropout must be in [0, 0.99]; got 1", Run("translate", "train", "--word-dropout", "1").Err);
    }

    [Fact]
    public void LibraryMessagesNamingAnOptionPropertyBecomeUsageErrorsNamingTheFlag()
    {
        // The rule lives once, in TranslateTrainSpec.Validate (property names); the CLI writes the flags and exits 2.
        var (code, err) = Run("translate", "train", "--arch", "transformer", "--cell", "lstm");
        Assert.Equal(2, code);
        Assert.Contains("error: --cell applies to the recurrent architectures, not to --arch transformer", err);
        var verb = App.Tree.VerbOf(App.Tree.Parse(["translate", "train"]))!;
        Assert.Equal("--model-dim must be even; got 7 (--heads 2)", App.FlagMessage(verb, "ModelDim must be even; got 7 (Heads 2)"));
        // A message that does not start with one of the verb's properties is left alone (null: not a usage error).
        Assert.Null(App.FlagMessage(verb, "Shapes differ: Hidden 3 vs 4"));
        Assert.Null(App.FlagMessage(verb, "size mismatch"));
    }

    [Fact]
    public void GeneratedPairsTakeTheNewOrTheOlderOptionNameButNotBoth()
    {
        Assert.Contains("--dates is the older name of --pairs; give one of them",
            Run("translate", "train", "--task", "reverse", "--pairs", "200", "--dates", "300").Err);
        Assert.Contains("--pairs must be in 10..", Run("translate", "train", "--task", "reverse", "--pairs", "5").Err);
        Assert.Contains("--dates must be in 10..", Run("translate", "train", "--task", "dates", "--dates", "5").Err);
    }

    [Trait("Category", "Slow")]
    [Fact]
    public void ReverseTaskTrainsAndScoresByLength()
    {
        string run = Path.Combine(_dir, "run-reverse");
        var (code, err) = Run("translate", "train", "--task", "reverse", "--pairs", "200", "--arch", "bahdanau", "--embedding", "8", "--hidden", "8",
            "--epochs", "1", "--batch-size", "32", "--out", run, "--no-progress");
        Assert.True(code == 0, err);
        var result = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "result.json")))!;
        Assert.Equal(200, result["train_pairs"]!.GetValue<int>());
        Assert.Equal("reverse", result["task"]!.GetValue<string>());
        Assert.Equal("word", result["symbols"]!.GetValue<string>());
        Assert.Equal(1000, result["test_sentences"]!.GetValue<int>());   // 3-40 words: none dropped by the default --max-len 40
        Assert.Equal(0, Run("translate", "eval", "--checkpoint", run, "--limit", "100").Code);
        var eval = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "eval-test-beam1.json")))!;
        Assert.NotNull(eval["n_len_31plus"]);
    }

    [Theory]
    [InlineData("luong-general")]
    [InlineData("transformer")]
    [InlineData("luong-general", "lstm", true)]
    public void TsvTrainEvalRunAndShowEndToEnd(string arch, string cell = "gru", bool bucket = false)
    {
        var rng = new Random(3);
        string Word() => new string(Enumerable.Range(0, rng.Next(1, 4)).Select(_ => (char)('a' + rng.Next(4))).ToArray());
        var lines = Enumerable.Range(0, 300).Select(_ => string.Join(' ', Enumerable.Range(0, rng.Next(1, 4)).Select(_ => Word()))).Select(s => s + "\t" + s.ToUpperInvariant());
        string train = Path.Combine(_dir, "train.tsv"), run = Path.Combine(_dir, "run-" + arch + "-" + cell);
        File.WriteAllLines(train, lines);
        string[] args = ["translate", "train", "--task", "tsv", "--train", train, "--arch", arch, "--cell", cell, "--vocab", "word", "--min-count", "1",
            "--embedding", "8", "--hidden", "8", "--model-dim", "8", "--heads", "2", "--layers", "1", "--ff", "16",
            "--epochs", "1", "--batch-size", "32", "--out", run, "--no-progress", "--word-dropout", "0.2", .. (bucket ? new[] { "--bucket", "--share-embeddings", "--encoder-layers", "2" } : [])];
        var (code, err) = Run(args);
        Assert.True(code == 0, err);
        var result = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "result.json")))!;
        Assert.Equal(arch, result["arch"]!.GetValue<string>());
        Assert.Equal(bucket ? "true" : "false", result["bucket"]!.GetValue<string>());
        Assert.Equal(0.2, result["word_dropout"]!.GetValue<double>());
        Assert.Equal(bucket ? 2 : null, result["encoder_layers"]?.GetValue<int>());
        Assert.Equal(bucket ? "true" : null, result["share_embeddings"]?.GetValue<string>());
        Assert.Equal(arch == "transformer" ? "-" : cell, result["cell"]!.GetValue<string>());
        Assert.Equal("none", result["extra_pairs"]!.GetValue<string>());
        Assert.Equal(0, result["extra_train"]!.GetValue<int>());
        Assert.InRange(result["test_bleu"]!.GetValue<double>(), 0, 100);

        Assert.Equal(0, Run("translate", "eval", "--checkpoint", run, "--beam", "2").Code);
        var eval = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "eval-test-beam2.json")))!;
        Assert.Equal(2, eval["beam"]!.GetValue<int>());
        Assert.Equal(arch == "transformer" ? "-" : cell, eval["cell"]!.GetValue<string>());
        Assert.Equal("none", eval["extra_pairs"]!.GetValue<string>());
        Assert.Equal(0, Run("translate", "run", "--checkpoint", run, "ab c").Code);

        // Unknown-word replacement (Luong et al. 2015): its own result file and keys; a dictionary file on a tsv task; clear errors.
        Assert.Equal(0, Run("translate", "eval", "--checkpoint", run, "--replace-unk", "copy").Code);
        var copy = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "eval-test-beam1-unk-copy.json")))!;
        Assert.Equal("copy", copy["replace_unk"]!.GetValue<string>());
        Assert.True(copy["unk_replaced"]!.GetValue<int>() >= 0);
        string dictionary = Path.Combine(_dir, "unk.tsv");
        File.WriteAllLines(dictionary, ["ab	AB", "c	C"]);
        Assert.Equal(0, Run("translate", "eval", "--checkpoint", run, "--replace-unk", "dictionary", "--unk-dictionary", dictionary, "--limit", "20").Code);
        Assert.True(File.Exists(Path.Combine(run, "eval-test-beam1-unk-dictionary.json")));
        Assert.Contains("needs a dictionary file on task tsv", Run("translate", "eval", "--checkpoint", run, "--replace-unk", "dictionary").Err);
        Assert.Contains("--unk-dictionary is for --replace-unk dictionary", Run("translate", "run", "--checkpoint", run, "--unk-dictionary", dictionary, "ab c").Err);
        Assert.Contains("--replace-unk must be one of off, copy, dictionary; got 'guess'", Run("translate", "eval", "--checkpoint", run, "--replace-unk", "guess").Err);
        Assert.Contains("unknown-word dictionary not found", Run("translate", "run", "--checkpoint", run, "--replace-unk", "dictionary", "--unk-dictionary", Path.Combine(_dir, "nope.tsv"), "ab c").Err);
        Assert.Equal(0, Run("translate", "run", "--checkpoint", run, "--replace-unk", "copy", "zz ab").Code);
        string png = Path.Combine(_dir, arch + "-" + cell + ".png");
        Assert.Equal(0, Run("translate", "show", "--checkpoint", run, "ab c", "--out", png).Code);
        var bytes = File.ReadAllBytes(png);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
        Assert.Contains("empty", Run("translate", "run", "--checkpoint", run, " ").Err);
    }
    [Fact]
    public void BpeSubwordsAreLearnedOnTrainingPairsStoredInTheCheckpointAndDecodedToWords()
    {
        var rng = new Random(5);
        string[] stems = ["haus", "baum", "garten", "tür"];
        string[] endings = ["", "es", "chen", "er"];
        string Word() => stems[rng.Next(stems.Length)] + endings[rng.Next(endings.Length)];
        var lines = Enumerable.Range(0, 300).Select(_ => string.Join(' ', Enumerable.Range(0, rng.Next(1, 4)).Select(_ => Word()))).Select(s => s + "\t" + s.ToUpperInvariant());
        string train = Path.Combine(_dir, "train.tsv"), run = Path.Combine(_dir, "run-bpe");
        File.WriteAllLines(train, lines);
        var (code, err) = Run("translate", "train", "--task", "tsv", "--train", train, "--arch", "bahdanau", "--subwords", "bpe", "--merges", "12",
            "--embedding", "8", "--hidden", "8", "--epochs", "1", "--batch-size", "32", "--out", run, "--no-progress");
        Assert.True(code == 0, err);
        var result = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "result.json")))!;
        Assert.Equal("subword", result["symbols"]!.GetValue<string>());

        // The checkpoint's vocabularies carry exactly the merges learned from the training part (not dev/test).
        var corpus = AttentionSharp.Data.Translation.TsvCorpus.Load(train, null, null);
        var expectedSource = AttentionSharp.Data.Translation.BytePairEncoding.Learn(corpus.Train.Select(p => p.Source), 12);
        var expectedTarget = AttentionSharp.Data.Translation.BytePairEncoding.Learn(corpus.Train.Select(p => p.Target), 12);
        Assert.Equal(12, expectedSource.Merges.Count);
        var header = AttentionSharp.Training.Checkpoint.ReadHeader(Path.Combine(run, AttentionSharp.Training.Checkpoint.BestFile));
        var source = AttentionSharp.Data.Translation.Vocabulary.FromJson(header.Extra!["source"]);
        var target = AttentionSharp.Data.Translation.Vocabulary.FromJson(header.Extra!["target"]);
        Assert.Equal(expectedSource.Merges, source.Subwords!.Merges);
        Assert.Equal(expectedTarget.Merges, target.Subwords!.Merges);

        // eval scores words: every output re-joins into whole words (no '@@' left), and run/show work from the checkpoint alone.
        Assert.Equal(0, Run("translate", "eval", "--checkpoint", run, "--beam", "2").Code);
        var eval = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "eval-test-beam2.json")))!;
        Assert.InRange(eval["bleu"]!.GetValue<double>(), 0, 100);
        var o = new StringWriter();
        Assert.Equal(0, App.Run(["translate", "run", "--checkpoint", run, "hauschen baumer"], o, TextWriter.Null));
        Assert.DoesNotContain("@@", o.ToString());
        Assert.Equal(0, Run("translate", "show", "--checkpoint", run, "gartentür", "--out", Path.Combine(_dir, "bpe.png")).Code);

        Assert.Contains("cannot be combined with --vocab char", Run("translate", "train", "--task", "tsv", "--train", train, "--subwords", "bpe", "--vocab", "char").Err);
        Assert.Contains("--merges is for --subwords bpe", Run("translate", "train", "--task", "tsv", "--train", train, "--merges", "10").Err);
        Assert.Contains("--subwords must be one of none, bpe; got 'wordpiece'", Run("translate", "train", "--task", "tsv", "--train", train, "--subwords", "wordpiece").Err);
    }
}
