using System.IO.Compression;
using AttentionSharp.Data;

namespace AttentionSharp.Tests.Data;

public class NiftiAndBrainTests
{
    static byte[] Gzip(byte[] plain)
    {
        using var o = new MemoryStream();
        using (var gz = new GZipStream(o, CompressionLevel.Fastest)) gz.Write(plain);
        return o.ToArray();
    }

    [Theory]
    [InlineData((short)2, true)]
    [InlineData((short)4, false)]
    [InlineData((short)512, true)]
    [InlineData((short)8, false)]
    [InlineData((short)16, true)]
    [InlineData((short)64, false)]
    [InlineData((short)256, true)]
    public void ReadsEveryDatatypeInBothByteOrdersGzippedOrNot(short type, bool little)
    {
        int[] dims = [3, 2, 2];
        double[] values = type == 256 ? [-3, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9] : [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100];
        var bytes = NiftiReader.Encode(dims, values, type, little);
        foreach (var file in new[] { bytes, Gzip(bytes) })
        {
            var v = NiftiReader.Parse(file, "fixture.nii");
            Assert.Equal(dims, v.Dims);
            Assert.Equal(type, v.DataType);
            Assert.Equal(values.Select(x => (float)x), v.Values);
            Assert.Equal(100f == values[^1] ? 100f : 9f, v.At(2, 1, 1));    // x fastest: index 2 + 3 * (1 + 2 * 1) = 11
        }
    }

    [Fact]
    public void AppliesSlopeAndInterceptOnlyWhenTheSlopeIsNotZero()
    {
        var scaled = NiftiReader.Parse(NiftiReader.Encode([2, 1, 1], [10, 20], 4, slope: 0.5f, inter: -1), "s.nii");
        Assert.Equal(new[] { 4f, 9f }, scaled.Values);
        var raw = NiftiReader.Parse(NiftiReader.Encode([2, 1, 1], [10, 20], 4, slope: 0, inter: -1), "r.nii");
        Assert.Equal(new[] { 10f, 20f }, raw.Values);
    }

    [Fact]
    public void BadFilesAreRejectedNamingTheProblem()
    {
        var good = NiftiReader.Encode([2, 2, 2], new double[8], 2);
        Assert.Contains("too short", Assert.Throws<InvalidDataException>(() => NiftiReader.Parse(good[..100], "a.nii")).Message);
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => NiftiReader.Parse(good[..355], "a.nii")).Message);
        var badMagic = (byte[])good.Clone();
        badMagic[345] = (byte)'i';
        Assert.Contains("expected 'n+1'", Assert.Throws<InvalidDataException>(() => NiftiReader.Parse(badMagic, "a.nii")).Message);
        var badSize = (byte[])good.Clone();
        badSize[0] = 7;
        Assert.Contains("sizeof_hdr", Assert.Throws<InvalidDataException>(() => NiftiReader.Parse(badSize, "a.nii")).Message);
        var badType = (byte[])good.Clone();
        badType[70] = 128;   // RGB24
        Assert.Contains("datatype 128 is not supported", Assert.Throws<InvalidDataException>(() => NiftiReader.Parse(badType, "a.nii")).Message);
        // A gzip header followed by a deflate block of the reserved type 3: corrupt compressed data.
        byte[] badGzip = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, .. Enumerable.Repeat((byte)0xFF, 20)];
        Assert.Contains("corrupt gzip", Assert.Throws<InvalidDataException>(() => NiftiReader.Parse(badGzip, "a.nii.gz")).Message);
        // A cut-off gzip stream decompresses to a cut-off file, which is reported as such.
        Assert.Contains("a.nii.gz: ", Assert.Throws<InvalidDataException>(() => NiftiReader.Parse(Gzip(good)[..40], "a.nii.gz")).Message);
        Assert.Throws<FileNotFoundException>(() => NiftiReader.Read("/nonexistent-attn/x.nii"));
    }

    [Fact]
    public void SplitIsPositionalWithGapsAndDisjoint()
    {
        var split = BrainMri.SplitOf(140);
        // Blocks of 10: train, train, valid, train, test, ...; valid/test slices within 2 of another split are dropped.
        Assert.Equal(0, split[0]);
        Assert.Equal(-1, split[20]);
        Assert.Equal(-1, split[21]);
        Assert.Equal(1, split[22]);
        Assert.Equal(1, split[27]);
        Assert.Equal(-1, split[28]);
        Assert.Equal(0, split[30]);
        Assert.Equal(2, split[44]);
        for (int i = 0; i < split.Length; i++)
            if (split[i] > 0)
                for (int j = Math.Max(0, i - BrainMri.Gap); j <= Math.Min(split.Length - 1, i + BrainMri.Gap); j++)
                    Assert.True(split[j] == split[i] || split[j] == -1, $"slice {i} (split {split[i]}) has slice {j} of split {split[j]} within {BrainMri.Gap}");
        Assert.Equal(90, split.Count(s => s == 0));
        Assert.Equal(18, split.Count(s => s == 1));
        Assert.Equal(12, split.Count(s => s == 2));
    }

    [Fact]
    public void SlicesDownsamplePadKeepBrainSlicesAndPutAnteriorUp()
    {
        // A 20 x 24 x 6 volume: a brain box in slices 1..4 only; intensity grows with y so the orientation is visible.
        int nx = 20, ny = 24, nz = 6;
        var t1 = new double[nx * ny * nz];
        var bet = new double[nx * ny * nz];
        for (int z = 0; z < nz; z++)
            for (int y = 0; y < ny; y++)
                for (int x = 0; x < nx; x++)
                {
                    int i = x + nx * (y + ny * z);
                    t1[i] = y * 10;
                    if (z is >= 1 and <= 4 && x is >= 4 and < 16 && y is >= 4 and < 20) bet[i] = t1[i] + 1;
                }
        var s = BrainMri.Slices(NiftiReader.Parse(NiftiReader.Encode([nx, ny, nz], t1, 2), "t1"), NiftiReader.Parse(NiftiReader.Encode([nx, ny, nz], bet, 2), "bet"));
        Assert.Equal(new[] { 1, 2, 3, 4 }, s.SliceZ);
        Assert.Equal(16, s.Height);      // 24 / 2 = 12 -> padded to 16
        Assert.Equal(16, s.Width);       // 20 / 2 = 10 -> padded to 16
        int n = s.Height * s.Width;
        Assert.Equal(6 * 8, s.Masks.AsSpan(0, n).ToArray().Count(m => m == 1));   // (12 / 2) x (16 / 2) brain pixels
        // Row 2 (first padded row) is anterior: the largest y, the brightest row; the last image row is the darkest.
        int top = 2 * s.Width + 3, bottom = (2 + 11) * s.Width + 3;
        Assert.True(s.Pixels[top] > s.Pixels[bottom], $"top {s.Pixels[top]} should be brighter than bottom {s.Pixels[bottom]}");
        Assert.Equal(0, s.Pixels[0]);    // padding
        Assert.Throws<InvalidDataException>(() => BrainMri.Slices(
            NiftiReader.Parse(NiftiReader.Encode([nx, ny, nz], t1, 2), "t1"), NiftiReader.Parse(NiftiReader.Encode([ny, nx, nz], bet, 2), "bet")));
    }
}
