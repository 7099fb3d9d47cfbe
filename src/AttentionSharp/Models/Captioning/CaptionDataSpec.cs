using AttentionSharp.Data;
using AttentionSharp.Data.Captioning;
using AttentionSharp.Training;

namespace AttentionSharp.Models.Captioning;

/// <summary>Which captioning data and how it is generated; a checkpoint keeps it, so evaluation rebuilds the same test scenes.</summary>
/// <param name="Data"><c>scenes</c> (generated from MNIST and Fashion-MNIST) or the path of a captions file (JSON lines, see <see cref="CaptionFolder"/>).</param>
/// <param name="Canvas">Image side in pixels (scenes: the canvas; a captions file: every image must have it).</param>
/// <param name="MinObjects">Scenes: fewest objects.</param>
/// <param name="MaxObjects">Scenes: most objects.</param>
/// <param name="TrainSize">Scenes: training scenes.</param>
/// <param name="ValidSize">Scenes: validation scenes.</param>
/// <param name="TestSize">Scenes: test scenes, and as many compositional test scenes.</param>
/// <param name="HeldOut">Scenes: share of (object, relation, object) combinations held out for the compositional test.</param>
/// <param name="Seed">Scenes: generation seed.</param>
/// <param name="TrainReferences">Which reference each training image is paired with (<see cref="CaptionReferenceChoice"/>; validation and test use all references to score).</param>
public sealed record CaptionDataSpec(string Data = "scenes", int Canvas = 64, int MinObjects = 3, int MaxObjects = 3, int TrainSize = 20000,
    int ValidSize = 1000, int TestSize = 2000, double HeldOut = 0.1, long Seed = 22, CaptionReferenceChoice TrainReferences = CaptionReferenceChoice.Cycle)
{
    /// <summary>Whether the data are generated scenes.</summary>
    public bool IsScenes => Data == "scenes";

    /// <summary>The scene options of this spec.</summary>
    public SceneOptions Scenes => new(Canvas, MinObjects, MaxObjects, HeldOut: HeldOut);

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first property out of range.</summary>
    public void Validate()
    {
        if (Canvas < 16 || Canvas % 8 != 0) throw new ArgumentException($"Canvas must be a multiple of 8 and at least 16; got {Canvas}");
        if (!IsScenes) return;
        Scenes.Validate();
        if (TrainSize < 1) throw new ArgumentException($"TrainSize must be >= 1; got {TrainSize}");
        if (ValidSize < 1) throw new ArgumentException($"ValidSize must be >= 1; got {ValidSize}");
        if (TestSize < 1) throw new ArgumentException($"TestSize must be >= 1; got {TestSize}");
    }

    /// <summary>Generates or reads the splits (<paramref name="vocabulary"/>: a checkpoint's, else built from the data).</summary>
    public CaptionData Load(ExperimentContext context, CaptionVocabulary? vocabulary = null)
    {
        Validate();
        var log = context.Log;
        if (!IsScenes)
        {
            var (train, valid, test) = CaptionFolder.Load(Data, Canvas, vocabulary, context.Device);
            train.ReferenceChoice = TrainReferences;
            log.WriteLine($"{Data}: {train.Count} training, {valid.Count} validation, {test.Count} test images of {Canvas}x{Canvas}; {train.Vocabulary.Count - 4} words");
            return new CaptionData(train, valid, test, null, train.Vocabulary, []);
        }
        var (dTrain, dValid, dTest) = MnistLoader.Load(DatasetCatalog.Mnist, context.DataRoot, log, device: context.Device);
        var (fTrain, fValid, fTest) = MnistLoader.Load(DatasetCatalog.FashionMnist, context.DataRoot, log, device: context.Device);
        var splits = CaptionScenes.Generate(new ImageTaskData(dTrain, dValid, dTest), new ImageTaskData(fTrain, fValid, fTest), Scenes,
            TrainSize, ValidSize, TestSize, Seed, context.Device);
        splits.Train.ReferenceChoice = TrainReferences;
        log.WriteLine($"scenes: {Canvas}x{Canvas}, {MinObjects}-{MaxObjects} objects of {SceneGrammar.Classes} classes (MNIST digits, Fashion-MNIST items); " +
                      $"{TrainSize} training, {ValidSize} validation, {TestSize} test and {TestSize} compositional test scenes (seed {Seed}); " +
                      $"{splits.HeldOut.Length} held-out combinations, e.g. {string.Join(", ", splits.HeldOut.Take(3))}");
        return new CaptionData(splits.Train, splits.Valid, splits.Test, splits.Compositional, splits.Train.Vocabulary, splits.HeldOut);
    }
}

/// <summary>The splits of a captioning task.</summary>
/// <param name="Train">Training images.</param>
/// <param name="Valid">Validation images.</param>
/// <param name="Test">Test images.</param>
/// <param name="Compositional">Scenes: the compositional test, else null.</param>
/// <param name="Vocabulary">The words.</param>
/// <param name="HeldOut">Scenes: the held-out combinations.</param>
public sealed record CaptionData(CaptionDataset Train, CaptionDataset Valid, CaptionDataset Test, CaptionDataset? Compositional,
    CaptionVocabulary Vocabulary, SceneRelation[] HeldOut);
