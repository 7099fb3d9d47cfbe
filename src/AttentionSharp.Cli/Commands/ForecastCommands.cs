using AttentionSharp.Models.Forecasting;
using AttentionSharp.Training;

namespace AttentionSharp.Cli.Commands;

/// <summary><c>attn forecast train|eval|show|run|compare</c>: time-series forecasting with the dual-stage attention RNN (Qin et al. 2017), its ablations and a Transformer encoder, beside baselines.</summary>
public static class ForecastCommands
{
    // Declared first: static fields initialise in text order and the lists below use it.
    static readonly OptionSpec Arima = new("arima", "ORDER", "auto",
        "ARIMA baseline: auto (order by AIC on the training steps: (p,1,q)(P,1,Q)_period for periods up to 24, (p,0,q)(0,1,0)_period above), none, or p,d,q[,P,D,Q,s]");

    static readonly OptionSpec RidgeLags = new OptionSpec("ridge-lags", "N", null, "lags of the ridge autoregression baseline (default: the window)").Ints(1, 1000);

    static readonly OptionSpec[] DataOptions =
    [
        new("data", "NAME|CSV", "chicago", "chicago (R modeldata's daily L ridership, target Clark/Lake), taylor (R forecast's half-hourly electricity demand, no drivers; use --period 336 or 48), seattle-weather (vega's daily Seattle weather 2012-2015, target temp_max; use --period 1 --test-steps 365), r:NAME (a series of R's datasets, e.g. r:AirPassengers with --period 12) or a CSV file with a header row"),
        new("time", "COLUMN", null, "CSV: the time column (dates or numbers, ascending)"),
        new("target", "COLUMN", null, "CSV: the target column"),
        new("drivers", "A,B,...", null, "driver columns (default: every other column)"),
        new("allow-gaps", null, null, "CSV: accept irregular time steps"),
        new OptionSpec("window", "T", "10", "time steps in each input window (the paper's T = 10)").Ints(2, 1000),
        new OptionSpec("horizon", "H", "1", "forecast the value H steps after the window's last step (every driver is then at least H steps old)").Ints(1, 10000),
        new OptionSpec("test-steps", "N", "730", "the last N steps are the test period (rolling origins; 730 on chicago = 2014-08-29 .. 2016-08-28)").Ints(1),
        new OptionSpec("valid-steps", "N", "365", "steps before the test period used for validation (early stopping, the ridge penalty)").Ints(1),
        new OptionSpec("period", "M", "7", "seasonal period of the seasonal naive forecast and the MASE scale").Ints(1, 10000),
        new OptionSpec("noise-drivers", "N", "0", "add N random-walk drivers (Qin et al.'s noise test: how much input attention they get)").Ints(0, 10000),
    ];

    static readonly OptionSpec[] ModelOptions =
    [
        new OptionSpec("model", "NAME", "darnn", "darnn (DA-RNN and its ablations, --attention) or transformer (a Transformer encoder over the window's steps)").Variants<ForecastModel>(),
        new OptionSpec("attention", "WHICH", "dual", "darnn: dual (DA-RNN), input (input attention only), temporal (temporal attention only) or none (plain encoder-decoder LSTM)").Variants<DarnnAttention>(),
        new OptionSpec("score", "NAME", "additive", "darnn: score of the temporal attention, additive (the paper's, Bahdanau) or general (Luong)").Variants<DarnnScore>(),
        new OptionSpec("hidden", "N", "64", "darnn: encoder and decoder LSTM units (m = p)").Ints(1, 4096),
        new OptionSpec("model-dim", "N", "64", "transformer: model width d").Ints(2, 4096),
        new OptionSpec("heads", "N", "4", "transformer: attention heads").Ints(1, 256),
        new OptionSpec("layers", "N", "2", "transformer: encoder layers").Ints(1, 64),
        new OptionSpec("ff", "N", "128", "transformer: feed-forward inner size").Ints(1, 65536),
        new OptionSpec("dropout", "X", "0.1", "transformer: dropout").Numbers(0, 0.99),
        RidgeLags,
        Arima,
        new("relative", null, null, "NLinear window normalisation (Zeng et al. 2023): the model sees the target history minus its value at the origin and forecasts the change (for series that trend out of the training range)"),
        new("calendar", null, null, "give the network the calendar of the forecast day (day of week, US federal holidays, day after Thanksgiving, Christmas Eve; dates only)"),
    ];

    static readonly OptionSpec Checkpoint = new("checkpoint", "PATH", null, "checkpoint file, or run folder (its best checkpoint)");

    /// <summary>The verbs of this file.</summary>
    public static Verb[] Verbs { get; } =
    [
        new(["forecast", "train"], "train DA-RNN (or an ablation, or a Transformer encoder) on a series, then test it beside naive, seasonal naive, Holt-Winters, ridge and calendar autoregressions and ARIMA (Diebold-Mariano against the best, 90% intervals)",
            [.. DataOptions, .. ModelOptions, .. SharedOptions.Train(epochs: 100, batchSize: 128, lr: 1e-3, monitor: "loss")], null, Train),
        new(["forecast", "eval"], "score a forecasting checkpoint and the baselines on its series' test windows",
            [Checkpoint, RidgeLags, Arima, .. SharedOptions.Common()], null, Eval),
        new(["forecast", "run"], "forecast the value --horizon steps after the last row of your CSV (the time column, the target and the checkpoint's drivers) with a checkpoint",
            [Checkpoint, new("data", "CSV", null, "CSV with at least --window rows and the checkpoint's columns"), new("time", "COLUMN", null, "the time column (default: the checkpoint's, or date)"),
             new("target", "COLUMN", null, "the target column (default: the checkpoint's)"), new("allow-gaps", null, null, "accept irregular time steps"), .. SharedOptions.Common()], null, Run),
        new(["forecast", "compare"], "Diebold-Mariano test between two forecast columns of runs' test-forecasts.csv (same test steps; dm_stat < 0: A has the smaller squared errors)",
            [new("a", "RUN", null, "run folder of the first forecast"), new("b", "RUN", null, "run folder of the second (may be the same run, with --column-b naming a baseline)"),
             new("column-a", "NAME", null, "column of A (default: its model)"), new("column-b", "NAME", null, "column of B (default: its model), e.g. calar, arima, hw"), .. SharedOptions.Common()], null, Compare),
        new(["forecast", "show"], "draw a forecasting checkpoint's test forecasts against the truth, and its attention weights, into PNGs",
            [Checkpoint, new OptionSpec("steps", "N", "0", "test steps to draw (0 = all)").Ints(0), .. SharedOptions.Common()], null, Show),
    ];

    static ForecastDataSpec DataSpec(ParsedArgs a) => new(
        Data: a.Required("data"), TimeColumn: a.String("time"), TargetColumn: a.String("target"),
        Drivers: a.String("drivers")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        AllowGaps: a.Flag("allow-gaps"), Window: a.Int("window"), Horizon: a.Int("horizon"),
        TestSteps: a.Int("test-steps"), ValidSteps: a.Int("valid-steps"), Period: a.Int("period"),
        NoiseDrivers: a.Int("noise-drivers"));

    static int Train(ParsedArgs a)
    {
        var spec = new ForecastTrainSpec(DataSpec(a), a.Variant<DarnnAttention>("attention"), a.Int("hidden"),
            a.String("ridge-lags") != null ? a.Int("ridge-lags") : null, a.Flag("calendar"), a.Variant<ForecastModel>("model"), a.Variant<DarnnScore>("score"),
            a.Int("model-dim"), a.Int("heads"), a.Int("layers"), a.Int("ff"), a.Double("dropout"), a.Required("arima"), a.Flag("relative"));
        spec.Validate();
        string name = ForecastDataSpec.IsBuiltIn(spec.Data.Data) ? spec.Data.Data : Path.GetFileNameWithoutExtension(spec.Data.Data);
        string model = spec.Model == ForecastModel.Transformer ? "transformer" : Variant.Name(spec.Attention);
        var trainer = SharedOptions.Trainer(a, SharedOptions.OutDir(a, $"forecast-{name}-h{spec.Data.Horizon}-{model}{(spec.Calendar ? "-cal" : "")}{(spec.Relative ? "-rel" : "")}"));
        trainer.Validate();
        var result = TrainingProgress.Run(SharedOptions.Progress(a), p => ForecastExperiment.Train(spec, trainer, SharedOptions.Context(a, p)));
        Console.WriteLine(result.ToLine());
        return 0;
    }

    static int Eval(ParsedArgs a)
    {
        var spec = new ForecastEvalSpec(a.Required("checkpoint"), a.String("ridge-lags") != null ? a.Int("ridge-lags") : null, a.Required("arima"));
        Console.WriteLine(ForecastExperiment.Evaluate(spec, SharedOptions.Context(a)).ToLine());
        return 0;
    }

    static int Run(ParsedArgs a)
    {
        var spec = new ForecastRunSpec(a.Required("checkpoint"), a.Required("data"), a.String("time"), a.String("target"), a.Flag("allow-gaps"));
        Console.WriteLine(ForecastExperiment.Forecast(spec, SharedOptions.Context(a)).ToLine());
        return 0;
    }

    static int Compare(ParsedArgs a)
    {
        Console.WriteLine(ForecastExperiment.Compare(new ForecastCompareSpec(a.Required("a"), a.Required("b"), a.String("column-a"), a.String("column-b"))).ToLine());
        return 0;
    }

    static int Show(ParsedArgs a)
    {
        var spec = new ForecastShowSpec(a.Required("checkpoint"), a.Int("steps"), a.String("out"));
        Console.WriteLine(ForecastExperiment.Show(spec, SharedOptions.Context(a)).ToLine());
        return 0;
    }
}
