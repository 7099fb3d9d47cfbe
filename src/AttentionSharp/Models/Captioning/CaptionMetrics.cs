using AttentionSharp.Data;
using AttentionSharp.Data.Captioning;
using AttentionSharp.Training;

namespace AttentionSharp.Models.Captioning;

/// <summary>The figures of a set of generated captions.</summary>
/// <param name="Bleu">Multi-reference corpus BLEU-1..4 (0..100).</param>
/// <param name="ExactMatch">Share of captions equal to one of their references (0..1).</param>
/// <param name="ObjectAccuracy">Scenes: objects named right over max(objects in the scene, objects named), summed over images (0..1); NaN without scene objects.</param>
/// <param name="RelationAccuracy">Scenes: share of the scenes' neighbour relations that the captions state (either direction); NaN without scene objects.</param>
/// <param name="Grounding">Share of generated object words present in the scene whose attention peak lies in that object's box; NaN without attention or scene objects.</param>
/// <param name="GroundedWords">Object words counted for <see cref="Grounding"/>.</param>
/// <param name="Count">Captions scored.</param>
/// <param name="OtherObject">Of the counted object words, the share whose peak is not in a box of the named class but in another object's box (looked at the wrong object).</param>
/// <param name="NearMiss">Of the counted object words, the share whose peak misses every object box but lies within one grid cell of a box of the named class.</param>
/// <param name="PreviousStep">Of the counted object words, the share whose attention peak one step earlier (at the word before,
/// usually its article) lies in a box of the named class: how often the model looked at the object just before naming it.</param>
/// <param name="WordOrPrevious">Of the counted object words, the share grounded at the word's own step or at the step before.</param>
/// <param name="ByOrder">Grounding of the first, the second, and the third and later counted object words of the captions (NaN where none was counted).</param>
/// <param name="NamedMass">Mean over the counted object words of the attention weight on regions whose centre lies in a box of
/// the named class: how much of the look the named object gets, whether or not it holds the peak.</param>
public sealed record CaptionScores(double[] Bleu, double ExactMatch, double ObjectAccuracy, double RelationAccuracy, double Grounding, int GroundedWords, int Count,
    double OtherObject = double.NaN, double NearMiss = double.NaN, double PreviousStep = double.NaN, double WordOrPrevious = double.NaN,
    double[]? ByOrder = null, double NamedMass = double.NaN);

/// <summary>Where the attention peak of an object word lies (<see cref="CaptionMetrics.Locate"/>).</summary>
public enum PeakPlace
{
    /// <summary>In a box of the named object's class (a grounded word).</summary>
    Inside,
    /// <summary>Not in a box of the named class, in the box of another object.</summary>
    OtherObject,
    /// <summary>In no object's box, within one grid cell of a box of the named class.</summary>
    Near,
    /// <summary>Anywhere else (background).</summary>
    Elsewhere,
}

/// <summary>
/// Captioning metrics (issue 22): multi-reference corpus BLEU-1..4 (<see cref="Training.Bleu.CorpusMulti"/>), exact match, slot
/// accuracy on generated scenes (objects and relations read back with <see cref="SceneGrammar.Parse"/>) and grounding: for each
/// generated word that names an object of the scene, whether the region with the largest attention weight at that word has its
/// centre inside the box of an object of that class.
/// </summary>
public static class CaptionMetrics
{
    /// <summary>A caption in the form compared for exact match: lower-case words joined by one space.</summary>
    public static string Normalize(string caption) => string.Join(' ', CaptionVocabulary.Tokenize(caption));

    /// <summary>Whether <paramref name="caption"/> equals one of <paramref name="references"/> after <see cref="Normalize"/>.</summary>
    public static bool IsExact(string caption, IEnumerable<string> references)
    {
        string c = Normalize(caption);
        return references.Any(r => Normalize(r) == c);
    }

    /// <summary>Whether the attention peak of <paramref name="weights"/> (row-major over a <paramref name="grid"/>-square grid on an <paramref name="imageSize"/>-pixel image) has its region centre inside <paramref name="box"/>.</summary>
    public static bool PeakInside(float[] weights, int grid, int imageSize, ObjectBox box)
    {
        int peak = 0;
        for (int i = 1; i < weights.Length; i++) if (weights[i] > weights[peak]) peak = i;
        return RegionInside(peak, grid, imageSize, box);
    }

    /// <summary>Whether the centre of region <paramref name="region"/> (row-major over a <paramref name="grid"/>-square grid on an <paramref name="imageSize"/>-pixel image) lies inside <paramref name="box"/>.</summary>
    public static bool RegionInside(int region, int grid, int imageSize, ObjectBox box)
    {
        double cell = (double)imageSize / grid;
        double y = (region / grid + 0.5) * cell, x = (region % grid + 0.5) * cell;
        return y >= box.Top && y < box.Top + box.Height && x >= box.Left && x < box.Left + box.Width;
    }

    /// <summary>The attention weight of <paramref name="weights"/> on regions whose centre lies in one of <paramref name="boxes"/> (each region counted once).</summary>
    public static double MassInside(float[] weights, int grid, int imageSize, IReadOnlyList<ObjectBox> boxes)
    {
        double mass = 0;
        for (int i = 0; i < weights.Length; i++)
            if (boxes.Any(b => RegionInside(i, grid, imageSize, b))) mass += weights[i];
        return mass;
    }

    /// <summary>
    /// Where the attention peak of <paramref name="weights"/> lies: in one of the <paramref name="named"/> boxes (the object
    /// the word names), else in one of the <paramref name="others"/> (another object), else within one grid cell of a named
    /// box (its box grown by a cell on every side), else elsewhere. <see cref="PeakPlace.Inside"/> is <see cref="PeakInside"/>.
    /// </summary>
    public static PeakPlace Locate(float[] weights, int grid, int imageSize, IReadOnlyList<ObjectBox> named, IReadOnlyList<ObjectBox> others)
    {
        if (named.Any(b => PeakInside(weights, grid, imageSize, b))) return PeakPlace.Inside;
        if (others.Any(b => PeakInside(weights, grid, imageSize, b))) return PeakPlace.OtherObject;
        int cell = (int)Math.Ceiling((double)imageSize / grid);
        return named.Any(b => PeakInside(weights, grid, imageSize, new ObjectBox(b.Top - cell, b.Left - cell, b.Height + 2 * cell, b.Width + 2 * cell)))
            ? PeakPlace.Near : PeakPlace.Elsewhere;
    }

    /// <summary>Scores generated captions (<paramref name="words"/>: per image the generated words, EOS excluded) with their attention rows (null without attention).</summary>
    public static CaptionScores Score(IReadOnlyList<string[]> words, IReadOnlyList<string[]> references, IReadOnlyList<SceneObject[]>? objects,
        IReadOnlyList<float[][]?> weights, int grid, int imageSize)
    {
        if (words.Count != references.Count || weights.Count != words.Count || (objects != null && objects.Count != words.Count))
            throw new ArgumentException($"need as many references, attention rows and object lists as captions ({words.Count})");
        if (words.Count == 0) throw new ArgumentException("no captions to score");
        var bleu = Training.Bleu.CorpusMulti(words.Select(w => (IReadOnlyList<string>)w).ToList(),
            references.Select(rs => (IReadOnlyList<IReadOnlyList<string>>)rs.Select(r => (IReadOnlyList<string>)CaptionVocabulary.Tokenize(r)).ToList()).ToList());
        int exact = 0;
        double objectHits = 0, objectSlots = 0, relationHits = 0, relationSlots = 0;
        int grounded = 0, groundedWords = 0, otherObject = 0, near = 0, previous = 0, either = 0;
        double mass = 0;
        int[] orderHits = new int[3], orderWords = new int[3];
        for (int i = 0; i < words.Count; i++)
        {
            if (IsExact(string.Join(' ', words[i]), references[i])) exact++;
            if (objects == null) continue;
            var scene = objects[i];
            var (named, stated) = SceneGrammar.Parse(words[i]);
            var truth = scene.Select(o => o.Word).ToList();
            var namedDistinct = named.Distinct().ToList();
            objectHits += namedDistinct.Count(truth.Contains);
            objectSlots += Math.Max(truth.Count, namedDistinct.Count);
            var (_, trueRelations) = SceneGrammar.Parse(CaptionVocabulary.Tokenize(references[i][0]));
            relationHits += trueRelations.Count(stated.Contains);
            relationSlots += trueRelations.Length;
            if (weights[i] is not { } w) continue;
            int order = 0;
            for (int t = 0; t < words[i].Length && t < w.Length; t++)
            {
                var boxes = scene.Where(o => o.Word == words[i][t]).Select(o => o.Box).ToArray();
                if (boxes.Length == 0) continue;
                groundedWords++;
                mass += MassInside(w[t], grid, imageSize, boxes);
                var place = Locate(w[t], grid, imageSize, boxes, scene.Where(o => o.Word != words[i][t]).Select(o => o.Box).ToArray());
                int k = Math.Min(order++, 2);
                orderWords[k]++;
                if (place == PeakPlace.Inside) orderHits[k]++;
                switch (place)
                {
                    case PeakPlace.Inside: grounded++; break;
                    case PeakPlace.OtherObject: otherObject++; break;
                    case PeakPlace.Near: near++; break;
                }
                bool before = t > 0 && boxes.Any(b => PeakInside(w[t - 1], grid, imageSize, b));
                if (before) previous++;
                if (before || place == PeakPlace.Inside) either++;
            }
        }
        bool attention = weights.Any(w => w != null);
        return new CaptionScores(bleu.Scores, (double)exact / words.Count,
            objects == null ? double.NaN : objectHits / Math.Max(1, objectSlots),
            objects == null ? double.NaN : relationSlots == 0 ? 1 : relationHits / relationSlots,
            Share(grounded), groundedWords, words.Count, Share(otherObject), Share(near), Share(previous), Share(either),
            [.. Enumerable.Range(0, 3).Select(k => objects == null || !attention || orderWords[k] == 0 ? double.NaN : (double)orderHits[k] / orderWords[k])],
            objects == null || !attention || groundedWords == 0 ? double.NaN : mass / groundedWords);
        double Share(int n) => objects == null || !attention || groundedWords == 0 ? double.NaN : (double)n / groundedWords;
    }
}
