using AttentionSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Data.Captioning;

/// <summary>A batch of questions about a batch of scenes: every image is encoded once and read by each of its questions.</summary>
/// <param name="Images">The scenes' grey images in [0, 1], <c>(S, 1, H, W)</c>.</param>
/// <param name="ImageOf">Per question, the row of its image in <paramref name="Images"/>, <c>(N)</c>.</param>
/// <param name="Questions">Question word ids <c>(N, T)</c>, padded with <see cref="CaptionVocabulary.Pad"/>.</param>
/// <param name="Mask">Real question positions <c>(N, T)</c> (true = a word).</param>
/// <param name="Answers">Answer ids in <see cref="SceneQuestions.Answers"/> <c>(N)</c>.</param>
/// <param name="Items">The questions.</param>
/// <param name="SceneOf">Per question, its scene's index in the dataset.</param>
public sealed record VqaBatch(Tensor Images, Tensor ImageOf, Tensor Questions, Tensor Mask, Tensor Answers, SceneQuestion[] Items, int[] SceneOf);

/// <summary>
/// Questions about generated scenes (<see cref="SceneQuestions"/>): an example is a scene with <see cref="PerScene"/>
/// questions, whose kinds cycle through exist, relate and where. Questions are a function of (seed, scene, epoch, slot): a
/// training epoch asks new questions about the same scenes, and outside training (epoch 0) every call asks the same ones.
/// </summary>
public sealed class QuestionDataset : IBatchSource<VqaBatch>, IEpochAware
{
    static readonly QuestionKind[] Kinds = [QuestionKind.Exist, QuestionKind.Relate, QuestionKind.Where];
    int _epoch;

    /// <summary>Asks <paramref name="perScene"/> questions about each scene of <paramref name="scenes"/> (which must carry its objects).</summary>
    public QuestionDataset(CaptionDataset scenes, int perScene, long seed)
    {
        if (scenes.Objects == null) throw new ArgumentException("questions need scenes with their objects (generated scenes), not a captions file");
        if (scenes.Height != scenes.Width) throw new ArgumentException($"scenes must be square; got {scenes.Height}x{scenes.Width}");
        if (perScene < 1) throw new ArgumentException($"perScene must be >= 1; got {perScene}");
        Scenes = scenes;
        PerScene = perScene;
        Seed = seed;
        Vocabulary = SceneQuestions.Vocabulary();
    }

    /// <summary>The scenes.</summary>
    public CaptionDataset Scenes { get; }
    /// <summary>Questions per scene and epoch.</summary>
    public int PerScene { get; }
    /// <summary>Seed of the questions.</summary>
    public long Seed { get; }
    /// <summary>Question words to ids.</summary>
    public CaptionVocabulary Vocabulary { get; }
    /// <summary>Scenes (the examples the trainer counts in batches).</summary>
    public int Count => Scenes.Count;

    /// <inheritdoc />
    public void BeginEpoch(int epoch) => _epoch = epoch;

    /// <summary>The questions about scene <paramref name="scene"/> in epoch <paramref name="epoch"/> (0: the evaluation questions).</summary>
    public SceneQuestion[] QuestionsOf(int scene, int epoch = 0)
    {
        if ((uint)scene >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(scene), $"scene {scene} is outside 0..{Count - 1}");
        ulong h = (ulong)Seed * 0x9E3779B97F4A7C15UL ^ (ulong)scene * 0xBF58476D1CE4E5B9UL ^ (ulong)epoch * 0x94D049BB133111EBUL;
        h ^= h >> 31; h *= 0xD6E8FEB86659FD93UL; h ^= h >> 29;
        var rng = new Random(unchecked((int)h ^ (int)(h >> 32)));
        var objects = Scenes.Objects![scene];
        var qs = new SceneQuestion[PerScene];
        for (int k = 0; k < PerScene; k++) qs[k] = SceneQuestions.Ask(objects, Scenes.Width, Kinds[k % Kinds.Length], rng);
        return qs;
    }

    /// <inheritdoc />
    public VqaBatch GetBatch(int[] indices)
    {
        var items = new List<SceneQuestion>();
        var sceneOf = new List<int>();
        var imageOf = new List<long>();
        for (int k = 0; k < indices.Length; k++)
            foreach (var q in QuestionsOf(indices[k], _epoch)) { items.Add(q); sceneOf.Add(indices[k]); imageOf.Add(k); }
        return Encode(Scenes.Images(indices), [.. imageOf], [.. items], [.. sceneOf], Vocabulary, Scenes.Device);
    }

    /// <summary>A batch of <paramref name="items"/> about <paramref name="images"/> (question i reads image <c>imageOf[i]</c>); unknown words are an error.</summary>
    public static VqaBatch Encode(Tensor images, long[] imageOf, SceneQuestion[] items, int[] sceneOf, CaptionVocabulary vocabulary, Device device)
    {
        var (ids, mask) = EncodeWords(items.Select(q => q.Words).ToArray(), vocabulary, device);
        var answers = items.Select(q => (long)SceneQuestions.AnswerId(q.Answer)).ToArray();
        return new VqaBatch(images, torch.tensor(imageOf, dtype: ScalarType.Int64).to(device), ids, mask,
            torch.tensor(answers, dtype: ScalarType.Int64).to(device), items, sceneOf);
    }

    /// <summary>Word ids <c>(N, T)</c> and real positions <c>(N, T)</c> of questions given as words; an empty question or an unknown word is an error naming it.</summary>
    public static (Tensor Ids, Tensor Mask) EncodeWords(IReadOnlyList<string[]> questions, CaptionVocabulary vocabulary, Device device)
    {
        if (questions.Count == 0) throw new ArgumentException("a batch needs at least one question");
        int t = questions.Max(q => q.Length);
        var ids = new long[questions.Count * t];
        var mask = new bool[questions.Count * t];
        for (int i = 0; i < questions.Count; i++)
        {
            if (questions[i].Length == 0) throw new ArgumentException($"question {i} is empty: a question needs at least one word");
            for (int j = 0; j < questions[i].Length; j++)
            {
                int id = vocabulary.IdOf(questions[i][j]);
                if (id == CaptionVocabulary.Unknown)
                    throw new ArgumentException($"unknown word '{questions[i][j]}' in question \"{string.Join(' ', questions[i])}\"; questions use: {string.Join(' ', vocabulary.Words)}");
                ids[i * t + j] = id;
                mask[i * t + j] = true;
            }
        }
        return (torch.tensor(ids, dtype: ScalarType.Int64).reshape(questions.Count, t).to(device),
            torch.tensor(mask, dtype: ScalarType.Bool).reshape(questions.Count, t).to(device));
    }
}
