using AttentionSharp.Data.Text;

namespace AttentionSharp.Tests.Data.Text;

public class TextTokenizerTests
{
    [Fact]
    public void EnglishIsLowerCasedWithContractionsAndHyphensKept()
    {
        Assert.Equal(["the", "movie", "wasn't", "a", "so-so", "film"], TextTokenizer.Tokenize("The Movie wasn't a So-so film"));
    }

    [Fact]
    public void PunctuationIsSeparateAndNumbersStayWhole()
    {
        Assert.Equal(["great", "!", "!", "rated", "3.5", "/", "5", ",", "(", "1,000", "votes", ")", "."],
            TextTokenizer.Tokenize("Great!! Rated 3.5/5, (1,000 votes)."));
        Assert.Equal(["'", "quoted", "'"], TextTokenizer.Tokenize("'quoted'"));
        Assert.Empty(TextTokenizer.Tokenize("   \n\t "));
        Assert.Empty(TextTokenizer.Tokenize(null));
    }

    [Fact]
    public void CjkFallsBackToCharacters()
    {
        Assert.Equal(["这", "部", "电", "影", "很", "好", "看", "!"], TextTokenizer.Tokenize("这部电影很好看！"));
        Assert.Equal(["iphone", "很", "棒"], TextTokenizer.Tokenize("iPhone很棒"));
        Assert.Equal(["と", "て", "も", "良", "い"], TextTokenizer.Tokenize("とても良い"));
        // Full-width ASCII becomes ASCII under NFKC.
        Assert.Equal(["abc", "123"], TextTokenizer.Tokenize("ＡＢＣ １２３"));
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
