using System.Buffers.Binary;
using System.IO.Compression;

namespace AttentionSharp.Data.Series;

/// <summary>
/// An R lazy-load database, the form installed R packages keep their data sets in (<c>data/Rdata.rdb</c> + <c>Rdata.rdx</c>).
/// The <c>.rdx</c> is a serialized list (gzip-compressed) with <c>variables</c> (name -> integer pair offset, length into
/// the <c>.rdb</c>), <c>references</c> and <c>compressed</c>. Each object in the <c>.rdb</c> is a 4-byte big-endian length
/// of the uncompressed data followed by the compressed serialized object: with <c>compressed</c> TRUE/1 a zlib stream;
/// with 2 or 3 a type byte first: <c>'Z'</c> raw LZMA2 (xz), <c>'2'</c> bzip2 (not supported), <c>'1'</c> zlib, <c>'0'</c> stored.
/// </summary>
public sealed class RLazyLoadDb
{
    readonly string _rdb;
    readonly Dictionary<string, (long Offset, int Length)> _variables;
    readonly int _compression;

    RLazyLoadDb(string rdb, Dictionary<string, (long, int)> variables, int compression)
    {
        _rdb = rdb;
        _variables = variables;
        _compression = compression;
    }

    /// <summary>The names of the objects in the database.</summary>
    public IReadOnlyCollection<string> Names => _variables.Keys;

    /// <summary>Opens the database <paramref name="basePath"/> (<c>.rdb</c> and <c>.rdx</c> beside it; an extension given is dropped).</summary>
    public static RLazyLoadDb Open(string basePath)
    {
        string stem = basePath.EndsWith(".rdb", StringComparison.Ordinal) || basePath.EndsWith(".rdx", StringComparison.Ordinal) ? basePath[..^4] : basePath;
        string rdb = stem + ".rdb", rdx = stem + ".rdx";
        if (!File.Exists(rdb)) throw new FileNotFoundException($"R lazy-load database '{rdb}' does not exist", rdb);
        if (!File.Exists(rdx)) throw new FileNotFoundException($"R lazy-load index '{rdx}' does not exist", rdx);
        var index = RSerialization.Read(RSerialization.Decompress(File.ReadAllBytes(rdx), rdx)) as RList
                    ?? throw new InvalidDataException($"'{rdx}' is not an R lazy-load index (not a list)");
        var vars = index["variables"] as RList ?? throw new InvalidDataException($"'{rdx}' has no 'variables' list");
        var names = vars.Names ?? throw new InvalidDataException($"'{rdx}': 'variables' has no names");
        var map = new Dictionary<string, (long, int)>();
        for (int i = 0; i < vars.Items.Length; i++)
        {
            var pos = vars.Items[i] switch
            {
                RInts x when x.Values.Length == 2 => ((long)x.Values[0], x.Values[1]),
                RDoubles x when x.Values.Length == 2 => ((long)x.Values[0], (int)x.Values[1]),
                _ => throw new InvalidDataException($"'{rdx}': the entry of '{names[i]}' is not an (offset, length) pair"),
            };
            map[names[i] ?? ""] = pos;
        }
        int compression = index["compressed"] switch
        {
            null => 1,
            RLogicals l when l.Values.Length == 1 => l.Values[0] == 0 ? 0 : 1,
            RInts n when n.Values.Length == 1 => n.Values[0],
            RDoubles d when d.Values.Length == 1 => (int)d.Values[0],
            _ => throw new InvalidDataException($"'{rdx}': 'compressed' is not a single value"),
        };
        return new RLazyLoadDb(rdb, map, compression);
    }

    /// <summary>Reads the object <paramref name="name"/>; throws naming the known objects when there is none.</summary>
    public RObject Read(string name)
    {
        if (!_variables.TryGetValue(name, out var at))
            throw new KeyNotFoundException($"'{_rdb}' holds no object '{name}'; it holds {string.Join(", ", _variables.Keys.Order())}");
        byte[] bytes;
        using (var fs = File.OpenRead(_rdb))
        {
            if (at.Offset < 0 || at.Length < 0 || at.Offset + at.Length > fs.Length)
                throw new InvalidDataException($"the index places '{name}' at bytes {at.Offset}..{at.Offset + at.Length} of '{_rdb}', which has {fs.Length} bytes");
            bytes = new byte[at.Length];
            fs.Seek(at.Offset, SeekOrigin.Begin);
            fs.ReadExactly(bytes);
        }
        return RSerialization.Read(Unpack(bytes, _compression, $"'{name}' in '{_rdb}'"));
    }

    /// <summary>Decompresses one stored object (length prefix, then the compressed bytes as <paramref name="compression"/> says).</summary>
    public static byte[] Unpack(byte[] stored, int compression, string what)
    {
        if (compression == 0) return stored;
        if (stored.Length < 5) throw new InvalidDataException($"{what} is truncated ({stored.Length} bytes)");
        int length = BinaryPrimitives.ReadInt32BigEndian(stored);
        if (length < 0) throw new InvalidDataException($"{what} announces a negative length");
        if (compression == 1) return Inflate(stored, 4, length, what);
        char type = (char)stored[4];
        return type switch
        {
            'Z' => Lzma2Decoder.Decode(stored, 5, length),
            '1' => Inflate(stored, 5, length, what),
            '0' => stored.AsSpan(5, length).ToArray(),
            '2' => throw new InvalidDataException($"{what} is bzip2-compressed, which this reader does not support"),
            _ => throw new InvalidDataException($"{what} has unknown compression type '{type}'"),
        };
    }

    static byte[] Inflate(byte[] stored, int offset, int length, string what)
    {
        // The announced length is only believed as far as the data goes: the output grows with what inflates.
        using var z = new ZLibStream(new MemoryStream(stored, offset, stored.Length - offset), CompressionMode.Decompress);
        using var output = new MemoryStream();
        var buffer = new byte[1 << 16];
        try
        {
            while (output.Length < length)
            {
                int n = z.Read(buffer, 0, (int)Math.Min(buffer.Length, length - output.Length));
                if (n == 0) break;
                output.Write(buffer, 0, n);
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException) // IOException: ZLibException
        {
            throw new InvalidDataException($"{what} is not valid zlib data ({e.Message})", e);
        }
        if (output.Length < length) throw new InvalidDataException($"{what} inflates to {output.Length} bytes, fewer than the {length} announced");
        return output.ToArray();
    }

    /// <summary>The lazy-load database's files as the cache keeps them (the index gunzipped on the way in, as every route stores files).</summary>
    public const string RdbFile = "Rdata.rdb", RdxFile = "Rdata.rdx";

    /// <summary>
    /// The data of an R package that Debian ships (<c>apt-get download PACKAGE</c>; the files are <c>FOLDER/Rdata.rdb</c> and
    /// <c>.rdx</c>), checked by size and MD5, the index also by listing <paramref name="requiredObject"/>.
    /// </summary>
    public static DatasetSource PackageSource(string name, string description, string debianPackage, string folder,
        (long Size, string Md5) rdb, (long Size, string Md5) rdx, string requiredObject) => new(name, description,
        [new DataFile(RdbFile, rdb.Size, rdb.Md5), new DataFile(RdxFile, rdx.Size, rdx.Md5, path =>
        {
            var db = Open(Path.Combine(Path.GetDirectoryName(path)!, "Rdata"));
            if (!db.Names.Contains(requiredObject)) throw new InvalidDataException($"'{path}' lists no object '{requiredObject}'");
        })],
        [new DebianRoute(debianPackage, n => folder + "/" + n)]);
}
