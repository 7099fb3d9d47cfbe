using Spectre.Console;
using AttentionSharp.Training;

namespace AttentionSharp.Cli;

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
