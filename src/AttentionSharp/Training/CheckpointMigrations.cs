using System.Text;
using System.Text.RegularExpressions;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Training;

/// <summary>
/// Keeps old checkpoints loading after a refactoring renamed weights. The weights block of a checkpoint is TorchSharp's
/// <c>Module.save</c> stream; when it holds keys that the model being loaded lacks, each such key is tried against the rules
/// below, in order, and renamed where the result is a key the model has. A checkpoint whose keys all fit is read untouched.
/// Every rule names the change that made it; a rule never deletes or invents weights (shapes are checked by the load).
/// </summary>
public static class CheckpointMigrations
{
    /// <summary>A rename: stored keys matching <paramref name="From"/> become <paramref name="To"/> (a <see cref="Regex.Replace(string, string)"/> replacement).</summary>
    /// <param name="From">Pattern of an old key.</param>
    /// <param name="To">Replacement giving the new key.</param>
    /// <param name="Why">The change that renamed it.</param>
    public sealed record Rule(Regex From, string To, string Why);

    /// <summary>The renames, oldest first.</summary>
    public static readonly IReadOnlyList<Rule> Rules =
    [
        // Issue 20: one bidirectional encoder (Sequence/BiRnnEncoder: two one-way RNNs, the backward one reading each
        // sequence reversed within its length) replaced the text classifiers' packed nn.GRU/nn.LSTM(bidirectional) ...
        new(new Regex(@"^(.*\.)?(gru|lstm)\.(weight|bias)_(ih|hh)_l0_reverse$", RegexOptions.CultureInvariant), "$1backward_rnn.$3_$4_l0",
            "text classifiers' BiRecurrentEncoder (packed bidirectional RNN) -> BiRnnEncoder, 2026-12-06"),
        new(new Regex(@"^(.*\.)?(gru|lstm)\.(weight|bias)_(ih|hh)_l0$", RegexOptions.CultureInvariant), "$1forward_rnn.$3_$4_l0",
            "text classifiers' BiRecurrentEncoder (packed bidirectional RNN) -> BiRnnEncoder, 2026-12-06"),
        // ... and the tagger's own pair of LSTMs.
        new(new Regex(@"^forward_lstm\.(.+)$", RegexOptions.CultureInvariant), "encoder.forward_rnn.$1",
            "BiLstmCrfTagger's forward_lstm/backward_lstm -> its BiRnnEncoder, 2026-12-06"),
        new(new Regex(@"^backward_lstm\.(.+)$", RegexOptions.CultureInvariant), "encoder.backward_rnn.$1",
            "BiLstmCrfTagger's forward_lstm/backward_lstm -> its BiRnnEncoder, 2026-12-06"),
    ];

    /// <summary>
    /// The weights stream to load into <paramref name="model"/>: <paramref name="weights"/> itself when every stored key is one
    /// of the model's, otherwise a copy with the old keys renamed by <see cref="Rules"/> (keys no rule maps are kept, so that
    /// the strict load reports them).
    /// </summary>
    public static Stream Apply(MemoryStream weights, nn.Module model)
    {
        var entries = StateDictStream.Read(weights);
        weights.Position = 0;
        var wanted = model.state_dict().Keys.ToHashSet(StringComparer.Ordinal);
        if (entries.All(e => wanted.Contains(e.Key))) return weights;
        var renamed = entries.Select(e => wanted.Contains(e.Key) ? e : e with { Key = Rename(e.Key, wanted) }).ToList();
        return StateDictStream.Write(renamed);
    }

    /// <summary>The first rule's rename of <paramref name="key"/> that <paramref name="wanted"/> holds, else the key itself.</summary>
    public static string Rename(string key, IReadOnlySet<string> wanted)
    {
        foreach (var rule in Rules)
        {
            if (!rule.From.IsMatch(key)) continue;
            var to = rule.From.Replace(key, rule.To);
            if (wanted.Contains(to)) return to;
        }
        return key;
    }
}

/// <summary>
/// Reads and writes TorchSharp's module stream (<c>Module.save</c>) without building tensors: an unsigned LEB128 count,
/// then per entry the key (a <see cref="BinaryWriter"/> string) and the tensor (LEB128 element type, rank and dimensions,
/// then the raw little-endian elements).
/// </summary>
public static class StateDictStream
{
    /// <summary>One stored tensor: its key, element type code (TorchSharp's <see cref="ScalarType"/>), shape and raw bytes.</summary>
    /// <param name="Key">State-dict key.</param>
    /// <param name="Type">Element type.</param>
    /// <param name="Shape">Dimensions.</param>
    /// <param name="Data">Raw elements.</param>
    public sealed record Entry(string Key, ScalarType Type, long[] Shape, byte[] Data);

    /// <summary>Bytes per element of the types a module stream can hold.</summary>
    public static int ElementSize(ScalarType type) => type switch
    {
        ScalarType.Byte or ScalarType.Int8 or ScalarType.Bool => 1,
        ScalarType.Int16 or ScalarType.Float16 or ScalarType.BFloat16 => 2,
        ScalarType.Int32 or ScalarType.Float32 => 4,
        ScalarType.Int64 or ScalarType.Float64 or ScalarType.ComplexFloat32 => 8,
        ScalarType.ComplexFloat64 => 16,
        _ => throw new InvalidDataException($"unknown tensor element type {(int)type} in a weights stream"),
    };

    /// <summary>
    /// Every entry of <paramref name="stream"/> (read from its start to its end; nothing may follow the last entry). Without
    /// <paramref name="data"/> the elements are skipped, not read (<see cref="Entry.Data"/> is empty): keys and shapes only.
    /// </summary>
    public static List<Entry> Read(Stream stream, bool data = true)
    {
        try { return ReadEntries(stream, data); }
        catch (EndOfStreamException e) { throw new InvalidDataException("weights stream: truncated", e); }
    }

    static List<Entry> ReadEntries(Stream stream, bool data)
    {
        stream.Position = 0;
        using var r = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        long count = Leb(r);
        if (count > stream.Length) throw new InvalidDataException($"weights stream declares {count} entries in {stream.Length} bytes");
        var entries = new List<Entry>((int)count);
        for (long i = 0; i < count; i++)
        {
            string key = r.ReadString();
            var type = (ScalarType)Leb(r);
            int elementSize = ElementSize(type);
            long rank = Leb(r);
            if (rank > 64) throw new InvalidDataException($"weights stream: tensor '{key}' has rank {rank}");
            var shape = new long[rank];
            long bytes = elementSize;
            long left = stream.Length - stream.Position;
            for (int d = 0; d < rank; d++)
            {
                shape[d] = Leb(r);
                bytes = shape[d] == 0 ? 0 : bytes <= left / Math.Max(1, shape[d]) ? bytes * shape[d] : long.MaxValue;
            }
            if (bytes > stream.Length - stream.Position)
                throw new InvalidDataException($"weights stream: tensor '{key}' ({string.Join("x", shape)}) runs past the end of the stream");
            if (data) entries.Add(new Entry(key, type, shape, r.ReadBytes((int)bytes)));
            else { stream.Seek(bytes, SeekOrigin.Current); entries.Add(new Entry(key, type, shape, [])); }
        }
        if (stream.Position != stream.Length) throw new InvalidDataException($"weights stream: {stream.Length - stream.Position} bytes after the last entry");
        return entries;
    }

    /// <summary>A new stream holding <paramref name="entries"/> in TorchSharp's format, positioned at its start.</summary>
    public static MemoryStream Write(IEnumerable<Entry> entries)
    {
        var list = entries.ToList();
        var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            Leb(w, list.Count);
            foreach (var e in list)
            {
                w.Write(e.Key);
                Leb(w, (long)e.Type);
                Leb(w, e.Shape.Length);
                foreach (var d in e.Shape) Leb(w, d);
                w.Write(e.Data);
            }
        }
        stream.Position = 0;
        return stream;
    }

    /// <summary>One LEB128 number of a TorchSharp stream; <paramref name="what"/> names the stream in errors.</summary>
    internal static long Leb(BinaryReader r, string what = "weights stream")
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            byte b = r.ReadByte();
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return value > long.MaxValue ? throw new InvalidDataException($"{what}: number out of range") : (long)value;
        }
        throw new InvalidDataException($"{what}: a number longer than 10 bytes");
    }

    static void Leb(BinaryWriter w, long value)
    {
        var v = (ulong)value;
        do
        {
            byte b = (byte)(v & 0x7f);
            v >>= 7;
            w.Write(v != 0 ? (byte)(b | 0x80) : b);
        } while (v != 0);
    }
}
