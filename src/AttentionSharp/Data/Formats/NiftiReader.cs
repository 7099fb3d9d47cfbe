using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace AttentionSharp.Data;

/// <summary>A NIfTI-1 volume: its size, voxel spacing and voxel values (scaled by <c>scl_slope</c>/<c>scl_inter</c>), x fastest.</summary>
/// <param name="Dims">Voxels along x, y, z (1 for a missing axis).</param>
/// <param name="Spacing">Voxel size along x, y, z (<c>pixdim[1..3]</c>).</param>
/// <param name="DataType">The NIfTI datatype code of the stored values.</param>
/// <param name="Values">Voxel values, index <c>x + X * (y + Y * z)</c>.</param>
public sealed record NiftiVolume(int[] Dims, float[] Spacing, short DataType, float[] Values)
{
    /// <summary>The value at voxel (x, y, z).</summary>
    public float At(int x, int y, int z) => Values[x + Dims[0] * (y + Dims[1] * z)];
}

/// <summary>
/// Reads single-file NIfTI-1 volumes (<c>.nii</c>, optionally gzipped; magic <c>n+1</c>): byte order from
/// <c>sizeof_hdr</c> = 348, datatypes uint8, int8, int16, uint16, int32, float32 and float64, data at
/// <c>vox_offset</c>, values scaled by <c>scl_slope</c> and <c>scl_inter</c> when the slope is not 0. Only the first
/// three dimensions are read (a fourth of size 1 is accepted). Every inconsistency is an
/// <see cref="InvalidDataException"/> naming the file and what was expected.
/// </summary>
public static class NiftiReader
{
    /// <summary>Size of the NIfTI-1 header.</summary>
    public const int HeaderSize = 348;

    /// <summary>Reads the volume in <paramref name="path"/>.</summary>
    public static NiftiVolume Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"NIfTI file '{path}' does not exist", path);
        return Parse(File.ReadAllBytes(path), path);
    }

    /// <summary>Parses a NIfTI-1 file's bytes (gzipped or not); <paramref name="name"/> names it in messages.</summary>
    public static NiftiVolume Parse(byte[] bytes, string name)
    {
        if (bytes.Length >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b)
        {
            try
            {
                using var gz = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
                using var plain = new MemoryStream();
                gz.CopyTo(plain);
                bytes = plain.ToArray();
            }
            catch (InvalidDataException e) { throw new InvalidDataException($"{name}: corrupt gzip data ({e.Message})"); }
        }
        if (bytes.Length < HeaderSize + 4) throw new InvalidDataException($"{name}: {bytes.Length} bytes is too short for a NIfTI-1 header ({HeaderSize} bytes)");
        bool little = BinaryPrimitives.ReadInt32LittleEndian(bytes) == HeaderSize;
        bool big = BinaryPrimitives.ReadInt32BigEndian(bytes) == HeaderSize;
        if (!little && !big) throw new InvalidDataException($"{name}: sizeof_hdr is not {HeaderSize} in either byte order: not a NIfTI-1 file");
        string magic = Encoding.ASCII.GetString(bytes, 344, 4);
        if (magic != "n+1\0")
            throw new InvalidDataException($"{name}: magic is '{magic.TrimEnd('\0')}', expected 'n+1' (a single-file NIfTI-1; 'ni1' header/image pairs are not supported)");
        short I16(int at) => little ? BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(at)) : BinaryPrimitives.ReadInt16BigEndian(bytes.AsSpan(at));
        float F32(int at) => little ? BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(at)) : BinaryPrimitives.ReadSingleBigEndian(bytes.AsSpan(at));

        int rank = I16(40);
        if (rank < 1 || rank > 7) throw new InvalidDataException($"{name}: dim[0] = {rank}, expected 1..7");
        var dims = new int[3];
        for (int d = 0; d < 3; d++) dims[d] = d < rank ? I16(42 + 2 * d) : 1;
        for (int d = 3; d < rank; d++)
            if (I16(42 + 2 * d) > 1) throw new InvalidDataException($"{name}: dimension {d + 1} has size {I16(42 + 2 * d)}; only 3-D volumes are supported");
        if (dims.Any(v => v < 1)) throw new InvalidDataException($"{name}: dimensions ({string.Join(", ", dims)}) must be positive");
        short type = I16(70);
        int size = type switch { 2 or 256 => 1, 4 or 512 => 2, 8 or 16 => 4, 64 => 8, _ => 0 };
        if (size == 0) throw new InvalidDataException($"{name}: datatype {type} is not supported (uint8 2, int8 256, int16 4, uint16 512, int32 8, float32 16, float64 64)");
        float offsetF = F32(108);
        long offset = (long)offsetF;
        if (offset < HeaderSize || offset != offsetF) throw new InvalidDataException($"{name}: vox_offset {offsetF} must be a whole number of at least {HeaderSize}");
        long count = (long)dims[0] * dims[1] * dims[2];
        if (offset + count * size > bytes.Length)
            throw new InvalidDataException($"{name}: {dims[0]}x{dims[1]}x{dims[2]} voxels of {size} bytes from offset {offset} need {offset + count * size} bytes; the file has {bytes.Length} (truncated?)");
        float slope = F32(112), inter = F32(116);
        var spacing = new[] { F32(80), F32(84), F32(88) };
        var values = new float[count];
        var data = bytes.AsSpan((int)offset);
        for (long i = 0; i < count; i++)
        {
            var at = data.Slice((int)(i * size), size);
            double v = type switch
            {
                2 => at[0],
                256 => (sbyte)at[0],
                4 => little ? BinaryPrimitives.ReadInt16LittleEndian(at) : BinaryPrimitives.ReadInt16BigEndian(at),
                512 => little ? BinaryPrimitives.ReadUInt16LittleEndian(at) : BinaryPrimitives.ReadUInt16BigEndian(at),
                8 => little ? BinaryPrimitives.ReadInt32LittleEndian(at) : BinaryPrimitives.ReadInt32BigEndian(at),
                16 => little ? BinaryPrimitives.ReadSingleLittleEndian(at) : BinaryPrimitives.ReadSingleBigEndian(at),
                _ => little ? BinaryPrimitives.ReadDoubleLittleEndian(at) : BinaryPrimitives.ReadDoubleBigEndian(at),
            };
            values[i] = (float)(slope != 0 && float.IsFinite(slope) ? v * slope + inter : v);
        }
        return new NiftiVolume(dims, spacing, type, values);
    }

    /// <summary>Encodes a volume as NIfTI-1 bytes (for tests and fixtures): the given datatype, byte order, slope and intercept.</summary>
    public static byte[] Encode(int[] dims, double[] stored, short dataType, bool littleEndian = true, float slope = 0, float inter = 0)
    {
        int size = dataType switch { 2 or 256 => 1, 4 or 512 => 2, 8 or 16 => 4, 64 => 8, _ => throw new ArgumentException($"datatype {dataType} is not supported") };
        if (dims.Length != 3 || stored.Length != dims[0] * dims[1] * dims[2]) throw new ArgumentException("need 3 dimensions and one value per voxel");
        var bytes = new byte[352 + stored.Length * size];
        void I32(int at, int v) { if (littleEndian) BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at), v); else BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(at), v); }
        void I16(int at, short v) { if (littleEndian) BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(at), v); else BinaryPrimitives.WriteInt16BigEndian(bytes.AsSpan(at), v); }
        void F32(int at, float v) { if (littleEndian) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(at), v); else BinaryPrimitives.WriteSingleBigEndian(bytes.AsSpan(at), v); }
        I32(0, HeaderSize);
        I16(40, 3);
        for (int d = 0; d < 3; d++) I16(42 + 2 * d, (short)dims[d]);
        for (int d = 3; d < 8; d++) I16(42 + 2 * d, 1);
        I16(70, dataType); I16(72, (short)(8 * size));
        for (int d = 0; d < 4; d++) F32(76 + 4 * d, 1);
        F32(108, 352); F32(112, slope); F32(116, inter);
        Encoding.ASCII.GetBytes("n+1\0").CopyTo(bytes, 344);
        for (int i = 0; i < stored.Length; i++)
        {
            var at = bytes.AsSpan(352 + i * size, size);
            double v = stored[i];
            switch (dataType)
            {
                case 2: at[0] = (byte)v; break;
                case 256: at[0] = (byte)(sbyte)v; break;
                case 4: if (littleEndian) BinaryPrimitives.WriteInt16LittleEndian(at, (short)v); else BinaryPrimitives.WriteInt16BigEndian(at, (short)v); break;
                case 512: if (littleEndian) BinaryPrimitives.WriteUInt16LittleEndian(at, (ushort)v); else BinaryPrimitives.WriteUInt16BigEndian(at, (ushort)v); break;
                case 8: if (littleEndian) BinaryPrimitives.WriteInt32LittleEndian(at, (int)v); else BinaryPrimitives.WriteInt32BigEndian(at, (int)v); break;
                case 16: if (littleEndian) BinaryPrimitives.WriteSingleLittleEndian(at, (float)v); else BinaryPrimitives.WriteSingleBigEndian(at, (float)v); break;
                default: if (littleEndian) BinaryPrimitives.WriteDoubleLittleEndian(at, v); else BinaryPrimitives.WriteDoubleBigEndian(at, v); break;
            }
        }
        return bytes;
    }
}
