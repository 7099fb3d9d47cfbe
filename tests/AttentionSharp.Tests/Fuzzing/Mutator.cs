using System.Buffers.Binary;
using System.Text;

namespace AttentionSharp.Tests.Fuzzing;

/// <summary>
/// A seeded mutation generator for reader inputs: truncations, bit flips, interesting bytes, huge or negative length
/// fields (both byte orders, 4 and 8 bytes), deleted/duplicated/inserted ranges, invalid UTF-8, huge or odd numbers in
/// text and pathologically long runs of one character. The same seed gives the same inputs.
/// </summary>
sealed class Mutator(int seed)
{
    readonly Random _rng = new(seed);

    static readonly byte[] InterestingBytes = [0x00, 0x01, 0x7F, 0x80, 0xFF, (byte)'"', (byte)'\n', (byte)'\t', (byte)',', (byte)'{'];
    static readonly long[] InterestingInts = [-1, 0, 1, int.MaxValue, int.MinValue, 0x10000000, 65536, 0x7FFFFFFFFFFFL, long.MaxValue, long.MinValue];
    static readonly byte[][] BadUtf8 = [[0xC0, 0x80], [0xFF], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0xF4, 0x90, 0x80, 0x80], [0xEF, 0xBB, 0xBF]];
    static readonly string[] OddNumbers = ["99999999999999999999999", "-1", "-2147483649", "1e309", "NaN", "-0", "0x10", "", "1,5", "2147483648", "-inf"];
    static readonly char[] RunChars = ['a', '"', '[', '{', '\t', '\n', ' ', '\\', '0', ','];

    /// <summary>Names of the mutations, in the order <see cref="Mutate"/> draws them (for the report).</summary>
    public static readonly string[] Kinds =
        ["truncate", "bitflip", "byte", "int", "delete", "duplicate", "insert", "utf8", "number", "run", "splice", "empty"];

    /// <summary>One mutant of <paramref name="seedInput"/> (1-3 mutations in a row, occasionally spliced with <paramref name="other"/>).</summary>
    public (byte[] Bytes, string What) Mutate(byte[] seedInput, byte[] other)
    {
        var b = new List<byte>(seedInput);
        var what = new List<string>();
        int n = 1 + _rng.Next(3);
        for (int i = 0; i < n; i++)
        {
            int kind = _rng.Next(Kinds.Length);
            // empty input is rare: one in ~200
            if (kind == Kinds.Length - 1 && _rng.Next(16) != 0) kind = 0;
            what.Add(Apply(b, kind, other));
        }
        return ([.. b], string.Join("+", what));
    }

    int Pos(List<byte> b, bool inclusiveEnd = false) => b.Count == 0 ? 0 : _rng.Next(b.Count + (inclusiveEnd ? 1 : 0));

    string Apply(List<byte> b, int kind, byte[] other)
    {
        switch (Kinds[kind])
        {
            case "truncate":
            {
                int at = Pos(b, true);
                // prefer cuts near the end and inside headers
                if (_rng.Next(3) == 0) at = Math.Min(b.Count, _rng.Next(64));
                b.RemoveRange(at, b.Count - at);
                return $"truncate@{at}";
            }
            case "bitflip":
            {
                if (b.Count == 0) return "bitflip(none)";
                int flips = 1 + _rng.Next(8), at = 0;
                for (int i = 0; i < flips; i++) { at = Pos(b); b[at] ^= (byte)(1 << _rng.Next(8)); }
                return $"bitflip x{flips}";
            }
            case "byte":
            {
                if (b.Count == 0) return "byte(none)";
                int at = Pos(b);
                b[at] = InterestingBytes[_rng.Next(InterestingBytes.Length)];
                return $"byte@{at}={b[at]:X2}";
            }
            case "int":
            {
                int width = _rng.Next(2) == 0 ? 4 : 8;
                if (b.Count < width) return "int(none)";
                int at = _rng.Next(b.Count - width + 1);
                if (_rng.Next(2) == 0) at &= ~(width - 1);
                long v = InterestingInts[_rng.Next(InterestingInts.Length)];
                bool big = _rng.Next(2) == 0;
                var s = new byte[8];
                if (big) BinaryPrimitives.WriteInt64BigEndian(s, v); else BinaryPrimitives.WriteInt64LittleEndian(s, v);
                var span = width == 8 ? s : big ? s[4..] : s[..4];
                for (int i = 0; i < width; i++) b[at + i] = span[i];
                return $"int{width * 8}{(big ? "be" : "le")}@{at}={v}";
            }
            case "delete":
            {
                if (b.Count == 0) return "delete(none)";
                int at = Pos(b), len = 1 + _rng.Next(Math.Min(64, b.Count - at));
                b.RemoveRange(at, len);
                return $"delete@{at}x{len}";
            }
            case "duplicate":
            {
                if (b.Count == 0) return "duplicate(none)";
                int at = Pos(b), len = 1 + _rng.Next(Math.Min(256, b.Count - at));
                int times = _rng.Next(4) == 0 ? 50 : 1;
                var chunk = b.GetRange(at, len);
                for (int t = 0; t < times; t++) b.InsertRange(at, chunk);
                return $"duplicate@{at}x{len}x{times}";
            }
            case "insert":
            {
                int at = Pos(b, true), len = 1 + _rng.Next(16);
                var r = new byte[len];
                _rng.NextBytes(r);
                b.InsertRange(at, r);
                return $"insert@{at}x{len}";
            }
            case "utf8":
            {
                int at = Pos(b, true);
                var bad = BadUtf8[_rng.Next(BadUtf8.Length)];
                b.InsertRange(at, bad);
                return $"utf8@{at}";
            }
            case "number":
            {
                // replace a run of ASCII digits (or any position when there is none) by an odd number
                var starts = new List<int>();
                for (int i = 0; i < b.Count; i++)
                    if (b[i] is >= (byte)'0' and <= (byte)'9' && (i == 0 || b[i - 1] is < (byte)'0' or > (byte)'9')) starts.Add(i);
                string num = OddNumbers[_rng.Next(OddNumbers.Length)];
                int at = starts.Count > 0 ? starts[_rng.Next(starts.Count)] : Pos(b, true), end = at;
                while (end < b.Count && b[end] is >= (byte)'0' and <= (byte)'9' or (byte)'.') end++;
                b.RemoveRange(at, end - at);
                b.InsertRange(at, Encoding.ASCII.GetBytes(num));
                return $"number@{at}={num}";
            }
            case "run":
            {
                int at = Pos(b, true), len = _rng.Next(2) == 0 ? 1000 + _rng.Next(10_000) : 100_000 + _rng.Next(200_000);
                char c = RunChars[_rng.Next(RunChars.Length)];
                b.InsertRange(at, Enumerable.Repeat((byte)c, len));
                return $"run@{at}x{len}'{(c == '\n' ? "\\n" : c == '\t' ? "\\t" : c.ToString())}'";
            }
            case "splice":
            {
                if (other.Length == 0) return "splice(none)";
                int at = Pos(b, true), from = _rng.Next(other.Length), len = 1 + _rng.Next(Math.Min(512, other.Length - from));
                b.RemoveRange(at, Math.Min(len, b.Count - at));
                b.InsertRange(at, other.AsSpan(from, len).ToArray());
                return $"splice@{at}x{len}";
            }
            default:
                b.Clear();
                return "empty";
        }
    }
}
