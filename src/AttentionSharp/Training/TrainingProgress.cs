using System.Globalization;

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

/// <summary>Receives the trainer's progress and an experiment's log lines: <see cref="PlainProgress"/> writes plain lines; the CLI draws bars.</summary>
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

/// <summary>Forwards whole lines written to it to <see cref="ITrainingProgress.Message"/>: how an experiment's log (data
/// preparation, run folder ...) reaches the same display as its epochs.</summary>
public sealed class ProgressLog(ITrainingProgress progress) : TextWriter
{
    readonly System.Text.StringBuilder _line = new();

    /// <inheritdoc />
    public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

    /// <inheritdoc />
    public override void Write(char value)
    {
        if (value == '\n') Flush();
        else if (value != '\r') _line.Append(value);
    }

    /// <inheritdoc />
    public override void Flush()
    {
        if (_line.Length == 0) return;
        progress.Message(_line.ToString());
        _line.Clear();
    }
}
