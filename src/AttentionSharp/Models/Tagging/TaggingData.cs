using System.Text.Json.Nodes;
using AttentionSharp.Data;
using AttentionSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Models.Tagging;

/// <summary>A padded batch of sentences. Padding is at the end; <c>Mask</c> is true on real tokens.</summary>
/// <param name="Words">Word indices <c>(B, T)</c>.</param>
/// <param name="Chars">Character indices <c>(B, T, L)</c>, or null when the model uses none.</param>
/// <param name="Features">Feature indices <c>(B, T, F)</c> (0 = unseen), or null when the model uses none.</param>
/// <param name="Tags">Gold tag indices <c>(B, T)</c> (0 on padding).</param>
/// <param name="Mask">Real-token mask <c>(B, T)</c>.</param>
/// <param name="TokenCount">Number of real tokens.</param>
public sealed record TaggingBatch(Tensor Words, Tensor? Chars, Tensor? Features, Tensor Tags, Tensor Mask, int TokenCount);

/// <summary>The lexicons a tagger needs, stored in its checkpoint: words, characters, features and tags.</summary>
/// <param name="Words">Word lexicon (with specials).</param>
/// <param name="Chars">Character lexicon (with specials).</param>
/// <param name="Features">Feature lexicon (with specials; index 0 also stands for unseen features).</param>
/// <param name="Tags">Tag set (no specials).</param>
public sealed record TaggerVocabularies(Lexicon Words, Lexicon Chars, Lexicon Features, Lexicon Tags)
{
    /// <summary>Builds the lexicons from training sentences; the tag set from <paramref name="tagSource"/> (defaults to the training sentences).</summary>
    /// <param name="train">Training sentences.</param>
    /// <param name="minWordCount">Words seen fewer times become unknown (so the unknown embedding is trained).</param>
    /// <param name="minFeatureCount">Features seen fewer times are dropped.</param>
    /// <param name="withFeatures">Whether to build the feature lexicon (CRF on features only; expensive on big corpora).</param>
    /// <param name="tagSource">Sentences whose tags define the tag set.</param>
    public static TaggerVocabularies Build(IReadOnlyList<TaggedSentence> train, int minWordCount, int minFeatureCount, bool withFeatures,
        IEnumerable<TaggedSentence>? tagSource = null)
    {
        var words = Lexicon.Build(train.SelectMany(s => s.Words), minWordCount, withSpecials: true);
        var chars = Lexicon.Build(train.SelectMany(s => s.Words).SelectMany(w => w.Select(c => c.ToString())), 1, withSpecials: true);
        var features = withFeatures
            ? Lexicon.Build(train.SelectMany(s => TokenFeatures.Extract(s.Words).SelectMany(f => f)), minFeatureCount, withSpecials: true)
            : new Lexicon(Lexicon.Specials, hasSpecials: true);
        var tagNames = (tagSource ?? train).SelectMany(s => s.Tags).Distinct().Order(StringComparer.Ordinal).ToArray();
        return new TaggerVocabularies(words, chars, features, new Lexicon(tagNames, hasSpecials: false));
    }

    /// <summary>The lexicons as one JSON object (the checkpoint's extra payload).</summary>
    public JsonNode ToJson() => new JsonObject
    {
        ["words"] = Words.ToJson(), ["chars"] = Chars.ToJson(), ["features"] = Features.ToJson(), ["tags"] = Tags.ToJson(),
    };

    /// <summary>Reads lexicons written by <see cref="ToJson"/>.</summary>
    public static TaggerVocabularies FromJson(JsonNode? node) => node is JsonObject o
        ? new TaggerVocabularies(Lexicon.FromJson(o["words"], "word"), Lexicon.FromJson(o["chars"], "character"),
                                 Lexicon.FromJson(o["features"], "feature"), Lexicon.FromJson(o["tags"], "tag"))
        : throw new InvalidDataException("the checkpoint has no tagger vocabularies");
}

/// <summary>Sentences encoded once with a tagger's lexicons; builds padded batches on demand.</summary>
public sealed class TaggingDataset : IBatchSource<TaggingBatch>
{
    readonly int[][] _words, _tags;
    readonly int[][][]? _chars;
    readonly int[][]? _features;

    /// <summary>Maximum characters per word fed to the character encoder (longer words are cut).</summary>
    public const int MaxWordLength = 16;

    /// <summary>Encodes sentences. Tags must be in the tag set (<see cref="InvalidDataException"/> otherwise, naming the sentence).</summary>
    /// <param name="sentences">Tagged sentences.</param>
    /// <param name="vocab">The tagger's lexicons.</param>
    /// <param name="useChars">Encode characters.</param>
    /// <param name="useFeatures">Encode the feature templates.</param>
    /// <param name="sortByLength">Order sentences by length (evaluation batches then need less padding).</param>
    /// <param name="device">Device of the batches.</param>
    public TaggingDataset(IReadOnlyList<TaggedSentence> sentences, TaggerVocabularies vocab, bool useChars, bool useFeatures,
        bool sortByLength = false, Device? device = null)
    {
        var order = Enumerable.Range(0, sentences.Count).ToArray();
        if (sortByLength) order = order.OrderBy(i => sentences[i].Length).ThenBy(i => i).ToArray();
        Sentences = order.Select(i => sentences[i]).ToArray();
        Device = device ?? CPU;
        _words = new int[Sentences.Count][];
        _tags = new int[Sentences.Count][];
        if (useChars) _chars = new int[Sentences.Count][][];
        if (useFeatures) _features = new int[Sentences.Count][];
        for (int s = 0; s < Sentences.Count; s++)
        {
            var sentence = Sentences[s];
            _words[s] = sentence.Words.Select(vocab.Words.IndexOf).ToArray();
            _tags[s] = new int[sentence.Length];
            for (int i = 0; i < sentence.Length; i++)
            {
                int t = vocab.Tags.IndexOf(sentence.Tags[i]);
                if (t < 0) throw new InvalidDataException($"sentence {s + 1}, token {i + 1} '{sentence.Words[i]}': tag '{sentence.Tags[i]}' is not in the model's tag set of {vocab.Tags.Count} tags");
                _tags[s][i] = t;
            }
            if (_chars != null)
                _chars[s] = sentence.Words.Select(w => w.Take(MaxWordLength).Select(c => vocab.Chars.IndexOf(c.ToString())).ToArray()).ToArray();
            if (_features != null)
            {
                var f = TokenFeatures.Extract(sentence.Words);
                _features[s] = f.SelectMany(x => x).Select(x => vocab.Features.Contains(x) ? vocab.Features.IndexOf(x) : Lexicon.Pad).ToArray();
            }
        }
    }

    /// <summary>The sentences in dataset order.</summary>
    public IReadOnlyList<TaggedSentence> Sentences { get; }
    /// <summary>Device of the batches.</summary>
    public Device Device { get; }
    /// <inheritdoc />
    public int Count => Sentences.Count;
    /// <summary>Total number of tokens.</summary>
    public long TokenCount => _words.Sum(w => (long)w.Length);

    /// <inheritdoc />
    public TaggingBatch GetBatch(int[] indices)
    {
        int b = indices.Length;
        foreach (var i in indices)
            if ((uint)i >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(indices), $"index {i} is outside 0..{Count - 1}");
        int t = indices.Max(i => _words[i].Length);
        var words = new long[b * t];
        var tags = new long[b * t];
        var mask = new bool[b * t];
        int tokens = 0;
        for (int k = 0; k < b; k++)
        {
            var w = _words[indices[k]];
            for (int i = 0; i < w.Length; i++)
            {
                words[k * t + i] = w[i];
                tags[k * t + i] = _tags[indices[k]][i];
                mask[k * t + i] = true;
            }
            tokens += w.Length;
        }
        Tensor? chars = null, features = null;
        if (_chars != null)
        {
            int l = Math.Max(1, indices.Max(i => _chars[i].Length == 0 ? 0 : _chars[i].Max(c => c.Length)));
            var c = new long[b * t * l];
            for (int k = 0; k < b; k++)
            {
                var cs = _chars[indices[k]];
                for (int i = 0; i < cs.Length; i++)
                    for (int j = 0; j < cs[i].Length; j++) c[(k * t + i) * l + j] = cs[i][j];
            }
            chars = torch.tensor(c).reshape(b, t, l).to(Device);                      // (B, T, L)
        }
        if (_features != null)
        {
            const int f = TokenFeatures.PerToken;
            var x = new long[b * t * f];
            for (int k = 0; k < b; k++)
            {
                var fs = _features[indices[k]];
                for (int j = 0; j < fs.Length; j++) x[k * t * f + j] = fs[j];
            }
            features = torch.tensor(x).reshape(b, t, f).to(Device);                   // (B, T, F)
        }
        return new TaggingBatch(torch.tensor(words).reshape(b, t).to(Device), chars, features,
            torch.tensor(tags).reshape(b, t).to(Device), torch.tensor(mask).reshape(b, t).to(Device), tokens);
    }
}

/// <summary>
/// Length buckets over a <see cref="TaggingDataset"/>: example i of this source is a whole batch of sentences of
/// similar length (so little time is spent on padding). Sentences are ordered by length with seeded random ties,
/// then cut into groups of <c>sentencesPerBatch</c>; the trainer shuffles the groups (use a trainer batch size of 1).
/// </summary>
public sealed class BucketedBatches : IBatchSource<TaggingBatch>
{
    readonly TaggingDataset _inner;
    readonly int[][] _groups;

    /// <summary>Groups the sentences of <paramref name="inner"/> into batches of <paramref name="sentencesPerBatch"/>.</summary>
    public BucketedBatches(TaggingDataset inner, int sentencesPerBatch, int seed = 1)
    {
        if (sentencesPerBatch < 1) throw new ArgumentException($"sentences per batch must be at least 1; got {sentencesPerBatch}");
        _inner = inner;
        var rng = new Random(seed);
        var order = Enumerable.Range(0, inner.Count).Select(i => (i, key: rng.Next())).OrderBy(p => inner.Sentences[p.i].Length)
            .ThenBy(p => p.key).Select(p => p.i).ToArray();
        _groups = order.Chunk(sentencesPerBatch).ToArray();
    }

    /// <summary>The sentences underneath.</summary>
    public TaggingDataset Inner => _inner;
    /// <summary>Number of batches.</summary>
    public int Count => _groups.Length;

    /// <summary>The batch made of the sentences of the given groups.</summary>
    public TaggingBatch GetBatch(int[] indices)
    {
        foreach (var i in indices)
            if ((uint)i >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(indices), $"batch {i} is outside 0..{Count - 1}");
        return _inner.GetBatch(indices.SelectMany(i => _groups[i]).ToArray());
    }
}
