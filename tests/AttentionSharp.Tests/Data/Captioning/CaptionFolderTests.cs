using AttentionSharp.Data.Captioning;

namespace AttentionSharp.Tests.Data.Captioning;

public class CaptionFolderTests
{
    /// <summary>A folder with <paramref name="count"/> 16x16 PNGs (image k: a bright square at k's position) and a captions file.</summary>
    internal static string Folder(int count = 6, int size = 16)
    {
        string dir = Directory.CreateTempSubdirectory("attn-captions-").FullName;
        var lines = new List<string>();
        for (int k = 0; k < count; k++)
        {
            var px = new byte[size * size];
            for (int y = 0; y < 4; y++) for (int x = 0; x < 4; x++) px[(y + (k % 3) * 4) * size + x + (k / 3) * 4] = 255;
            CaptionFolder.WritePng(Path.Combine(dir, $"img{k}.png"), px, size, size);
            string split = (k % 3) switch { 0 => "train", 1 => "valid", _ => "test" };
            lines.Add($"{{\"image\": \"img{k}.png\", \"captions\": [\"a square number {k}\", \"the Square {k}\"], \"split\": \"{split}\"}}");
        }
        File.WriteAllLines(Path.Combine(dir, "captions.jsonl"), lines);
        return dir;
    }

    [Fact]
    public void AFolderLoadsIntoSplitsWithAVocabularyFromTheTrainingCaptions()
    {
        string dir = Folder();
        var (train, valid, test) = CaptionFolder.Load(Path.Combine(dir, "captions.jsonl"), 16);
        Assert.Equal(2, train.Count);
        Assert.Equal(2, valid.Count);
        Assert.Equal(2, test.Count);
        Assert.Equal(["img0.png", "img3.png"], train.Names!);
        Assert.Equal(255, train.Pixels(0)[0]);
        Assert.Equal(0, train.Pixels(0)[5]);
        Assert.True(train.Vocabulary.Contains("square") && train.Vocabulary.Contains("3") && !train.Vocabulary.Contains("1"));
        // Validation captions may hold words the training captions lack: they become <unk> in teacher forcing.
        var batch = valid.GetBatch([0]);
        Assert.Contains((long)CaptionVocabulary.Unknown, batch.Targets.data<long>().ToArray());
        Directory.Delete(dir, true);
    }

    [Fact]
    public void AnEmptyCaptionsFileIsAClearError()
    {
        string dir = Directory.CreateTempSubdirectory("attn-captions-").FullName;
        string file = Path.Combine(dir, "captions.jsonl");
        File.WriteAllText(file, "\n  \n");
        var e = Assert.Throws<InvalidDataException>(() => CaptionFolder.Load(file, 16));
        Assert.Equal($"captions file '{file}' is empty: expected one JSON line per image", e.Message);
        Assert.Contains("does not exist", Assert.Throws<FileNotFoundException>(() => CaptionFolder.Load(Path.Combine(dir, "none.jsonl"), 16)).Message);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void BadLinesNameTheFileAndLine()
    {
        string dir = Directory.CreateTempSubdirectory("attn-captions-").FullName;
        string file = Path.Combine(dir, "captions.jsonl");
        void Expect(string line, string message)
        {
            File.WriteAllText(file, "{\"image\": \"a.png\", \"captions\": [\"ok\"]}\n" + line + "\n");
            var e = Assert.Throws<InvalidDataException>(() => CaptionFolder.ReadLines(file));
            Assert.StartsWith($"{file}:2: ", e.Message);
            Assert.Contains(message, e.Message);
        }
        Expect("{\"image\": \"b.png\", \"captions\": []}", "at least one non-empty caption");
        Expect("{\"image\": \"b.png\", \"captions\": [\"  \"]}", "at least one non-empty caption");
        Expect("{\"captions\": [\"x\"]}", "needs \"image\"");
        Expect("{\"image\": \"b.png\"}", "needs \"captions\"");
        Expect("{\"image\": \"b.png\", \"captions\": [\"x\"], \"split\": \"dev\"}", "\"split\" must be one of train, valid, test; got 'dev'");
        Expect("not json", "not a JSON object");
        Directory.Delete(dir, true);
    }

    [Fact]
    public void AnImageOfTheWrongSizeOrAMissingImageIsAClearError()
    {
        string dir = Folder();
        var e = Assert.Throws<InvalidDataException>(() => CaptionFolder.Load(Path.Combine(dir, "captions.jsonl"), 64));
        Assert.Equal($"image '{Path.Combine(dir, "img0.png")}' is 16x16 pixels; the model needs 64x64 (resize the images first)", e.Message);
        File.Delete(Path.Combine(dir, "img3.png"));
        Assert.Contains("img3.png' does not exist", Assert.Throws<FileNotFoundException>(() => CaptionFolder.Load(Path.Combine(dir, "captions.jsonl"), 16)).Message);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void AnUnknownWordIsAClearErrorWhenStrict()
    {
        var v = CaptionScenes.Vocabulary();
        Assert.Equal([4 + Array.IndexOf(SceneGrammar.FunctionWords, "a"), 4 + SceneGrammar.FunctionWords.Length + 3], v.Encode("A 3"));
        var e = Assert.Throws<ArgumentException>(() => v.Encode("a zebra left of a 3", strict: true));
        Assert.Equal($"unknown word 'zebra' in caption \"a zebra left of a 3\": the vocabulary has {v.Count - 4} words (from the training captions)", e.Message);
        Assert.Equal(CaptionVocabulary.Unknown, v.Encode("a zebra")[1]);
        Assert.Contains("empty caption", Assert.Throws<ArgumentException>(() => v.Encode("   ")).Message);
        Assert.Equal("a 3", v.Decode([CaptionVocabulary.Bos, .. v.Encode("a 3"), CaptionVocabulary.Eos, 7]));
    }
}
