using System.Globalization;
using Spectre.Console;

namespace AttentionSharp.Training;

/// <summary>The figures of one finished epoch.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Epochs">Total epochs planned.</param>
/// <param name="LearningRate">Rate used in the epoch.</param>
/// <param name="Train">Mean training metrics (always has <c>loss</c>).</param>
/// <param name="Valid">Mean validation metrics, empty without a validation set.</param>
/// <param name="Seconds">Wall time of the epoch, validation included.</param>
/// <param name="Improved">Whether the monitored metric improved (a best checkpoint was written).</param>
public sealed record EpochRecord(int Epoch, int Epochs, double LearningRate, IReadOnlyDictionary<string, double> Train,
    IReadOnlyDictionary<string, double> Valid, double Seconds, bool Improved)
{
    /// <summary>One plain line, e.g. <c>epoch 3/10 lr=0.001 train_loss=0.1234 valid_error=1.23% 12.3s *</c>.</summary>
    public string ToLine()
    {
        var parts = new List<string> { $"epoch {Epoch}/{Epochs}", "lr=" + LearningRate.ToString("g3", CultureInfo.InvariantCulture) };
        parts.AddRange(Train.Select(kv => "train_" + kv.Key + "=" + FormatMetric(kv.Key, kv.Value)));
        parts.AddRange(Valid.Select(kv => "valid_" + kv.Key + "=" + FormatMetric(kv.Key, kv.Value)));
        parts.Add(Seconds.ToString("0.0", CultureInfo.InvariantCulture) + "s");
        if (Improved) parts.Add("*");
        return string.Join(' ', parts);
    }

    /// <summary>Metrics named error or accuracy print in percent, others with 4 decimals.</summary>
    public static string FormatMetric(string name, double v) =>
        name.Contains("error") || name.Contains("accuracy")
            ? (100 * v).ToString("0.00", CultureInfo.InvariantCulture) + "%"
            : v.ToString("0.0000", CultureInfo.InvariantCulture);
}

/// <summary>Receives the trainer's progress; <see cref="TrainingProgress.Run{T}"/> picks the implementation.</summary>
public interface ITrainingProgress
{
    /// <summary>An epoch of <paramref name="batches"/> training batches begins.</summary>
    void StartEpoch(int epoch, int epochs, int batches);
    /// <summary><paramref name="done"/> batches are done; the running mean loss is <paramref name="meanLoss"/>.</summary>
    void Step(int done, double meanLoss);
    /// <summary>The epoch ended, validation included.</summary>
    void EndEpoch(EpochRecord record);
    /// <summary>A free-form line (resume notices, early stopping).</summary>
    void Message(string line);
}

/// <summary>One plain line per epoch to a writer: the output when stdout is redirected or <c>--no-progress</c> is given.</summary>
public sealed class PlainProgress(TextWriter writer) : ITrainingProgress
{
    /// <inheritdoc />
    public void StartEpoch(int epoch, int epochs, int batches) { }
    /// <inheritdoc />
    public void Step(int done, double meanLoss) { }
    /// <inheritdoc />
    public void EndEpoch(EpochRecord record) { writer.WriteLine(record.ToLine()); writer.Flush(); }
    /// <inheritdoc />
    public void Message(string line) { writer.WriteLine(line); writer.Flush(); }
}

/// <summary>Spectre.Console progress bars, one per epoch, each ending with the epoch's figures.</summary>
sealed class SpectreProgress(ProgressContext context) : ITrainingProgress
{
    ProgressTask? _task;
    int _epoch, _epochs;

    public void StartEpoch(int epoch, int epochs, int batches)
    {
        _epoch = epoch; _epochs = epochs;
        _task = context.AddTask($"epoch {epoch}/{epochs}", maxValue: Math.Max(1, batches));
    }

    public void Step(int done, double meanLoss)
    {
        if (_task == null) return;
        _task.Value = done;
        _task.Description = Markup.Escape($"epoch {_epoch}/{_epochs} loss {meanLoss:0.0000}");
    }

    public void EndEpoch(EpochRecord record)
    {
        if (_task == null) return;
        _task.Description = Markup.Escape(record.ToLine());
        _task.Value = _task.MaxValue;
        _task.StopTask();
    }

    public void Message(string line) => context.AddTask(Markup.Escape(line), autoStart: false, maxValue: 1).Value = 1;
}

/// <summary>How progress is shown.</summary>
public enum ProgressMode
{
    /// <summary>Bars when stdout is a terminal, plain lines when redirected.</summary>
    Auto,
    /// <summary>Plain lines always (<c>--no-progress</c>).</summary>
    Plain,
}

/// <summary>Chooses and runs the progress display around a body of work.</summary>
public static class TrainingProgress
{
    /// <summary>Whether bars are used: only in <see cref="ProgressMode.Auto"/> with a terminal on stdout.</summary>
    public static bool UseBars(ProgressMode mode, bool outputRedirected) => mode == ProgressMode.Auto && !outputRedirected;

    /// <summary>Runs <paramref name="body"/> with bars or plain lines on the console.</summary>
    public static T Run<T>(ProgressMode mode, Func<ITrainingProgress, T> body)
    {
        if (!UseBars(mode, Console.IsOutputRedirected)) return body(new PlainProgress(Console.Out));
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                     new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx => { result = body(new SpectreProgress(ctx)); });
        return result;
    }
}
