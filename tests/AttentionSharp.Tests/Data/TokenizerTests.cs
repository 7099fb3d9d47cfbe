using System.Text;
using AttentionSharp.Data;
using AttentionSharp.Data.Text;

namespace AttentionSharp.Tests.Data;

public class TokenizerTests
{
    [Fact]
    public void EnglishIsLowerCasedWithContractionsAndHyphensKept()
    {
        Assert.Equal(["the", "movie", "wasn't", "a", "so-so", "film"], Tokenizer.Text.Tokenize("The Movie wasn't a So-so film"));
    }

    [Fact]
    public void PunctuationIsSeparateAndNumbersStayWhole()
    {
        Assert.Equal(["great", "!", "!", "rated", "3.5", "/", "5", ",", "(", "1,000", "votes", ")", "."],
            Tokenizer.Text.Tokenize("Great!! Rated 3.5/5, (1,000 votes)."));
        Assert.Equal(["'", "quoted", "'"], Tokenizer.Text.Tokenize("'quoted'"));
        Assert.Empty(Tokenizer.Text.Tokenize("   \n\t "));
        Assert.Empty(Tokenizer.Text.Tokenize(null));
    }

    [Fact]
    public void CjkFallsBackToCharacters()
    {
        Assert.Equal(["这", "部", "电", "影", "很", "好", "看", "!"], Tokenizer.Text.Tokenize("这部电影很好看！"));
        Assert.Equal(["iphone", "很", "棒"], Tokenizer.Text.Tokenize("iPhone很棒"));
        Assert.Equal(["と", "て", "も", "良", "い"], Tokenizer.Text.Tokenize("とても良い"));
        // Full-width ASCII becomes ASCII under NFKC.
        Assert.Equal(["abc", "123"], Tokenizer.Text.Tokenize("ＡＢＣ １２３"));
    }

    [Fact]
    public void TranslationPresetSplitsLetterAndNumberRunsAndKeepsUnk()
    {
        var t = Tokenizer.Translation;
        Assert.Equal(["mp", "3", "player", "v", "1.2", "<unk>", "3", "-", "4"], t.Tokenize("MP3 player v1.2 <UNK> 3-4"));
        Assert.Equal(["mp3", "player", "v1.2", "<", "unk", ">", "3-4"], Tokenizer.Text.Tokenize("MP3 player v1.2 <UNK> 3-4"));
        // Numbers keep inner separators in both: 1.000 / 30,000.
        Assert.Equal(["von", "1.000", "eur", "und", "30,000"], t.Tokenize("von 1.000 EUR und 30,000"));
        // A curly apostrophe becomes ASCII everywhere in translation, only inside words for text.
        Assert.Equal(["'", "quoted", "'"], t.Tokenize("\u2019quoted\u2019"));
        Assert.Equal(["\u2019", "quoted", "\u2019"], Tokenizer.Text.Tokenize("\u2019quoted\u2019"));
        // NFC keeps full-width letters; NFKC maps them to ASCII.
        Assert.Equal(["ａｂｃ"], t.Tokenize("ＡＢＣ"));
        // Kana joins words under the translation preset (ideographs only are per character).
        Assert.Equal(["とても", "良", "い"], t.Tokenize("とても良い"));
    }

    [Fact]
    public void OptionsChangeTheRules()
    {
        var cased = new Tokenizer(TokenizerOptions.Text with { LowerCase = false, KeepWhole = ["<mask>"] });
        Assert.Equal(["The", "<mask>", "Sat", "."], cased.Tokenize("The <mask> Sat."));
        Assert.Equal(["the", "<mask>", "sat", "."], new Tokenizer(TokenizerOptions.Text with { KeepWhole = ["<mask>"] }).Tokenize("The <MASK> Sat."));
        // An emoji (outside the BMP) is one token under both presets.
        Assert.Equal(["ok", "\U0001F600"], Tokenizer.Translation.Tokenize("ok\U0001F600"));
        Assert.Equal(["ok", "\U0001F600"], Tokenizer.Text.Tokenize("ok\U0001F600"));
        Assert.Equal(NormalizationForm.FormC, Tokenizer.Translation.Options.Normalization);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a b")]
    public void BadKeepWholeIsRefused(string keep)
    {
        var e = Assert.Throws<ArgumentException>(() => new Tokenizer(new TokenizerOptions { KeepWhole = [keep] }));
        Assert.Contains("KeepWhole", e.Message);
    }

    [Fact]
    public void SentenceSplitterSplitsOnFinalPunctuationLineBreaksAndCjkStops()
    {
        Assert.Equal(["It was fine.", "Was it?", "Yes!!", "the end"], SentenceSplitter.Split("It was fine. Was it? Yes!!\nthe end"));
        Assert.Equal(["很好。", "不错！"], SentenceSplitter.Split("很好。不错！"));
        Assert.Equal(["version 3.5 is out."], SentenceSplitter.Split("version 3.5 is out."));
        Assert.Empty(SentenceSplitter.Split("  \n \n"));
    }
}
