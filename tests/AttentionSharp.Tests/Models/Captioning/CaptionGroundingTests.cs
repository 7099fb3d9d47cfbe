using AttentionSharp.Data;
using AttentionSharp.Data.Captioning;
using AttentionSharp.Models.Captioning;

namespace AttentionSharp.Tests.Models.Captioning;

/// <summary>
/// Grounding (issue 22): the share of object words whose attention peak has its region centre inside that object's box,
/// and the breakdown of the misses (another object's box, within one cell of the right box, elsewhere), checked against
/// a hand count on an 8x8 grid over a 64-pixel image (cells of 8 pixels, cell (r, c) centred at (8r + 4, 8c + 4)).
/// </summary>
public class CaptionGroundingTests
{
    const int Grid = 8, Size = 64;

    /// <summary>Attention rows that put their peak on cell (row, col) and spread the rest thinly.</summary>
    static float[] PeakAt(int row, int col)
    {
        var w = Enumerable.Repeat(0.5f / (Grid * Grid - 1), Grid * Grid).ToArray();
        w[row * Grid + col] = 0.5f;
        return w;
    }

    static readonly ObjectBox Three = new(16, 16, 16, 16);     // rows/cols 2-3: cell centres 20 and 28 are inside
    static readonly ObjectBox Sandal = new(16, 40, 16, 16);    // rows 2-3, cols 5-6

    [Fact]
    public void ThePeakCountsWhenItsCellCentreIsInTheBox()
    {
        Assert.True(CaptionMetrics.PeakInside(PeakAt(2, 2), Grid, Size, Three));
        Assert.True(CaptionMetrics.PeakInside(PeakAt(3, 3), Grid, Size, Three));
        Assert.False(CaptionMetrics.PeakInside(PeakAt(1, 2), Grid, Size, Three));   // centre y = 12 < 16
        Assert.False(CaptionMetrics.PeakInside(PeakAt(2, 4), Grid, Size, Three));   // centre x = 36 >= 32
        Assert.True(CaptionMetrics.PeakInside(PeakAt(0, 0), Grid, Size, new ObjectBox(4, 4, 1, 1)));   // the centre pixel alone
    }

    [Fact]
    public void MissesAreSplitIntoAnotherObjectANearMissAndElsewhere()
    {
        ObjectBox[] named = [Three], others = [Sandal];
        Assert.Equal(PeakPlace.Inside, CaptionMetrics.Locate(PeakAt(2, 3), Grid, Size, named, others));
        Assert.Equal(PeakPlace.OtherObject, CaptionMetrics.Locate(PeakAt(3, 5), Grid, Size, named, others));
        Assert.Equal(PeakPlace.Near, CaptionMetrics.Locate(PeakAt(1, 1), Grid, Size, named, others));     // one cell off, diagonally
        Assert.Equal(PeakPlace.Near, CaptionMetrics.Locate(PeakAt(4, 3), Grid, Size, named, others));     // one cell below
        Assert.Equal(PeakPlace.Elsewhere, CaptionMetrics.Locate(PeakAt(5, 3), Grid, Size, named, others)); // two cells below
        Assert.Equal(PeakPlace.Elsewhere, CaptionMetrics.Locate(PeakAt(7, 7), Grid, Size, named, others));
        // a peak in both a named box and another box counts as inside
        Assert.Equal(PeakPlace.Inside, CaptionMetrics.Locate(PeakAt(2, 5), Grid, Size, [Sandal], [Sandal]));
    }

    [Fact]
    public void ScoreCountsObjectWordsOnlyAndItsSharesMatchAHandCount()
    {
        SceneObject[] scene = [new(3, "3", Three), new(15, "sandal", Sandal)];
        string[] caption = ["a", "3", "left", "of", "a", "sandal"];
        // "3" looks at the 3 (inside), "sandal" looks at the 3 (other object); function words are not counted
        float[][] first = [PeakAt(0, 0), PeakAt(2, 2), PeakAt(7, 7), PeakAt(7, 7), PeakAt(7, 7), PeakAt(3, 2)];
        // "3" one cell off its box (near), "sandal" in a corner (elsewhere)
        float[][] second = [PeakAt(0, 0), PeakAt(4, 2), PeakAt(0, 0), PeakAt(0, 0), PeakAt(0, 0), PeakAt(7, 0)];
        // a third caption names a bag that the scene lacks: not counted; its "sandal" is grounded
        string[] wrong = ["a", "bag", "left", "of", "a", "sandal"];
        float[][] third = [PeakAt(0, 0), PeakAt(2, 5), PeakAt(0, 0), PeakAt(0, 0), PeakAt(0, 0), PeakAt(2, 6)];
        string[] refs = ["a 3 left of a sandal", "a sandal right of a 3"];
        var s = CaptionMetrics.Score([caption, caption, wrong], [refs, refs, refs], [scene, scene, scene], [first, second, third], Grid, Size);
        Assert.Equal(5, s.GroundedWords);
        Assert.Equal(2.0 / 5, s.Grounding, 12);
        Assert.Equal(1.0 / 5, s.OtherObject, 12);
        Assert.Equal(1.0 / 5, s.NearMiss, 12);
        Assert.Equal(2.0 / 3, s.ExactMatch, 12);
        // without attention rows there is no grounding and no breakdown
        var none = CaptionMetrics.Score([caption], [refs], [scene], [null], Grid, Size);
        Assert.True(double.IsNaN(none.Grounding) && double.IsNaN(none.OtherObject) && double.IsNaN(none.NearMiss));
    }

    [Fact]
    public void TheStepBeforeTheObjectWordIsCountedApartAndTogetherWithTheWordsOwn()
    {
        SceneObject[] scene = [new(3, "3", Three), new(15, "sandal", Sandal)];
        string[] caption = ["a", "3", "left", "of", "a", "sandal"];
        string[] refs = ["a 3 left of a sandal"];
        // "3": its article looks at the 3, the word at the sandal (previous only); "sandal": its article looks at the 3,
        // the word at the sandal (own step only)
        float[][] lead = [PeakAt(2, 2), PeakAt(3, 5), PeakAt(7, 7), PeakAt(7, 7), PeakAt(3, 3), PeakAt(2, 6)];
        // "3" at the first step has the start-of-caption article before it: both steps on the 3 (both counts);
        // "sandal": neither step on it
        float[][] both = [PeakAt(3, 2), PeakAt(2, 3), PeakAt(7, 7), PeakAt(7, 7), PeakAt(7, 7), PeakAt(0, 0)];
        // an object word at the very first step has no step before it
        string[] bare = ["3", "left", "of", "a", "sandal"];
        float[][] first = [PeakAt(2, 2), PeakAt(0, 0), PeakAt(0, 0), PeakAt(0, 0), PeakAt(7, 7)];
        var s = CaptionMetrics.Score([caption, caption, bare], [refs, refs, refs], [scene, scene, scene], [lead, both, first], Grid, Size);
        Assert.Equal(6, s.GroundedWords);
        Assert.Equal(3.0 / 6, s.Grounding, 12);        // lead's sandal, both's 3, bare's 3
        Assert.Equal(2.0 / 6, s.PreviousStep, 12);     // lead's 3, both's 3
        Assert.Equal(4.0 / 6, s.WordOrPrevious, 12);   // lead's 3 and sandal, both's 3, bare's 3
        var none = CaptionMetrics.Score([caption], [refs], [scene], [null], Grid, Size);
        Assert.True(double.IsNaN(none.PreviousStep) && double.IsNaN(none.WordOrPrevious));
    }

    [Fact]
    public void GroundingByTheObjectWordsOrderAndTheWeightOnTheNamedObjectMatchAHandCount()
    {
        var bag = new ObjectBox(40, 16, 16, 16);                    // rows 5-6, cols 2-3
        SceneObject[] two = [new(3, "3", Three), new(15, "sandal", Sandal)];
        SceneObject[] three = [.. two, new(18, "bag", bag)];
        string[] a = ["a", "3", "left", "of", "a", "sandal"], b = ["a", "sandal", "right", "of", "a", "3"];
        string[] c = ["a", "3", "left", "of", "a", "sandal", "and", "a", "bag"];
        float[] f = PeakAt(7, 7);
        // a: 3 inside, sandal on the 3; b: sandal inside, 3 on the sandal; c: all three inside
        float[][] wa = [f, PeakAt(2, 2), f, f, f, PeakAt(3, 2)], wb = [f, PeakAt(2, 5), f, f, f, PeakAt(2, 5)];
        float[][] wc = [f, PeakAt(2, 3), f, f, f, PeakAt(2, 6), f, f, PeakAt(5, 2)];
        string[] refs = ["a 3 left of a sandal"];
        var s = CaptionMetrics.Score([a, b, c], [refs, refs, refs], [two, two, three], [wa, wb, wc], Grid, Size);
        Assert.Equal(7, s.GroundedWords);
        Assert.Equal(1.0, s.ByOrder![0], 12);                      // a's 3, b's sandal, c's 3
        Assert.Equal(1.0 / 3, s.ByOrder[1], 12);                   // a's sandal and b's 3 miss, c's sandal
        Assert.Equal(1.0, s.ByOrder[2], 12);                       // c's bag
        // each box holds 4 region centres; the peak weighs 0.5 and every other region 0.5 / 63
        double rest = 0.5 / 63, inside = 0.5 + 3 * rest, missed = 4 * rest;
        Assert.Equal((5 * inside + 2 * missed) / 7, s.NamedMass, 5);
        Assert.Equal(inside, CaptionMetrics.MassInside(PeakAt(2, 2), Grid, Size, [Three, Three]), 6);   // a region counts once
        var none = CaptionMetrics.Score([a], [refs], [two], [null], Grid, Size);
        Assert.True(none.ByOrder!.All(double.IsNaN) && double.IsNaN(none.NamedMass));
        Assert.True(double.IsNaN(CaptionMetrics.Score([a], [refs], [two], [wa], Grid, Size).ByOrder![2]));   // no third object word
    }
}
