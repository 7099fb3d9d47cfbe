using AttentionSharp.Data.Text;

namespace AttentionSharp.Tests.Data.Text;

public class UnlabelledTextTests
{
    [Fact]
    public void SourceListsRefuseTheTasksOwnCorpusUnknownNamesAndRepeats()
    {
        Assert.Equal(["brown", "de-en", "polarity-docs"], UnlabelledText.Parse(UnlabelledText.DefaultFor(TextTasks.PolaritySentences), TextTasks.PolaritySentences));
        Assert.Equal(["brown", "de-en", "polarity-sentences"], UnlabelledText.Parse(UnlabelledText.DefaultFor(TextTasks.PolarityDocs), TextTasks.PolarityDocs));
        Assert.Contains("test folds", Assert.Throws<ArgumentException>(() => UnlabelledText.Parse("brown,polarity-sentences", TextTasks.PolaritySentences)).Message);
        Assert.Throws<ArgumentException>(() => UnlabelledText.Parse("brown,wiki", TextTasks.PolaritySentences));
        Assert.Throws<ArgumentException>(() => UnlabelledText.Parse("brown,brown", TextTasks.PolaritySentences));
        Assert.Throws<ArgumentException>(() => UnlabelledText.Parse(" , ", TextTasks.PolaritySentences));
    }

    [Fact]
    public void DictionaryEnglishSideIsSplitIntoAlternativesWithNotesStripped()
    {
        var texts = UnlabelledText.LoadDeEn([
            "# comment :: ignored",
            "Aal {m} :: eel [zool.] | eels",
            "Sie hat es nicht böse gemeint. :: She didn't mean any harm.; no harm meant",
            "kein Trenner hier",
        ]);
        Assert.Equal([["eel"], ["eels"], ["she", "didn't", "mean", "any", "harm", "."], ["no", "harm", "meant"]], texts);
    }

    [Fact]
    public void BrownSentencesLoseTheirTagsAndAreTokenisedLikeClassifierInput()
    {
        string dir = Directory.CreateTempSubdirectory("brownsg").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "ca01"), "\n\tThe/at Fulton/np-tl jury/nn said/vbd ./.\n\n\tIt/pps won't/md* stop/vb ./.\n");
            File.WriteAllText(Path.Combine(dir, "cats.txt"), "ca01 news\n");
            var texts = UnlabelledText.LoadBrown(dir);
            Assert.Equal([["the", "fulton", "jury", "said", "."], ["it", "won't", "stop", "."]], texts);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void CacheTrainsOnceForTheSameTextAndSettingsAndNeverReusesVectorsForOtherText()
    {
        string root = Directory.CreateTempSubdirectory("sgcache").FullName;
        try
        {
            var texts = Enumerable.Range(0, 200).Select(i => $"w{i % 7} w{(i + 1) % 7} w{(i + 3) % 7} and w{(i * 5) % 7}").ToList();
            var options = new SkipGramOptions(Dimension: 8, Window: 2, Negative: 3, Sample: 0, MinCount: 1, Epochs: 1);
            var log = new StringWriter();
            var first = WordVectorCache.GetOrTrain(root, [UnlabelledText.Train], texts, options, log);
            var files = Directory.GetFiles(Path.Combine(root, WordVectorCache.Folder));
            Assert.Single(files);
            var second = WordVectorCache.GetOrTrain(root, [UnlabelledText.Train], texts, options, log);
            Assert.Equal(first.Vectors, second.Vectors);
            Assert.Contains("from the cache", log.ToString());
            Assert.Contains("text=train", second.Description);

            WordVectorCache.GetOrTrain(root, [UnlabelledText.Train], texts.Skip(1).ToList(), options, log);
            WordVectorCache.GetOrTrain(root, [UnlabelledText.Train], texts, options with { Seed = 2 }, log);
            Assert.Equal(3, Directory.GetFiles(Path.Combine(root, WordVectorCache.Folder)).Length);
        }
        finally { Directory.Delete(root, recursive: true); }
    }
}
