using AttentionSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Data.Series;

/// <summary>
/// Standardisation of the target and each driver, <c>(v - mean) / std</c>, with statistics from the training part only
/// (steps before <see cref="FitEnd"/>); a series constant there gets std 1.
/// </summary>
/// <param name="Mean">Means: index 0 the target, 1.. the drivers.</param>
/// <param name="Std">Standard deviations (population), same layout.</param>
/// <param name="FitEnd">The statistics use steps [0, FitEnd).</param>
public sealed record SeriesScaler(double[] Mean, double[] Std, int FitEnd)
{
    /// <summary>Fits on steps [0, <paramref name="end"/>) of <paramref name="series"/>.</summary>
    public static SeriesScaler Fit(TimeSeries series, int end)
    {
        if (end < 2 || end > series.Length) throw new ArgumentException($"the scaler needs 2..{series.Length} training steps; got {end}");
        var columns = new[] { series.Target }.Concat(series.Drivers).ToArray();
        var mean = new double[columns.Length];
        var std = new double[columns.Length];
        for (int c = 0; c < columns.Length; c++)
        {
            double m = 0;
            for (int t = 0; t < end; t++) m += columns[c][t];
            m /= end;
            double v = 0;
            for (int t = 0; t < end; t++) v += (columns[c][t] - m) * (columns[c][t] - m);
            double sd = Math.Sqrt(v / end);
            mean[c] = m;
            std[c] = sd > 1e-12 ? sd : 1;
        }
        return new SeriesScaler(mean, std, end);
    }

    /// <summary>Target value in scaled units.</summary>
    public double ScaleTarget(double v) => (v - Mean[0]) / Std[0];

    /// <summary>Target value back in the series' units.</summary>
    public double UnscaleTarget(double v) => v * Std[0] + Mean[0];
}

/// <summary>One batch of forecast windows.</summary>
/// <param name="Drivers">Scaled drivers of the window <c>(B, T, n)</c>: steps origin-T+1 .. origin.</param>
/// <param name="History">Scaled target over the same steps <c>(B, T)</c>.</param>
/// <param name="Target">Scaled target at origin + horizon <c>(B)</c>.</param>
/// <param name="Origins">The origin step of each window.</param>
/// <param name="Calendar">Calendar features of the forecast day (origin + horizon) <c>(B, C)</c>, when the windows were asked for them (<see cref="CalendarFeatures"/>).</param>
public sealed record ForecastBatch(Tensor Drivers, Tensor History, Tensor Target, int[] Origins, Tensor? Calendar = null);

/// <summary>
/// A series cut into forecast windows for a horizon h: the window of origin t holds the target and drivers at steps
/// t-T+1 .. t (all known at time t, so every driver is at least h &gt;= 1 steps older than the forecast value) and the
/// label y_{t+h}. Windows are assigned by the step of their label: train before <see cref="ValidStart"/>, validation before
/// <see cref="TestStart"/>, test after (rolling origins over the test period: every test forecast sees the true history
/// up to its origin; nothing is refitted). The scaler is fitted on steps before <see cref="ValidStart"/> only.
/// </summary>
public sealed class ForecastData
{
    ForecastData(TimeSeries series, int window, int horizon, int validStart, int testStart)
    {
        Series = series;
        Window = window;
        Horizon = horizon;
        ValidStart = validStart;
        TestStart = testStart;
        Scaler = SeriesScaler.Fit(series, validStart);
        int n = series.Drivers.Length;
        ScaledTarget = series.Target.Select(Scaler.ScaleTarget).ToArray();
        ScaledDrivers = new double[series.Length * n];
        for (int t = 0; t < series.Length; t++)
            for (int k = 0; k < n; k++) ScaledDrivers[t * n + k] = (series.Drivers[k][t] - Scaler.Mean[k + 1]) / Scaler.Std[k + 1];
        var origins = Enumerable.Range(window - 1, Math.Max(0, series.Length - horizon - (window - 1))).ToArray();
        TrainOrigins = origins.Where(t => t + horizon < validStart).ToArray();
        ValidOrigins = origins.Where(t => t + horizon >= validStart && t + horizon < testStart).ToArray();
        TestOrigins = origins.Where(t => t + horizon >= testStart).ToArray();
        Calendar = CalendarFeatures.ForTimes(series.Times);
    }

    /// <summary>
    /// Cuts <paramref name="series"/>: the last <paramref name="testSteps"/> steps are the test period, the
    /// <paramref name="validSteps"/> before them validation, the rest training.
    /// </summary>
    public static ForecastData Build(TimeSeries series, int window, int horizon, int testSteps, int validSteps)
    {
        series.Validate();
        if (window < 1) throw new ArgumentException($"Window must be >= 1; got {window}");
        if (horizon < 1) throw new ArgumentException($"Horizon must be >= 1 (drivers must be at least one step older than the forecast); got {horizon}");
        if (testSteps < 1 || validSteps < 1) throw new ArgumentException($"TestSteps and ValidSteps must be >= 1; got {testSteps}, {validSteps}");
        int testStart = series.Length - testSteps, validStart = testStart - validSteps;
        if (validStart < window + horizon + 10)
            throw new ArgumentException($"{series.Name} has {series.Length} steps: too few for {testSteps} test + {validSteps} validation steps and training windows of {window} + horizon {horizon}");
        var data = new ForecastData(series, window, horizon, validStart, testStart);
        if (data.TrainOrigins.Length < 10) throw new ArgumentException($"{series.Name}: only {data.TrainOrigins.Length} training windows");
        return data;
    }

    /// <summary>The series (raw values).</summary>
    public TimeSeries Series { get; }
    /// <summary>Window length T.</summary>
    public int Window { get; }
    /// <summary>Horizon h: the label is h steps after the origin.</summary>
    public int Horizon { get; }
    /// <summary>First step of the validation period (the scaler uses the steps before it).</summary>
    public int ValidStart { get; }
    /// <summary>First step of the test period.</summary>
    public int TestStart { get; }
    /// <summary>The training-only scaler.</summary>
    public SeriesScaler Scaler { get; }
    /// <summary>Target in scaled units.</summary>
    public double[] ScaledTarget { get; }
    /// <summary>Drivers in scaled units, step-major: <c>[t * n + k]</c>.</summary>
    public double[] ScaledDrivers { get; }
    /// <summary>Origins whose label is in the training period.</summary>
    public int[] TrainOrigins { get; }
    /// <summary>Origins whose label is in the validation period.</summary>
    public int[] ValidOrigins { get; }
    /// <summary>Origins whose label is in the test period.</summary>
    public int[] TestOrigins { get; }

    /// <summary>Number of drivers.</summary>
    public int DriverCount => Series.Drivers.Length;

    /// <summary>
    /// Calendar features of every step, step-major <c>[t * CalendarFeatures.Count + c]</c> (<see cref="CalendarFeatures"/>), or null
    /// when the time labels are not ISO dates. A forecast for origin t may use those of step t + h: they are known in advance.
    /// </summary>
    public double[]? Calendar { get; }

    /// <summary>The calendar features, or an exception saying why there are none.</summary>
    public double[] RequireCalendar() => Calendar ?? throw new ArgumentException(
        $"{Series.Name}: calendar features need time labels that are dates (yyyy-MM-dd); the first is '{Series.Times[0]}'");

    /// <summary>The raw target at the label step of each origin.</summary>
    public double[] Truth(int[] origins) => origins.Select(t => Series.Target[t + Horizon]).ToArray();

    /// <summary>A batch source over <paramref name="origins"/> on <paramref name="device"/>.</summary>
    /// <param name="origins">The window origins.</param>
    /// <param name="device">Where the tensors live (null: CPU).</param>
    /// <param name="calendar">Whether batches carry the calendar features of the forecast day.</param>
    /// <param name="relative">NLinear-style window normalisation (Zeng et al. 2023): the target history and the label are
    /// given relative to the target at the origin (scaled units), so the model forecasts the change from the origin and a
    /// level outside the training range looks like any other; <see cref="OriginLevel"/> adds the level back.</param>
    public ForecastWindows Windows(int[] origins, Device? device = null, bool calendar = false, bool relative = false)
    {
        if (calendar) RequireCalendar();
        return new(this, origins, device ?? CPU, calendar, relative);
    }

    /// <summary>The scaled target at the origin: what a relative window's forecast is added to.</summary>
    public double OriginLevel(int origin) => ScaledTarget[origin];
}

/// <summary>
/// The windows of some origins as batches. All windows are built once, on first use, as three tensors on the device; a
/// batch is an <c>index_select</c> of them, so batches allocate no large managed arrays (fewer garbage collections, which
/// in TorchSharp 0.107 can free an implicitly converted Scalar while libtorch still reads it: see ../shared/TORCHSHARP.md).
/// </summary>
public sealed class ForecastWindows(ForecastData data, int[] origins, Device device, bool calendar = false, bool relative = false) : IBatchSource<ForecastBatch>, IDisposable
{
    Tensor? _x, _y, _label, _calendar;

    /// <summary>The origins, in order.</summary>
    public int[] Origins { get; } = origins;

    /// <inheritdoc />
    public int Count => Origins.Length;

    void Build()
    {
        int T = data.Window, n = data.DriverCount, N = Origins.Length;
        var x = new float[(long)N * T * n];
        var y = new float[N * T];
        var label = new float[N];
        for (int b = 0; b < N; b++)
        {
            int origin = Origins[b];
            int first = origin - T + 1;
            double level = relative ? data.ScaledTarget[origin] : 0;
            for (int i = 0; i < T; i++)
            {
                y[b * T + i] = (float)(data.ScaledTarget[first + i] - level);
                for (int k = 0; k < n; k++) x[((long)b * T + i) * n + k] = (float)data.ScaledDrivers[(first + i) * n + k];
            }
            label[b] = (float)(data.ScaledTarget[origin + data.Horizon] - level);
        }
        _x = tensor(x, [N, T, n], device: device).DetachFromDisposeScope();
        _y = tensor(y, [N, T], device: device).DetachFromDisposeScope();
        _label = tensor(label, [N], device: device).DetachFromDisposeScope();
        if (calendar)
        {
            int C = CalendarFeatures.Count;
            var cal = new float[N * C];
            var all = data.RequireCalendar();
            for (int b = 0; b < N; b++)
                for (int c = 0; c < C; c++) cal[b * C + c] = (float)all[(Origins[b] + data.Horizon) * C + c];
            _calendar = tensor(cal, [N, C], device: device).DetachFromDisposeScope();
        }
    }

    /// <inheritdoc />
    public ForecastBatch GetBatch(int[] indices)
    {
        if (_x is null) Build();
        var picked = new int[indices.Length];
        var idx = new long[indices.Length];
        for (int b = 0; b < indices.Length; b++)
        {
            picked[b] = Origins[indices[b]];
            idx[b] = indices[b];
        }
        var at = tensor(idx, device: device);
        return new ForecastBatch(_x!.index_select(0, at), _y!.index_select(0, at), _label!.index_select(0, at), picked, _calendar?.index_select(0, at));
    }

    /// <summary>Frees the cached window tensors.</summary>
    public void Dispose()
    {
        _x?.Dispose(); _y?.Dispose(); _label?.Dispose(); _calendar?.Dispose();
        _x = _y = _label = _calendar = null;
    }
}
