using AttentionSharp.Data.Text;

namespace AttentionSharp.Tests.Data.Text;

public class WordVectorsTests
{
    static WordVectors Small() => new(["cat", "dog", "car"], [1, 0, 0.9f, 0.1f, 0, 1], 2, "test vectors");

    [Fact]
    public void CosineAndNearestFollowTheDefinition()
    {
        var v = Small();
        Assert.Equal(0.9 / Math.Sqrt(0.82), v.Cosine("cat", "dog"), 6);
        Assert.Equal(0.0, v.Cosine("cat", "car"), 12);
        Assert.Equal("dog", v.Nearest("cat", 1)[0].Word);
        Assert.Equal(-1, v.IndexOf("cow"));
        Assert.Throws<KeyNotFoundException>(() => v.Cosine("cow", "cat"));
        Assert.Throws<ArgumentException>(() => new WordVectors(["a", "a"], new float[4], 2));
        Assert.Throws<ArgumentException>(() => new WordVectors(["a"], new float[3], 2));
    }

    [Fact]
    public void SaveLoadRoundTripsAndForeignOrTruncatedFilesAreRefused()
    {
        string dir = Directory.CreateTempSubdirectory("wordvec").FullName;
        try
        {
            string path = Path.Combine(dir, "v.bin");
            Small().Save(path);
            var back = WordVectors.Load(path);
            Assert.Equal(["cat", "dog", "car"], back.Words);
            Assert.Equal(Small().Vectors, back.Vectors);
            Assert.Equal("test vectors", back.Description);

            var bytes = File.ReadAllBytes(path);
            File.WriteAllBytes(path, bytes[..^3]);
            Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => WordVectors.Load(path)).Message);
            File.WriteAllText(path, "not vectors at all");
            Assert.Contains("not a word-vector file", Assert.Throws<InvalidDataException>(() => WordVectors.Load(path)).Message);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
