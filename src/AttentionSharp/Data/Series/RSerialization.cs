using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace AttentionSharp.Data.Series;

/// <summary>An R object read from R's serialization format; <see cref="Attributes"/> holds its attributes in order (names, class, levels, ...).</summary>
public abstract class RObject
{
    /// <summary>Attributes by name, in the order R wrote them.</summary>
    public List<KeyValuePair<string, RObject>> Attributes { get; } = [];

    /// <summary>The attribute <paramref name="name"/>, or null.</summary>
    public RObject? Attribute(string name)
    {
        foreach (var kv in Attributes) if (kv.Key == name) return kv.Value;
        return null;
    }

    /// <summary>The class attribute's strings (empty when none).</summary>
    public IReadOnlyList<string> Classes => Attribute("class") is RStrings s ? s.Values.Select(v => v ?? "").ToArray() : [];

    /// <summary>The names attribute's strings, or null.</summary>
    public string?[]? Names => (Attribute("names") as RStrings)?.Values;
}

/// <summary>R's NULL.</summary>
public sealed class RNull : RObject
{
    /// <summary>The one NULL.</summary>
    public static RNull Value { get; } = new();
}

/// <summary>A symbol (a name).</summary>
public sealed class RSymbol(string name) : RObject
{
    /// <summary>The symbol's text.</summary>
    public string Name { get; } = name;
}

/// <summary>An integer vector; <see cref="NA"/> marks missing values.</summary>
public sealed class RInts(int[] values) : RObject
{
    /// <summary>R's NA_integer_.</summary>
    public const int NA = int.MinValue;
    /// <summary>The values.</summary>
    public int[] Values { get; } = values;
}

/// <summary>A logical vector: 0, 1 or <see cref="RInts.NA"/>.</summary>
public sealed class RLogicals(int[] values) : RObject
{
    /// <summary>The values.</summary>
    public int[] Values { get; } = values;
}

/// <summary>A double vector; NA and NaN are NaN.</summary>
public sealed class RDoubles(double[] values) : RObject
{
    /// <summary>The values.</summary>
    public double[] Values { get; } = values;
}

/// <summary>A character vector; null is NA.</summary>
public sealed class RStrings(string?[] values) : RObject
{
    /// <summary>The values.</summary>
    public string?[] Values { get; } = values;
}

/// <summary>A generic vector (R list, data frame) or expression vector.</summary>
public sealed class RList(RObject[] items) : RObject
{
    /// <summary>The elements.</summary>
    public RObject[] Items { get; } = items;

    /// <summary>The element named <paramref name="name"/>, or null.</summary>
    public RObject? this[string name]
    {
        get
        {
            var names = Names;
            if (names == null) return null;
            int i = Array.IndexOf(names, name);
            return i < 0 ? null : Items[i];
        }
    }
}

/// <summary>A pairlist, call or closure: its cells as (tag, value) pairs.</summary>
public sealed class RPairList(int type, List<KeyValuePair<string?, RObject>> cells) : RObject
{
    /// <summary>The SEXP type (2 pairlist, 6 call, 3 closure, 5 promise, 17 dots).</summary>
    public int Type { get; } = type;
    /// <summary>The cells in order; the tag is null when absent.</summary>
    public List<KeyValuePair<string?, RObject>> Cells { get; } = cells;
}

/// <summary>A raw (byte) vector.</summary>
public sealed class RRaw(byte[] values) : RObject
{
    /// <summary>The bytes.</summary>
    public byte[] Values { get; } = values;
}

/// <summary>An object this reader keeps only as a marker: environments, special values, external pointers, built-ins.</summary>
public sealed class ROpaque(string what) : RObject
{
    /// <summary>What it was, e.g. <c>environment</c>, <c>globalenv</c>.</summary>
    public string What { get; } = what;
}

/// <summary>
/// Reads R's serialization format (<c>serialize</c>, <c>saveRDS</c>, lazy-load databases), XDR (big-endian binary) versions 2 and 3,
/// written from R's documented layout (R Internals, "Serialization formats"): a header <c>X\n</c>, the format version, the
/// writer's and the minimum reader's R versions (and, in version 3, the native encoding), then one item per object: an
/// integer of flags (type in the low byte; bit 8 object, 9 has attributes, 10 has tag; 12.. levels), then its content.
/// Symbols and environments enter a reference table that later items point into (REFSXP). ALTREP objects of the compact
/// sequence and wrapper classes are expanded. Byte code and ASCII/native-binary formats are not supported and get a clear error.
/// </summary>
public sealed class RSerialization
{
    const int NilSxp = 0, SymSxp = 1, ListSxp = 2, CloSxp = 3, EnvSxp = 4, PromSxp = 5, LangSxp = 6, SpecialSxp = 7, BuiltinSxp = 8,
        CharSxp = 9, LglSxp = 10, IntSxp = 13, RealSxp = 14, CplxSxp = 15, StrSxp = 16, DotSxp = 17, VecSxp = 19, ExprSxp = 20,
        BcodeSxp = 21, ExtptrSxp = 22, WeakrefSxp = 23, RawSxp = 24, S4Sxp = 25;
    const int RefSxp = 255, NilValueSxp = 254, GlobalEnvSxp = 253, UnboundValueSxp = 252, MissingArgSxp = 251, BaseNamespaceSxp = 250,
        NamespaceSxp = 249, PackageSxp = 248, PersistSxp = 247, ClassRefSxp = 246, GenericRefSxp = 245, EmptyEnvSxp = 242, BaseEnvSxp = 241,
        AttrLangSxp = 240, AttrListSxp = 239, AltrepSxp = 238;

    readonly byte[] _data;
    int _pos;
    readonly List<RObject> _refs = [];

    RSerialization(byte[] data, int pos) { _data = data; _pos = pos; }

    /// <summary>The format version of the last header read (2 or 3).</summary>
    public int Version { get; private set; }

    /// <summary>Reads one serialized object (starting with its <c>X\n</c> header) from <paramref name="data"/>.</summary>
    public static RObject Read(byte[] data)
    {
        var r = new RSerialization(data, 0);
        r.ReadHeader();
        return r.ReadItem();
    }

    /// <summary>Reads an <c>.rds</c> file (gzip-compressed or plain; bzip2 and xz give a clear error).</summary>
    public static RObject ReadRds(string path) => Read(Decompress(File.ReadAllBytes(path), path));

    /// <summary>Unpacks gzip data; returns plain serialized data as it is.</summary>
    internal static byte[] Decompress(byte[] bytes, string source)
    {
        if (bytes.Length >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b)
        {
            using var gz = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            using var ms = new MemoryStream();
            try { gz.CopyTo(ms); }
            catch (IOException e) { throw new InvalidDataException($"'{source}' is not valid gzip data ({e.Message})", e); }
            return ms.ToArray();
        }
        if (bytes.Length >= 3 && bytes[0] == 'B' && bytes[1] == 'Z' && bytes[2] == 'h')
            throw new InvalidDataException($"'{source}' is bzip2-compressed, which this reader does not support; re-save it with gzip or xz compression");
        if (bytes.Length >= 6 && bytes[0] == 0xFD && bytes[1] == '7' && bytes[2] == 'z')
            throw new InvalidDataException($"'{source}' is an xz file, which this reader does not support; re-save it with gzip compression");
        return bytes;
    }

    void ReadHeader()
    {
        if (_data.Length < 2) throw new InvalidDataException("R serialized data is empty");
        char f = (char)_data[0];
        if (f is 'A' or 'B' || (f != 'X' && _data[1] != '\n'))
            throw new InvalidDataException(f == 'A' ? "R serialized data in ASCII format is not supported (only XDR binary)"
                : f == 'B' ? "R serialized data in native binary format is not supported (only XDR binary)"
                : $"not R serialized data: starts with 0x{_data[0]:x2} 0x{_data[1]:x2}, expected 'X\\n'");
        if (_data[1] != '\n') throw new InvalidDataException("not R serialized data: 'X' is not followed by a newline");
        _pos = 2;
        Version = ReadInt();
        if (Version is not (2 or 3)) throw new InvalidDataException($"R serialization version {Version} is not supported (2 or 3)");
        ReadInt(); // R version that wrote it
        ReadInt(); // minimal R version to read it
        if (Version == 3)
        {
            int n = ReadInt();
            Need(n);
            _pos += n; // native encoding, e.g. UTF-8
        }
    }

    void Need(long n)
    {
        if (n < 0 || _pos + n > _data.Length)
            throw new InvalidDataException($"R serialized data is truncated: needs {n} bytes at offset {_pos} of {_data.Length}");
    }

    int ReadInt()
    {
        Need(4);
        int v = BinaryPrimitives.ReadInt32BigEndian(_data.AsSpan(_pos));
        _pos += 4;
        return v;
    }

    double ReadDouble()
    {
        Need(8);
        double v = BinaryPrimitives.ReadDoubleBigEndian(_data.AsSpan(_pos));
        _pos += 8;
        return v;
    }

    long ReadLength()
    {
        int n = ReadInt();
        if (n >= 0) return n;
        if (n != -1) throw new InvalidDataException($"R serialized data: invalid vector length {n} at offset {_pos - 4}");
        long hi = (uint)ReadInt(), lo = (uint)ReadInt();
        if (hi != 0 || lo > Array.MaxLength) throw new InvalidDataException($"R vector of {hi} * 2^32 + {lo} elements is too long");
        return lo;
    }

    string ReadString(int n)
    {
        Need(n);
        string s = Encoding.UTF8.GetString(_data, _pos, n);
        _pos += n;
        return s;
    }

    string? ReadCharsxp()
    {
        int flags = ReadInt();
        int type = flags & 0xFF;
        if (type == NilValueSxp) return null;
        if (type != CharSxp) throw new InvalidDataException($"R serialized data: expected a string (CHARSXP), found type {type} at offset {_pos - 4}");
        int n = ReadInt();
        if (n == -1) return null;
        // levels bit 2 (64 in the flags' levels) = Latin-1; bytes are kept as UTF-8 otherwise (ASCII and UTF-8 alike).
        int levels = flags >> 12;
        if ((levels & 4) != 0)
        {
            Need(n);
            string s = Encoding.Latin1.GetString(_data, _pos, n);
            _pos += n;
            return s;
        }
        return ReadString(n);
    }

    RStrings ReadStringVecPersist()
    {
        if (ReadInt() != 0) throw new InvalidDataException("R serialized data: names in a persistent string vector must start with 0");
        int n = ReadInt();
        Need(4L * n); // every string takes at least its 4-byte flags: a count the data cannot hold is refused before allocating
        var v = new string?[n];
        for (int i = 0; i < n; i++) v[i] = ReadCharsxp();
        return new RStrings(v);
    }

    void ReadAttributes(RObject target)
    {
        var attr = ReadItem();
        if (attr is RPairList pl)
            foreach (var (tag, value) in pl.Cells) target.Attributes.Add(new(tag ?? "", value));
    }

    /// <summary>Objects nested deeper than this are refused (data objects nest a few levels; a deep chain would exhaust the stack).</summary>
    public const int MaxDepth = 2000;
    /// <summary>Longest compact sequence (R's ALTREP <c>1:n</c>) expanded; R's data sets stay far below it.</summary>
    public const int MaxCompactLength = 10_000_000;
    int _depth;

    static int CompactLength(double n) =>
        n is >= 0 and <= MaxCompactLength && n == Math.Floor(n)
            ? (int)n
            : throw new InvalidDataException($"R serialized data: a compact sequence of length {n} (this reader expands at most {MaxCompactLength:N0})");

    RObject ReadItem()
    {
        if (_depth >= MaxDepth) throw new InvalidDataException($"R serialized data nests objects deeper than {MaxDepth} levels at offset {_pos}");
        _depth++;
        try { return ReadItemAt(); }
        finally { _depth--; }
    }

    RObject ReadItemAt()
    {
        int flags = ReadInt();
        int type = flags & 0xFF;
        bool hasAttr = (flags & (1 << 9)) != 0, hasTag = (flags & (1 << 10)) != 0;
        switch (type)
        {
            case NilValueSxp: return RNull.Value;
            case EmptyEnvSxp: return new ROpaque("emptyenv");
            case BaseEnvSxp: return new ROpaque("baseenv");
            case GlobalEnvSxp: return new ROpaque("globalenv");
            case UnboundValueSxp: return new ROpaque("unbound");
            case MissingArgSxp: return new ROpaque("missingarg");
            case BaseNamespaceSxp: return new ROpaque("basenamespace");
            case RefSxp:
            {
                int index = flags >> 8;
                if (index == 0) index = ReadInt();
                if (index < 1 || index > _refs.Count)
                    throw new InvalidDataException($"R serialized data: reference {index} points past the {_refs.Count} objects read so far");
                return _refs[index - 1];
            }
            case PersistSxp:
            {
                var names = ReadStringVecPersist();
                var o = new ROpaque("persistent:" + string.Join(",", names.Values));
                _refs.Add(o);
                return o;
            }
            case SymSxp:
            {
                var s = new RSymbol(ReadCharsxp() ?? "NA");
                _refs.Add(s);
                return s;
            }
            case PackageSxp or NamespaceSxp:
            {
                var names = ReadStringVecPersist();
                var o = new ROpaque((type == PackageSxp ? "package:" : "namespace:") + string.Join(",", names.Values));
                _refs.Add(o);
                return o;
            }
            case EnvSxp:
            {
                ReadInt(); // locked
                var env = new ROpaque("environment");
                _refs.Add(env);
                ReadItem(); // enclosure
                ReadItem(); // frame
                ReadItem(); // hash table
                ReadAttributes(env);
                return env;
            }
            case ListSxp or LangSxp or CloSxp or PromSxp or DotSxp:
                return ReadPairList(type, hasAttr, hasTag);
            case ExtptrSxp:
            {
                var o = new ROpaque("externalptr");
                _refs.Add(o);
                ReadItem(); // protected value
                ReadItem(); // tag
                if (hasAttr) ReadAttributes(o);
                return o;
            }
            case WeakrefSxp:
            {
                var o = new ROpaque("weakref");
                _refs.Add(o);
                if (hasAttr) ReadAttributes(o);
                return o;
            }
            case SpecialSxp or BuiltinSxp:
            {
                int n = ReadInt();
                return new ROpaque("builtin:" + ReadString(n));
            }
            case AltrepSxp:
                return ReadAltrep();
            case BcodeSxp or AttrLangSxp or AttrListSxp:
                throw new InvalidDataException("R serialized data holds byte code, which this reader does not support (data objects never do)");
            case ClassRefSxp or GenericRefSxp:
                throw new InvalidDataException($"R serialized data: type {type} cannot occur in a stream");
        }
        RObject obj;
        switch (type)
        {
            case NilSxp: obj = new RList([]); break;
            case CharSxp:
            {
                int n = ReadInt();
                obj = new RStrings([n == -1 ? null : ReadString(n)]);
                break;
            }
            case LglSxp or IntSxp:
            {
                long n = ReadLength();
                Need(4 * n);
                var v = new int[n];
                for (long i = 0; i < n; i++) v[i] = ReadInt();
                obj = type == IntSxp ? new RInts(v) : new RLogicals(v);
                break;
            }
            case RealSxp:
            {
                long n = ReadLength();
                Need(8 * n);
                var v = new double[n];
                for (long i = 0; i < n; i++) v[i] = ReadDouble();
                obj = new RDoubles(v);
                break;
            }
            case CplxSxp:
            {
                long n = ReadLength();
                Need(16 * n);
                var v = new double[2 * n];
                for (long i = 0; i < 2 * n; i++) v[i] = ReadDouble();
                obj = new RDoubles(v); // re, im interleaved
                break;
            }
            case StrSxp:
            {
                long n = ReadLength();
                Need(4 * n);
                var v = new string?[n];
                for (long i = 0; i < n; i++) v[i] = ReadCharsxp();
                obj = new RStrings(v);
                break;
            }
            case VecSxp or ExprSxp:
            {
                long n = ReadLength();
                Need(4 * n);
                var v = new RObject[n];
                for (long i = 0; i < n; i++) v[i] = ReadItem();
                obj = new RList(v);
                break;
            }
            case RawSxp:
            {
                long n = ReadLength();
                Need(n);
                obj = new RRaw(_data.AsSpan(_pos, (int)n).ToArray());
                _pos += (int)n;
                break;
            }
            case S4Sxp: obj = new ROpaque("S4"); break;
            default: throw new InvalidDataException($"R serialized data: unknown type {type} at offset {_pos - 4}");
        }
        if (hasAttr) ReadAttributes(obj);
        return obj;
    }

    RObject ReadPairList(int type, bool hasAttr, bool hasTag)
    {
        var cells = new List<KeyValuePair<string?, RObject>>();
        var list = new RPairList(type, cells);
        // A pairlist is written cell by cell: attributes, tag, value (CAR), then the rest (CDR) as the next item; read the chain as a loop.
        while (true)
        {
            if (hasAttr) ReadAttributes(list);
            string? tag = null;
            if (hasTag)
            {
                var t = ReadItem();
                tag = t is RSymbol s ? s.Name : null;
            }
            cells.Add(new(tag, ReadItem()));
            int flags = ReadInt();
            int next = flags & 0xFF;
            if (next == NilValueSxp) return list;
            if (next != type)
            {
                _pos -= 4; // a differently typed tail: read it as a value cell
                cells.Add(new(null, ReadItem()));
                return list;
            }
            hasAttr = (flags & (1 << 9)) != 0;
            hasTag = (flags & (1 << 10)) != 0;
        }
    }

    RObject ReadAltrep()
    {
        var info = ReadItem() as RPairList;
        var state = ReadItem();
        var attr = ReadItem();
        string cls = info?.Cells.Count > 0 && info.Cells[0].Value is RSymbol sym ? sym.Name : "?";
        RObject obj;
        switch (cls)
        {
            case "compact_intseq" when state is RDoubles d && d.Values.Length == 3:
            {
                int n = CompactLength(d.Values[0]), first = (int)d.Values[1], step = (int)d.Values[2];
                var v = new int[n];
                for (int i = 0; i < n; i++) v[i] = first + i * step;
                obj = new RInts(v);
                break;
            }
            case "compact_realseq" when state is RDoubles d && d.Values.Length == 3:
            {
                int n = CompactLength(d.Values[0]);
                var v = new double[n];
                for (int i = 0; i < n; i++) v[i] = d.Values[1] + i * d.Values[2];
                obj = new RDoubles(v);
                break;
            }
            case "wrap_integer" or "wrap_real" or "wrap_logical" or "wrap_string" or "wrap_raw" or "wrap_complex" or "wrap_list"
                when state is RList or RPairList:
                obj = state is RList l ? l.Items[0] : ((RPairList)state).Cells[0].Value;
                break;
            case "deferred_string" when state is RPairList p && p.Cells.Count >= 1:
                obj = p.Cells[0].Value switch
                {
                    RInts i => new RStrings(i.Values.Select(x => x == RInts.NA ? null : x.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray()),
                    RDoubles d => new RStrings(d.Values.Select(x => double.IsNaN(x) ? null : x.ToString("R", System.Globalization.CultureInfo.InvariantCulture)).ToArray()),
                    var other => throw new InvalidDataException($"R serialized data: deferred string over a {other.GetType().Name}"),
                };
                break;
            default:
                throw new InvalidDataException($"R serialized data: ALTREP class '{cls}' is not supported");
        }
        if (attr is RPairList a)
            foreach (var (tag, value) in a.Cells) obj.Attributes.Add(new(tag ?? "", value));
        return obj;
    }
}
