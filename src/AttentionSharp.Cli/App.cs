using AttentionSharp.Cli.Commands;
using AttentionSharp.Data;
using AttentionSharp.Training;

namespace AttentionSharp.Cli;

/// <summary>The <c>attn</c> command: finds the verb, parses its options, runs it, and turns failures into one clear paragraph.</summary>
public static class App
{
    /// <summary>Every verb, grouped by model family; each family adds its verbs in its own file under Commands/.</summary>
    public static IReadOnlyList<Verb> Verbs { get; } =
    [
        .. InfoCommand.Verbs,
        .. DataCommands.Verbs,
        .. BaselineCommands.Verbs,
        .. RamCommands.Verbs,
        .. DrawCommands.Verbs,
        .. TranslateCommands.Verbs,
        .. TagCommands.Verbs,
        .. SegmentCommands.Verbs,
        .. StnCommands.Verbs,
        .. ClassifyCommands.Verbs,
        .. ForecastCommands.Verbs,
        .. RelexCommands.Verbs,
        .. CaptionCommands.Verbs,
        .. VqaCommands.Verbs,
        .. ReportCommands.Verbs,
        .. ExportCommands.Verbs,
    ];

    /// <summary>The grammar of every verb (System.CommandLine), built once.</summary>
    public static CommandTree Tree { get; } = new(Verbs);

    /// <summary>
    /// Runs the command line; returns the exit code (0 ok, 1 failure, 2 usage error). Everything the command prints goes to
    /// <paramref name="stdout"/> and <paramref name="stderr"/>: the verbs write to <see cref="Console"/>, so for the run
    /// <see cref="Console.Out"/> and <see cref="Console.Error"/> are set to these writers and restored afterwards
    /// (a process-wide setting: do not run two commands at once from different threads with different writers).
    /// </summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        _interruption = new CancellationTokenSource();
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        AttentionSharp.Native.AllocatorTuning.Apply();
        var (savedOut, savedErr) = (Console.Out, Console.Error);
        bool redirect = !ReferenceEquals(stdout, savedOut) || !ReferenceEquals(stderr, savedErr);
        if (redirect)
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
        }
        try { return RunCommand(args, stdout, stderr); }
        finally
        {
            if (redirect)
            {
                Console.Out.Flush();
                Console.Error.Flush();
                Console.SetOut(savedOut);
                Console.SetError(savedErr);
            }
        }
    }

    static CancellationTokenSource _interruption = new();

    /// <summary>Cancelled by <see cref="Interrupt"/>: training verbs pass it to the trainer (<see cref="Training.TrainerOptions.Cancel"/>).</summary>
    public static CancellationToken Interruption => _interruption.Token;

    /// <summary>
    /// Asks the running command to stop (Ctrl-C, SIGTERM): a training run finishes its batch, keeps <c>last.ckpt</c> of the
    /// last complete epoch and exits with 130. Returns false when a stop was already requested (the second Ctrl-C then
    /// ends the process at once).
    /// </summary>
    public static bool Interrupt()
    {
        if (_interruption.IsCancellationRequested) return false;
        _interruption.Cancel();
        return true;
    }

    /// <summary>Exit code of a run stopped by <see cref="Interrupt"/> (128 + SIGINT, as shells expect).</summary>
    public const int InterruptedExitCode = 130;

    static int RunCommand(string[] args, TextWriter stdout, TextWriter stderr)
    {
        bool verbose = args.Contains("--verbose");
        try
        {
            if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
            {
                stdout.Write(GeneralHelp());
                return args.Length == 0 ? 2 : 0;
            }
            if (args[0] == "--version")
            {
                stdout.WriteLine(typeof(App).Assembly.GetName().Version);
                return 0;
            }
            if (args[0].StartsWith("[suggest", StringComparison.Ordinal))
                return Tree.Parse(args).Invoke(new System.CommandLine.InvocationConfiguration { Output = stdout, Error = stderr });
            var result = Tree.Parse(args);
            if (args.Contains("--help") || args.Contains("-h"))
            {
                var helped = Tree.VerbOf(result);
                if (helped != null) { stdout.Write(helped.Help()); return 0; }
            }
            var parsed = Tree.Bind(result);
            var verb = parsed.Verb;
            if (verb.Options.Any(o => o.Name == "threads") && parsed.String("threads") != null)
                TorchSharp.torch.set_num_threads(parsed.Int("threads"));
            return RunVerb(verb, parsed, stderr);
        }
        catch (Training.TrainingInterruptedException e)
        {
            stderr.WriteLine($"stopped: {e.Message}");
            return InterruptedExitCode;
        }
        catch (Exception e) when (IsUserError(e))
        {
            stderr.WriteLine($"error: {e.Message}");
            if (verbose) stderr.WriteLine(e);
            return e is UsageException ? 2 : 1;
        }
        catch (Exception e)
        {
            stderr.WriteLine($"error: {e.GetType().Name}: {e.Message}");
            stderr.WriteLine(verbose ? e.ToString() : "(run again with --verbose for the stack trace)");
            return 1;
        }
    }

    /// <summary>
    /// Runs a verb. A verb that does not train (eval, run, show, predict, ...) is run once more after a libtorch
    /// <see cref="System.Runtime.InteropServices.ExternalException"/>: TorchSharp 0.107 lets the finalizer free an implicitly
    /// converted <c>Scalar</c> while a native call still reads it, a rare fault that a second run does not repeat
    /// (see docs/cli.md, "Native errors"). Training verbs restart the failed epoch instead (<see cref="Training.TrainerOptions.NativeFaultRetries"/>).
    /// </summary>
    internal static int RunVerb(Verb verb, ParsedArgs parsed, TextWriter stderr)
    {
        bool repeatable = verb.Path[^1] != "train";
        try { return RunWithFlagNames(verb, parsed); }
        catch (System.Runtime.InteropServices.ExternalException e) when (repeatable)
        {
            stderr.WriteLine($"warning: native error in '{verb.Name}' ({e.Message.Split('\n', 2)[0].Trim()}); running it once more (see docs/cli.md, \"Native errors\")");
            return RunWithFlagNames(verb, parsed);
        }
    }

    /// <summary>Runs the verb; a library error that names one of its option properties becomes a usage error naming the flag.</summary>
    static int RunWithFlagNames(Verb verb, ParsedArgs parsed)
    {
        try { return verb.Run(parsed); }
        catch (ArgumentException e) when (FlagMessage(verb, e.Message) is { } message) { throw new UsageException(message); }
    }

    /// <summary>
    /// The library names option properties in its messages (<c>Depth must be in 1..6; got 9</c>, <c>Cell applies to the recurrent
    /// architectures, not to Arch transformer</c>). When such a message starts with a property that is one of
    /// <paramref name="verb"/>'s options, every property of the verb it names is written as the flag (<c>--depth</c>,
    /// <c>--cell</c>, <c>--arch</c>); null for any other message, which stays as the library wrote it.
    /// </summary>
    internal static string? FlagMessage(Verb verb, string message)
    {
        string? Flag(string word)
        {
            string kebab = System.Text.RegularExpressions.Regex.Replace(word, "(?<=[a-z0-9])([A-Z])", "-$1").ToLowerInvariant();
            return verb.Options.Any(o => o.Name == kebab) ? "--" + kebab : null;
        }
        var first = System.Text.RegularExpressions.Regex.Match(message, @"^[A-Z][A-Za-z0-9]*\b");
        if (!first.Success || Flag(first.Value) == null) return null;
        return System.Text.RegularExpressions.Regex.Replace(message, @"\b[A-Z][a-z0-9]*(?:[A-Z][a-z0-9]*)*\b", m => Flag(m.Value) ?? m.Value);
    }

    static bool IsUserError(Exception e) => e is UsageException or ArgumentException or CheckpointException or DataUnavailableException
        or InvalidDataException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException;

    /// <summary>The text of <c>attn --help</c>.</summary>
    public static string GeneralHelp()
    {
        var lines = new List<string>
        {
            "attn — AttentionSharp: attention mechanisms and attention models on TorchSharp",
            "",
            "usage: attn COMMAND [options]      (attn COMMAND --help lists its options with defaults)",
            "",
            "commands:",
        };
        int width = Verbs.Max(v => v.Name.Length) + 2;
        lines.AddRange(Verbs.Select(v => $"  {v.Name.PadRight(width)} {v.Summary}"));
        lines.Add("");
        lines.Add("Every train/eval command ends with a line 'RESULT key=value ...' and writes result.json in its run folder.");
        return string.Join(Environment.NewLine, lines) + Environment.NewLine;
    }
}
