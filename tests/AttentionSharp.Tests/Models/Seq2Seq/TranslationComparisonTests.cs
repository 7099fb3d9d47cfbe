using AttentionSharp.Models.Seq2Seq;
using AttentionSharp.Tests.Cli;
using AttentionSharp.Training;
using AttentionSharp.Visualization;
using SkiaSharp;

namespace AttentionSharp.Tests.Models.Seq2Seq;

public class TranslationComparisonTests
{
    static string Folder() => Directory.CreateTempSubdirectory("cmp-").FullName;

    /// <summary>A run folder whose result.json holds what translate train writes (test_ keys).</summary>
    static string TrainedRun(string arch, double bleu, double[] byLength, int[] counts, double[]? retrieval = null)
    {
        string dir = Folder();
        var r = new RunResult().Add("task", "l10n-en-de").Add("arch", arch).Add("test_bleu", bleu).Add("test_sentences", counts.Sum());
        string[] keys = ["1_5", "6_10", "11_15"];
        for (int i = 0; i < byLength.Length; i++) r.Add($"test_bleu_len_{keys[i]}", byLength[i]).Add($"test_n_len_{keys[i]}", counts[i]);
        if (retrieval != null)
        {
            r.Add("test_retrieval_bleu", 9.5);
            for (int i = 0; i < retrieval.Length; i++) r.Add($"test_retrieval_bleu_len_{keys[i]}", retrieval[i]);
        }
        r.Save(Path.Combine(dir, "result.json"));
        return dir;
    }

    [Fact]
    public void TheTableAndTheFigureHoldEachRunsBleuByLength()
    {
        string none = TrainedRun("none", 5.1, [4.35, 6.04, 4.76], [30, 16, 7], retrieval: [3.98, 10.62, 11.19]);
        string att = TrainedRun("bahdanau", 10.1, [7.9, 11.15, 9.89], [30, 16, 7]);
        // An eval result (no prefix) of a third run, scored on other sentences: drawn, with a note.
        string evalDir = Folder();
        new RunResult().Add("task", "l10n-en-de").Add("arch", "transformer").Add("bleu", 12.6).Add("sentences", 50)
            .Add("bleu_len_1_5", 10.71).Add("n_len_1_5", 29).Add("bleu_len_6_10", 13.64).Add("n_len_6_10", 21)
            .Save(Path.Combine(evalDir, "eval-test-beam1.json"));
        string png = Path.Combine(Folder(), "len.png");
        var log = new StringWriter();
        var result = TranslationComparison.Compare(new TranslateCompareSpec([none, att, evalDir], png, ["none", "Bahdanau", "Transformer"]),
            ExperimentContext.Cpu(log));

        string Value(string key) => result.Items.Single(kv => kv.Key == key).Value.ToString()!;
        Assert.Equal("3", Value("runs"));
        Assert.Equal(("none", "5.1", "6.04"), (Value("run1_name"), Value("run1_bleu"), Value("run1_bleu_len_6_10")));
        Assert.Equal(("Bahdanau", "9.89"), (Value("run2_name"), Value("run2_bleu_len_11_15")));
        Assert.Equal(("12.6", "13.64"), (Value("run3_bleu"), Value("run3_bleu_len_6_10")));
        Assert.DoesNotContain(result.Items, kv => kv.Key == "run3_bleu_len_11_15");   // it has no such bucket: a gap, not a zero
        string table = log.ToString();
        Assert.Contains("note: Transformer was scored on other test sentences than none", table);
        Assert.Matches(@"Bahdanau\s+7\.90\s+11\.15\s+9\.89\s+10\.10", table);
        Assert.Matches(@"retrieval baseline\s+3\.98\s+10\.62\s+11\.19\s+9\.50", table);
        Assert.Matches(@"Transformer\s+10\.71\s+13\.64\s+-\s+12\.60", table);

        using var bitmap = SKBitmap.Decode(png);
        Assert.Equal((760, 520), (bitmap.Width, bitmap.Height));
    }

    [Fact]
    public void PointsSitWhereTheirBleuIs()
    {
        // One bucket, one series at 40 BLEU: the axis ends at 40, so the point is at the top of the plot, mid-width.
        var colour = new SKColor(214, 39, 40);
        var bytes = LengthBleuFigure.Render("t", ["1-5"], [3], [new LengthSeries("m", [40.0], colour)], 760, 520);
        using var bitmap = SKBitmap.Decode(bytes);
        float x = 60 + (760 - 60 - 20) * 0.5f, yTop = 40;
        Assert.Equal(colour, bitmap.GetPixel((int)x, (int)yTop + 1));
        // Beside a series at 40 (which sets the axis), 20 BLEU is half-way down the plot.
        bytes = LengthBleuFigure.Render("t", ["1-5"], null, [new LengthSeries("m", [20.0], colour), new LengthSeries("top", [40.0], SKColors.Blue)], 760, 520);
        using var half = SKBitmap.Decode(bytes);
        float yHalf = 40 + (520 - 40 - 64) * 0.5f;
        Assert.Equal(colour, half.GetPixel((int)x, (int)yHalf));
        Assert.Equal(SKColors.Blue, half.GetPixel((int)x, (int)yTop + 1));
    }

    [Fact]
    public void BadInputsGetClearMessages()
    {
        var ctx = ExperimentContext.Cpu();
        Assert.Contains("Runs must name at least one", Assert.Throws<ArgumentException>(() => TranslationComparison.Compare(new TranslateCompareSpec([]), ctx)).Message);
        string run = TrainedRun("none", 5, [4, 6, 5], [3, 2, 1]);
        Assert.Contains("Names must give one name per run (1); got 2",
            Assert.Throws<ArgumentException>(() => TranslationComparison.Compare(new TranslateCompareSpec([run], Names: ["a", "b"]), ctx)).Message);
        Assert.Contains("Output must name a .png file",
            Assert.Throws<ArgumentException>(() => TranslationComparison.Compare(new TranslateCompareSpec([run], Output: "x.svg"), ctx)).Message);
        string empty = Folder();
        Assert.Contains("has neither result.json nor eval-test-beam1.json",
            Assert.Throws<FileNotFoundException>(() => TranslationComparison.Compare(new TranslateCompareSpec([empty]), ctx)).Message);
        File.WriteAllText(Path.Combine(empty, "result.json"), "{ \"test_bleu\": 3, ");
        Assert.Contains("is not a translation result", Assert.Throws<InvalidDataException>(() => TranslationComparison.Compare(new TranslateCompareSpec([empty]), ctx)).Message);
        File.WriteAllText(Path.Combine(empty, "result.json"), "{ \"test_error\": \"3%\" }");
        Assert.Contains("it has no bleu", Assert.Throws<InvalidDataException>(() => TranslationComparison.Compare(new TranslateCompareSpec([empty]), ctx)).Message);
        Assert.Throws<ArgumentException>(() => LengthBleuFigure.Render("t", ["1-5", "6-10"], null, [new LengthSeries("m", [1.0], SKColors.Red)]));
    }

    [Fact]
    public void TheCliDrawsTheFigureAndRefusesNoRuns()
    {
        string run = TrainedRun("bahdanau", 10, [8, 11, 10], [3, 2, 1], retrieval: [4, 10, 11]);
        string png = Path.Combine(Folder(), "f.png");
        var (code, output, _) = CliTests.Run("translate", "compare", run, "--out", png);
        Assert.Equal(0, code);
        Assert.Contains("retrieval baseline", output);
        Assert.Contains($"figure: {png}", output);
        Assert.True(File.Exists(png));
        var bad = CliTests.Run("translate", "compare");
        Assert.Equal(2, bad.Code);
        Assert.Contains("needs one or more run folders", bad.Err);
    }
}
