using System.Globalization;
using System.Text;
using AttentionSharp.Models.Forecasting;
using AttentionSharp.Tests.Cli;
using AttentionSharp.Training;

namespace AttentionSharp.Tests.Models.Forecasting;

public class ForecastExperimentTests
{
    /// <summary>A daily CSV: y has a weekly pattern plus the driver 'lead' of the day before; 'noise' is random.</summary>
    static string WriteCsv(int days = 260)
    {
        var rng = new Random(3);
        var lead = Enumerable.Range(0, days).Select(_ => rng.NextDouble()).ToArray();
        var sb = new StringBuilder("date,y,lead,noise\n");
        var start = new DateOnly(2020, 1, 1);
        for (int t = 0; t < days; t++)
        {
            double y = 10 + 3 * (t % 7 >= 5 ? -1 : 1) + (t > 0 ? 2 * lead[t - 1] : 0);
            sb.Append(CultureInfo.InvariantCulture, $"{start.AddDays(t):yyyy-MM-dd},{y:R},{lead[t]:R},{rng.NextDouble():R}\n");
        }
        string path = Path.Combine(Directory.CreateTempSubdirectory("attn-fc-").FullName, "daily.csv");
        File.WriteAllText(path, sb.ToString());
        return path;
    }

    static double Value(RunResult r, string key) => r.Items.First(kv => kv.Key == key).Value is Percent p ? p.Value : Convert.ToDouble(r.Items.First(kv => kv.Key == key).Value, CultureInfo.InvariantCulture);

    [Fact]
    [Trait("Category", "Slow")]
    public void TrainEvaluateAndShowFromCode()
    {
        string csv = WriteCsv();
        string outDir = Path.Combine(Directory.CreateTempSubdirectory("attn-fc-run-").FullName, "run");
        var spec = new ForecastTrainSpec(new ForecastDataSpec(csv, "date", "y", Window: 8, Horizon: 1, TestSteps: 40, ValidSteps: 30, NoiseDrivers: 2), DarnnAttention.Dual, Hidden: 8);
        var trainer = new TrainerOptions { Epochs = 3, BatchSize = 32, LearningRate = 3e-3, OutDir = outDir, Seed = 2 };
        var context = ExperimentContext.Cpu();
        var result = Train();
        RunResult Train() => ForecastExperiment.Train(spec, trainer, context);
        foreach (var key in new[] { "rmse", "mae", "mase", "naive_rmse", "snaive_mase", "ridge_rmse", "ridge_mase", "cridge_rmse", "cridge_mase", "calar_rmse", "dm_stat", "dm_p" })
            Assert.True(double.IsFinite(Value(result, key)), key);
        Assert.Equal(40, Value(result, "test_windows"));
        Assert.InRange(Value(result, "pi90_coverage"), 0, 100);
        Assert.True(Value(result, "pi90_width") > 0, result.ToLine());
        Assert.True(double.IsFinite(Value(result, "arima_rmse")), result.ToLine());
        Assert.Equal(4, Value(result, "drivers"));
        Assert.Contains(result.Items, kv => kv.Key == "noise_attention");
        // The ridge autoregression sees y's lags and the lead driver: it must beat the seasonal naive forecast here.
        Assert.True(Value(result, "ridge_rmse") < Value(result, "snaive_rmse"), result.ToLine());
        // Both ridges fit this series (the 8 lags already hold the weekly pattern); DM tests against the better one.
        Assert.True(Value(result, "cridge_rmse") <= Value(result, "ridge_rmse") + 1e-3, result.ToLine());
        Assert.Contains(result.Items.First(kv => kv.Key == "dm_baseline").Value, new object[] { "ridge", "cridge", "calar" });
        foreach (var f in new[] { "forecast.png", "attention.png", "temporal-attention.png", "input-heatmap.png", "temporal-heatmap.png", "test-forecasts.csv", "result.json" })
            Assert.True(File.Exists(Path.Combine(outDir, f)), f);
        Assert.Equal(41, File.ReadAllLines(Path.Combine(outDir, "test-forecasts.csv")).Length);

        var eval = ForecastExperiment.Evaluate(new ForecastEvalSpec(outDir), context);
        Assert.Equal(Value(result, "rmse"), Value(eval, "rmse"), 6);
        Assert.Equal(Value(result, "ridge_rmse"), Value(eval, "ridge_rmse"), 6);
        Assert.Equal(Value(result, "dm_stat"), Value(eval, "dm_stat"), 6);
        var show = ForecastExperiment.Show(new ForecastShowSpec(outDir, Steps: 10, Output: Path.Combine(outDir, "show")), context);
        Assert.True(File.Exists(show.Items.First(kv => kv.Key == "png").Value.ToString()));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void TransformerTrainsAndRunForecastsFromACsvAsTheTestDidAtThatOrigin()
    {
        string csv = WriteCsv(200);
        string outDir = Path.Combine(Directory.CreateTempSubdirectory("attn-fc-tf-").FullName, "run");
        var spec = new ForecastTrainSpec(new ForecastDataSpec(csv, "date", "y", Window: 7, Horizon: 2, TestSteps: 30, ValidSteps: 30), Calendar: true,
            Model: ForecastModel.Transformer, ModelDim: 8, Heads: 2, Layers: 1, FeedForward: 16, Relative: true);   // relative windows: run must add the origin's level back as the test did
        var context = ExperimentContext.Cpu();
        var result = ForecastExperiment.Train(spec, new TrainerOptions { Epochs = 2, BatchSize = 32, LearningRate = 3e-3, OutDir = outDir, Seed = 2 }, context);
        Assert.Equal("transformer", result.Items.First(kv => kv.Key == "model").Value);
        Assert.Equal("self", result.Items.First(kv => kv.Key == "attention").Value);
        Assert.Equal(true, result.Items.First(kv => kv.Key == "relative").Value);
        Assert.True(File.Exists(Path.Combine(outDir, "temporal-heatmap.png")));
        Assert.False(File.Exists(Path.Combine(outDir, "input-heatmap.png")));   // no input attention to draw

        // forecast run on the file cut at the 5th test origin gives the forecast the test scored for that origin.
        var rows = File.ReadAllLines(Path.Combine(outDir, "test-forecasts.csv"));
        Assert.StartsWith("time,truth,transformer,", rows[0]);
        var fifth = rows[5].Split(',');
        var lines = File.ReadAllLines(csv);
        int originLine = Array.FindIndex(lines, l => l.StartsWith(fifth[0] + ",", StringComparison.Ordinal)) - 2;   // 2 days before the forecast day
        string cut = Path.Combine(Path.GetDirectoryName(csv)!, "cut.csv");
        File.WriteAllLines(cut, lines.Take(originLine + 1));
        var run = ForecastExperiment.Forecast(new ForecastRunSpec(outDir, cut), context);
        Assert.Equal(fifth[0], run.Items.First(kv => kv.Key == "forecast_time").Value);
        Assert.Equal(double.Parse(fifth[2], CultureInfo.InvariantCulture), Value(run, "forecast"), 1e-3);   // the RESULT line rounds to 4 decimals
        Assert.Contains("the model reads windows of 7 rows", Assert.Throws<ArgumentException>(() =>
            ForecastExperiment.Forecast(new ForecastRunSpec(outDir, WriteCsv(5)), context)).Message);

        // forecast compare: the model against its own naive column gives the RESULT line's RMSEs, and refuses what cannot be compared.
        var cmp = ForecastExperiment.Compare(new ForecastCompareSpec(outDir, outDir, ColumnB: "naive"));
        Assert.Equal(Value(result, "rmse"), Value(cmp, "a_rmse"), 3);
        Assert.Equal(Value(result, "naive_rmse"), Value(cmp, "b_rmse"), 3);
        Assert.Equal(2, Value(cmp, "horizon"));
        Assert.Contains("no forecast column 'nope'", Assert.Throws<ArgumentException>(() => ForecastExperiment.Compare(new ForecastCompareSpec(outDir, outDir, ColumnB: "nope"))).Message);
        Assert.Contains("has no test-forecasts.csv", Assert.Throws<FileNotFoundException>(() => ForecastExperiment.Compare(new ForecastCompareSpec(outDir, Path.GetDirectoryName(csv)!))).Message);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void ASeriesWithoutDriversTrainsWithoutInputAttentionAndRefusesIt()
    {
        string csv = WriteCsv(160);
        var only = File.ReadAllLines(csv).Select(l => string.Join(',', l.Split(',').Take(2))).ToArray();
        File.WriteAllLines(csv, only);
        var data = new ForecastDataSpec(csv, "date", "y", Window: 7, TestSteps: 20, ValidSteps: 20);
        var context = ExperimentContext.Cpu();
        string dir = Directory.CreateTempSubdirectory("attn-fc-uni-").FullName;
        var result = ForecastExperiment.Train(new ForecastTrainSpec(data, DarnnAttention.Temporal, Hidden: 4, Score: DarnnScore.General),
            new TrainerOptions { Epochs = 1, OutDir = Path.Combine(dir, "temporal"), Seed = 1 }, context);
        Assert.Equal(0, Value(result, "drivers"));
        Assert.Equal("general", result.Items.First(kv => kv.Key == "score").Value);
        Assert.True(double.IsFinite(Value(result, "ridge_rmse")));
        var e = Assert.Throws<ArgumentException>(() => ForecastExperiment.Train(new ForecastTrainSpec(data, DarnnAttention.Dual, Hidden: 4),
            new TrainerOptions { Epochs = 1, OutDir = Path.Combine(dir, "dual"), Seed = 1 }, context));
        Assert.Contains("has no driving series: input attention", e.Message);
    }

    [Fact]
    public void ConformalOffsetsAreTheRankedValidationErrors()
    {
        // n = 19 errors 1..19 shuffled, level 0.9: ranks ceil(0.05 * 20) = 1 and ceil(0.95 * 20) = 19.
        var errors = Enumerable.Range(1, 19).Select(v => (double)v).OrderBy(v => (v * 7) % 19).ToArray();
        Assert.Equal((1.0, 19.0), ForecastExperiment.ConformalOffsets(errors, 0.9));
        // level 0.5: ranks ceil(0.25 * 20) = 5 and ceil(0.75 * 20) = 15.
        Assert.Equal((5.0, 15.0), ForecastExperiment.ConformalOffsets(errors, 0.5));
        Assert.Contains("level must be in (0, 1)", Assert.Throws<ArgumentException>(() => ForecastExperiment.ConformalOffsets(errors, 1)).Message);
    }

    [Fact]
    public void NoiseDriversAreRandomWalksAddedAfterTheRealOnesAndRepeatable()
    {
        var spec = new ForecastDataSpec(WriteCsv(120), "date", "y", TestSteps: 20, ValidSteps: 20, NoiseDrivers: 3);
        var a = spec.Load(ExperimentContext.Cpu());
        var b = spec.Load(ExperimentContext.Cpu());
        Assert.Equal(["lead", "noise", "noise_1", "noise_2", "noise_3"], a.Series.DriverNames);
        Assert.Equal(a.Series.Drivers[4], b.Series.Drivers[4]);
        var steps = a.Series.Drivers[2].Skip(1).Zip(a.Series.Drivers[2], (x, y) => x - y).ToArray();
        Assert.InRange(steps.Average(v => v * v), 0.6, 1.5); // unit-variance increments
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void CliTrainPrintsTheResultLineAndBadCsvIsAClearError()
    {
        string csv = WriteCsv(200);
        string outDir = Path.Combine(Directory.CreateTempSubdirectory("attn-fc-cli-").FullName, "run");
        var (code, output, err) = CliTests.Run("forecast", "train", "--data", csv, "--time", "date", "--target", "y", "--window", "7",
            "--test-steps", "30", "--valid-steps", "30", "--hidden", "4", "--epochs", "1", "--attention", "temporal", "--calendar", "--out", outDir, "--no-progress", "--threads", "1");
        Assert.True(code == 0, err);
        Assert.Contains("RESULT data=", output);
        Assert.Contains("calendar=True", output);
        Assert.Contains(" cridge_rmse=", output);
        Assert.Contains(" dm_p=", output);
        var eval = CliTests.Run("forecast", "eval", "--checkpoint", outDir, "--threads", "1");   // the checkpoint rebuilds a calendar model
        Assert.True(eval.Code == 0, eval.Err);
        Assert.Contains("calendar=True", eval.Out);
        Assert.Contains("attention=temporal", output);
        Assert.Contains(" snaive_mase=", output);

        string bad = Path.Combine(Path.GetDirectoryName(csv)!, "bad.csv");
        File.WriteAllText(bad, "date,y\n2020-01-01,1\n2020-01-02,x\n");
        var (badCode, _, badErr) = CliTests.Run("forecast", "train", "--data", bad, "--time", "date", "--target", "y", "--out", outDir + "-bad");
        Assert.Equal(1, badCode);
        Assert.Contains("line 3: the target 'y' is 'x', not a number", badErr);
    }
}
