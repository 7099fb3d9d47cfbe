using System.Buffers.Binary;
using System.IO.Compression;

namespace AttentionSharp.Data;

/// <summary>An IDX array (the MNIST file format): unsigned bytes with their dimensions.</summary>
/// <param name="Dimensions">Sizes, outermost first (e.g. 60000, 28, 28).</param>
/// <param name="Data">The values in row-major order.</param>
public sealed record IdxArray(int[] Dimensions, byte[] Data)
{
    /// <summary>Number of items along the first dimension.</summary>
    public int Count => Dimensions[0];
}

/// <summary>Reads IDX files (raw or gzipped), validating the header and the size against the dimensions.</summary>
public static class IdxReader
{
    /// <summary>Reads an IDX file of unsigned bytes (type 0x08).</summary>
    public static IdxArray Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"IDX file '{path}' does not exist", path);
        using var fs = File.OpenRead(path);
        try { return Read(fs, path); }
        catch (InvalidDataException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>Reads an IDX array from a stream; <paramref name="name"/> is used in error messages.</summary>
    public static IdxArray Read(Stream stream, string name = "stream")
    {
        var buffered = new BufferedStream(stream);
        int b0 = buffered.ReadByte(), b1 = buffered.ReadByte();
        if (b0 < 0 || b1 < 0) throw new InvalidDataException($"{name}: empty file, expected an IDX header");
        Stream body;
        byte[] first2 = [(byte)b0, (byte)b1];
        if (b0 == 0x1f && b1 == 0x8b)
            body = new GZipStream(new ConcatStream(first2, buffered), CompressionMode.Decompress);
        else
            body = new ConcatStream(first2, buffered);
        using var ms = new MemoryStream();
        try { body.CopyTo(ms); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{name}: corrupt gzip data ({e.Message})", e); }
        return Parse(ms.ToArray(), name);
    }

    /// <summary>Parses IDX bytes.</summary>
    public static IdxArray Parse(byte[] bytes, string name = "data")
    {
        if (bytes.Length < 4) throw new InvalidDataException($"{name}: {bytes.Length} bytes is too short for an IDX header");
        if (bytes[0] != 0 || bytes[1] != 0)
            throw new InvalidDataException($"{name}: not an IDX file (magic starts {bytes[0]:x2} {bytes[1]:x2}, expected 00 00)");
        if (bytes[2] != 0x08)
            throw new InvalidDataException($"{name}: IDX element type 0x{bytes[2]:x2} is not supported (expected 0x08, unsigned byte)");
        int nd = bytes[3];
        if (nd < 1 || nd > 8) throw new InvalidDataException($"{name}: IDX rank {nd} is out of range 1..8");
        if (bytes.Length < 4 + 4 * nd) throw new InvalidDataException($"{name}: truncated IDX header");
        var dims = new int[nd];
        long total = 1;
        for (int i = 0; i < nd; i++)
        {
            uint d = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(4 + 4 * i));
            if (d == 0 || d > int.MaxValue) throw new InvalidDataException($"{name}: dimension {i} has size {d}");
            dims[i] = (int)d;
            total *= d;
        }
        long expected = 4 + 4L * nd + total;
        if (bytes.Length != expected)
            throw new InvalidDataException($"{name}: IDX header ({string.Join("x", dims)}) implies {expected} bytes but the file has {bytes.Length}" +
                                           (bytes.Length < expected ? " (truncated)" : " (trailing data)"));
        return new IdxArray(dims, bytes.AsSpan(4 + 4 * nd).ToArray());
    }

    /// <summary>Writes an IDX file of unsigned bytes (used for fixtures and conversions).</summary>
    public static byte[] Encode(int[] dims, byte[] data)
    {
        var bytes = new byte[4 + 4 * dims.Length + data.Length];
        bytes[2] = 0x08; bytes[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4 + 4 * i), (uint)dims[i]);
        data.CopyTo(bytes, 4 + 4 * dims.Length);
        return bytes;
    }

    /// <summary>A read-only stream of a few prefix bytes followed by another stream.</summary>
    sealed class ConcatStream(byte[] prefix, Stream rest) : Stream
    {
        int _pos;
        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_pos < prefix.Length)
            {
                int n = Math.Min(count, prefix.Length - _pos);
                Array.Copy(prefix, _pos, buffer, offset, n);
                _pos += n;
                return n;
            }
            return rest.Read(buffer, offset, count);
        }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
