using AttentionSharp.Data;
using AttentionSharp.Data.Translation;

namespace AttentionSharp.Tests.Data.Translation;

public class ReverseTaskTests
{
    [Fact]
    public void TargetIsTheWordByWordTranslationInReversedOrder()
    {
        Assert.Equal("saa", ReverseTask.SourceWord(0));
        Assert.Equal("sec", ReverseTask.SourceWord(42));
        Assert.Equal("sjj", ReverseTask.SourceWord(99));
        Assert.Throws<ArgumentException>(() => ReverseTask.SourceWord(100));
        Assert.Equal("taj tec taa", ReverseTask.Translate("saa sec saj"));
        Assert.Equal("tah", ReverseTask.Translate("sah"));
        Assert.Contains("saa..sjj", Assert.Throws<ArgumentException>(() => ReverseTask.Translate("sab x2")).Message);
        // the project's word tokeniser keeps every word whole, so a sentence of n words is n symbols
        Assert.Equal(3, Tokenizer.Translation.Tokenize("saa sec saj").Count);
    }

    [Fact]
    public void CorpusIsDeterministicCoversTheLengthsAndKeepsTestSourcesOutOfTraining()
    {
        var a = ReverseTask.Corpus(3000, 200, 200, 5);
        var b = ReverseTask.Corpus(3000, 200, 200, 5);
        Assert.Equal(a.Train.Select(p => p.Source), b.Train.Select(p => p.Source));
        Assert.NotEqual(a.Train.Select(p => p.Source), ReverseTask.Corpus(3000, 200, 200, 6).Train.Select(p => p.Source));
        Assert.Equal(200, a.Test.Count);
        Assert.Empty(a.Test.Select(p => p.Source).Intersect(a.Train.Select(p => p.Source)));
        var lengths = a.Train.Select(p => p.Source.Split(' ').Length).ToList();
        Assert.Equal(ReverseTask.MinLength, lengths.Min());
        Assert.Equal(ReverseTask.MaxLength, lengths.Max());
        Assert.All(a.Train, p => Assert.Equal(ReverseTask.Translate(p.Source), p.Target));
        var words = a.Train.SelectMany(p => p.Source.Split(' ')).Distinct().Count();
        Assert.Equal(ReverseTask.Words, words);
    }
}
