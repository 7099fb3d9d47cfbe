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
public sealed record CaptionScores(double[] Bleu, double ExactMatch, double ObjectAccuracy, double RelationAccuracy, double Grounding, int GroundedWords, int Count);

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
        double cell = (double)imageSize / grid;
        double y = (peak / grid + 0.5) * cell, x = (peak % grid + 0.5) * cell;
        return y >= box.Top && y < box.Top + box.Height && x >= box.Left && x < box.Left + box.Width;
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
        int grounded = 0, groundedWords = 0;
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
            for (int t = 0; t < words[i].Length && t < w.Length; t++)
            {
                var boxes = scene.Where(o => o.Word == words[i][t]).Select(o => o.Box).ToArray();
                if (boxes.Length == 0) continue;
                groundedWords++;
                if (boxes.Any(box => PeakInside(w[t], grid, imageSize, box))) grounded++;
            }
        }
        bool attention = weights.Any(w => w != null);
        return new CaptionScores(bleu.Scores, (double)exact / words.Count,
            objects == null ? double.NaN : objectHits / Math.Max(1, objectSlots),
            objects == null ? double.NaN : relationSlots == 0 ? 1 : relationHits / relationSlots,
            objects == null || !attention || groundedWords == 0 ? double.NaN : (double)grounded / groundedWords, groundedWords, words.Count);
    }
}
