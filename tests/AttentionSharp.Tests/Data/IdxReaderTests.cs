using System.IO.Compression;
using AttentionSharp.Data;

namespace AttentionSharp.Tests.Data;

public class IdxReaderTests
{
    static readonly byte[] Pixels = Enumerable.Range(0, 2 * 3 * 4).Select(i => (byte)(i * 7)).ToArray();

    static string Write(byte[] bytes, bool gzip = false)
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("attn-idx-").FullName, gzip ? "x.gz" : "x");
        if (!gzip) File.WriteAllBytes(path, bytes);
        else
        {
            using var fs = File.Create(path);
            using var gz = new GZipStream(fs, CompressionLevel.Fastest);
            gz.Write(bytes);
        }
        return path;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadsRawAndGzipped(bool gzip)
    {
        var a = IdxReader.Read(Write(IdxReader.Encode([2, 3, 4], Pixels), gzip));
        Assert.Equal(new[] { 2, 3, 4 }, a.Dimensions);
        Assert.Equal(Pixels, a.Data);
        Assert.Equal(2, a.Count);
    }

    [Fact]
    public void TruncatedFileSaysSo()
    {
        var bytes = IdxReader.Encode([2, 3, 4], Pixels);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(Write(bytes[..^5])));
        Assert.Contains("truncated", e.Message);
        Assert.Contains("2x3x4", e.Message);
    }

    [Fact]
    public void TrailingDataIsRejected()
    {
        var bytes = IdxReader.Encode([2, 3, 4], Pixels).Concat(new byte[3]).ToArray();
        Assert.Contains("trailing data", Assert.Throws<InvalidDataException>(() => IdxReader.Read(Write(bytes))).Message);
    }

    [Fact]
    public void WrongMagicAndTypeAreRejected()
    {
        var bytes = IdxReader.Encode([2, 3, 4], Pixels);
        bytes[0] = 0x50;
        Assert.Contains("not an IDX file", Assert.Throws<InvalidDataException>(() => IdxReader.Read(Write(bytes))).Message);
        bytes = IdxReader.Encode([2, 3, 4], Pixels);
        bytes[2] = 0x0D;
        Assert.Contains("element type 0x0d", Assert.Throws<InvalidDataException>(() => IdxReader.Read(Write(bytes))).Message);
    }

    [Fact]
    public void CorruptGzipIsRejected()
    {
        var path = Write(IdxReader.Encode([2, 3, 4], Pixels), gzip: true);
        var b = File.ReadAllBytes(path);
        File.WriteAllBytes(path, b[..(b.Length / 2)]);
        Assert.ThrowsAny<InvalidDataException>(() => IdxReader.Read(path));
    }

    [Fact]
    public void EmptyAndMissingFiles()
    {
        Assert.Contains("empty", Assert.Throws<InvalidDataException>(() => IdxReader.Read(Write([]))).Message);
        Assert.Throws<FileNotFoundException>(() => IdxReader.Read("/nonexistent/idx"));
    }

    [Fact]
    public void ImageDatasetChecksImagesAgainstLabels()
    {
        var images = Write(IdxReader.Encode([2, 3, 4], Pixels));
        var labels = Write(IdxReader.Encode([3], [1, 2, 3]));
        var e = Assert.Throws<InvalidDataException>(() => ImageDataset.FromIdx(images, labels));
        Assert.Contains("2 images", e.Message);
        Assert.Contains("3 labels", e.Message);
    }

    [Fact]
    public void ImageDatasetBatchesAreScaledToUnitRange()
    {
        var ds = ImageDataset.FromIdx(Write(IdxReader.Encode([2, 3, 4], Pixels)), Write(IdxReader.Encode([2], [7, 3])));
        var batch = ds.GetBatch([1, 0]);
        Assert.Equal(new long[] { 2, 1, 3, 4 }, batch.Images.shape);
        Assert.Equal(new long[] { 3, 7 }, batch.Labels.data<long>().ToArray());
        Assert.Equal(Pixels[12] / 255f, batch.Images[0, 0, 0, 0].item<float>(), 6);
    }
}
