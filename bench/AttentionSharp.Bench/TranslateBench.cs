using System.Diagnostics;
using AttentionSharp.Models.Seq2Seq;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Bench;

/// <summary>Decoding speed of the recurrent translators: greedy vs beam search (sentences/s) for each decoder, on one intra-op thread.</summary>
public static class TranslateBench
{
    /// <summary>Runs the benchmark; prints a table and a final summary line. Optional argument: seconds per measurement (default 2).</summary>
    static readonly System.CommandLine.Argument<double> SecondsArgument = new("seconds") { Description = "seconds of timing per row", DefaultValueFactory = _ => 2.0 };

    /// <summary>The <c>translate</c> verb: optional seconds per row, e.g. <c>translate 2</c>.</summary>
    public static System.CommandLine.Command Command => BenchOptions.Verb("translate", "decoding sentences/s of the seq2seq models, greedy and beam 5",
        r => Run(r.GetValue(SecondsArgument)), SecondsArgument);

    /// <summary>Runs the benchmark.</summary>
    public static int Run(double seconds)
    {
        torch.set_num_threads(1);
        torch.manual_seed(1);
        const int batch = 32, sourceLength = 20, maxLength = 12;
        using var src = torch.randint(4, 60, [batch, sourceLength], dtype: ScalarType.Int64);
        using var mask = torch.ones(batch, sourceLength, dtype: ScalarType.Bool);
        var rows = new List<(string Arch, int Beam, double SentencesPerSecond)>();
        foreach (var arch in new[] { "none", "bahdanau", "luong-general" })
        {
            var model = new Seq2SeqModel(new Seq2SeqOptions(AttentionSharp.Training.Variant.Parse<Seq2SeqArch>(arch, "arch"), SourceVocab: 60, TargetVocab: 60, Embedding: 32, Hidden: 64, Dropout: 0, MaxTargetLength: maxLength));
            model.eval();
            foreach (int beam in new[] { 1, 5 })
            {
                using var _ = torch.no_grad();
                var sw = Stopwatch.StartNew();
                int reps = 0;
                while (sw.Elapsed.TotalSeconds < seconds || reps == 0)
                {
                    using var scope = torch.NewDisposeScope();
                    model.Decode(src, mask, beam, maxLength: maxLength);
                    reps++;
                }
                rows.Add((arch, beam, reps * batch / sw.Elapsed.TotalSeconds));
            }
        }
        Console.WriteLine($"{"arch",-14} {"beam",4} {"sentences/s",12}   (batch {batch}, source {sourceLength}, {maxLength} output steps, untrained weights)");
        foreach (var r in rows) Console.WriteLine($"{r.Arch,-14} {r.Beam,4} {r.SentencesPerSecond,12:0.0}");
        var b = rows.Where(r => r.Arch == "bahdanau").ToList();
        Console.WriteLine($"translate: bahdanau greedy/beam5={b[0].SentencesPerSecond / b[1].SentencesPerSecond:0.00}");
        return 0;
    }
}
