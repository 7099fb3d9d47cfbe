using System.Text.Json;
using System.Text.Json.Nodes;
using AttentionSharp.Data.Text;
using AttentionSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Models.TextClassification;

/// <summary>What a text-classifier checkpoint records besides weights: the task, the fold, where the data came from and the network options.</summary>
/// <param name="Task">Task name (see <see cref="TextTasks"/>).</param>
/// <param name="Folds">Number of cross-validation folds (1 = one fixed 90/10 split).</param>
/// <param name="Fold">0-based fold whose test part was held out (-1 when a separate test file was used).</param>
/// <param name="Seed">Seed of the folds and of training.</param>
/// <param name="TrainFile">CSV training file (task csv), else null.</param>
/// <param name="TestFile">CSV test file (task csv), else null.</param>
/// <param name="LabelColumn">CSV label column name.</param>
/// <param name="TextColumn">CSV text column name.</param>
/// <param name="Net">Network options.</param>
/// <param name="ValidFraction">Fraction of each training part held out (stratified, by the seed) to choose the best epoch;
/// 0 = none, the final epoch's weights are tested.</param>
/// <param name="Pretrained">How the word embeddings were initialised: null = at random, else the description of the
/// pretrained vectors (settings and training text).</param>
/// <param name="TrainFraction">Share of the fold's training part trained on (a stratified subset; 1 = all of it).</param>
/// <param name="Refit">After the validation part chose the number of epochs, a fresh model was trained on the whole training part
/// (validation included) for that many epochs and is the one kept and tested (needs <paramref name="ValidFraction"/> above 0).</param>
public sealed record TextClassificationRun(string Task, int Folds, int Fold, long Seed, string? TrainFile, string? TestFile,
    string LabelColumn, string TextColumn, TextClassifierOptions Net, double ValidFraction = 0, string? Pretrained = null, double TrainFraction = 1,
    bool Refit = false);

/// <summary>The prediction for one text: class probabilities, the tokens the model read and what it attended to.</summary>
/// <param name="ClassNames">Class names.</param>
/// <param name="Probabilities">Probability of each class.</param>
/// <param name="Tokens">Tokens read, one list per sentence (one list for flat models).</param>
/// <param name="WordWeights">Attention weight of each token (same shape as <paramref name="Tokens"/>), or null for pooling baselines.</param>
/// <param name="SentenceWeights">HAN: weight of each sentence, else null.</param>
public sealed record TextPrediction(IReadOnlyList<string> ClassNames, double[] Probabilities, List<List<string>> Tokens,
    List<double[]>? WordWeights, double[]? SentenceWeights)
{
    /// <summary>Index of the most probable class.</summary>
    public int Best => Array.IndexOf(Probabilities, Probabilities.Max());
    /// <summary>Name of the most probable class.</summary>
    public string Label => ClassNames[Best];
}

/// <summary>A trained text classifier with its vocabulary and class names: what a checkpoint holds, ready to predict and explain.</summary>
public sealed class TextClassifierBundle
{
    /// <summary>Checkpoint kind prefix; the kind is <c>textcls/MODEL</c>.</summary>
    public const string KindPrefix = "textcls";

    /// <summary>Bundles a classifier with its vocabulary and class names; the sizes must agree.</summary>
    public TextClassifierBundle(ITextClassifier classifier, Vocabulary vocabulary, IReadOnlyList<string> classNames, TextClassificationRun run)
    {
        if (vocabulary.Count != classifier.Options.VocabularySize)
            throw new ArgumentException($"vocabulary has {vocabulary.Count} entries but the model expects {classifier.Options.VocabularySize}");
        if (classNames.Count != classifier.Options.Classes)
            throw new ArgumentException($"{classNames.Count} class names given but the model has {classifier.Options.Classes} classes");
        Classifier = classifier; Vocabulary = vocabulary; ClassNames = classNames; Run = run;
        Encoder = new TextEncoder(vocabulary, classifier.Options);
    }

    /// <summary>The network.</summary>
    public ITextClassifier Classifier { get; }
    /// <summary>The vocabulary.</summary>
    public Vocabulary Vocabulary { get; }
    /// <summary>Class names by index.</summary>
    public IReadOnlyList<string> ClassNames { get; }
    /// <summary>How it was trained.</summary>
    public TextClassificationRun Run { get; }
    /// <summary>Text to model input.</summary>
    public TextEncoder Encoder { get; }

    /// <summary>The checkpoint kind of a model name.</summary>
    public static string KindOf(TextClassifierModel model) => $"{KindPrefix}/{AttentionSharp.Training.Variant.Name(model)}";

    /// <summary>The checkpoint identity: kind, run record, and the vocabulary and class names as extra payload.</summary>
    public static ModelIdentity Identity(TextClassificationRun run, Vocabulary vocabulary, IReadOnlyList<string> classNames) =>
        ModelIdentity.Of(KindOf(run.Net.Model), run, new JsonObject
        {
            ["vocabulary"] = vocabulary.ToJson(),
            ["classes"] = new JsonArray(classNames.Select(c => (JsonNode?)JsonValue.Create(c)).ToArray()),
        });

    /// <summary>Loads a checkpoint (file or run folder) written by a text-classifier run, on <paramref name="device"/>.</summary>
    public static TextClassifierBundle Load(string path, Device? device = null)
    {
        path = ResolvePath(path);
        var header = Checkpoint.ReadHeader(path);
        if (!header.Kind.StartsWith(KindPrefix + "/", StringComparison.Ordinal))
            throw new CheckpointException($"'{path}' holds a '{header.Kind}' model, not a text classifier ({KindPrefix}/...)");
        var run = header.Options.Deserialize<TextClassificationRun>(Checkpoint.Json) ?? throw new CheckpointException($"'{path}' has no text-classifier options");
        Vocabulary vocabulary;
        List<string> classes;
        try
        {
            vocabulary = Vocabulary.FromJson(header.Extra?["vocabulary"]);
            classes = (header.Extra?["classes"] as JsonArray)?.Select(n => n!.GetValue<string>()).ToList()
                      ?? throw new InvalidDataException("no class names");
        }
        catch (Exception e) when (e is InvalidDataException or InvalidOperationException or FormatException)
        {
            throw new CheckpointException($"'{path}' has no usable vocabulary/class names: {e.Message}", e);
        }
        if (vocabulary.Count != run.Net.VocabularySize)
            throw new CheckpointException($"'{path}': its vocabulary has {vocabulary.Count} entries but its model expects {run.Net.VocabularySize}; the checkpoint does not fit together");
        var classifier = Checkpoint.BuildFor(path, () => TextClassifiers.Create(run.Net));
        Checkpoint.Load(path, header.Kind, classifier.Module);
        if (device != null) classifier.Module.to(device);
        classifier.Module.eval();
        return new TextClassifierBundle(classifier, vocabulary, classes, run);
    }

    /// <summary>
    /// A checkpoint file as given; a run folder resolves to its best checkpoint, or to its first fold's (<c>fold-01</c>) when it
    /// holds folds; where that folder has a refit model (<see cref="RefitFolder"/>), to the refit model's.
    /// </summary>
    public static string ResolvePath(string path)
    {
        if (!Directory.Exists(path)) return path;
        bool hasOwn = File.Exists(Path.Combine(path, Checkpoint.BestFile)) || File.Exists(Path.Combine(path, Checkpoint.LastFile));
        var firstFold = Directory.GetDirectories(path, "fold-*").Order(StringComparer.Ordinal).FirstOrDefault();
        string folder = hasOwn || firstFold == null ? path : firstFold;
        string refit = Path.Combine(folder, RefitFolder);
        return Checkpoint.ResolveRunFolder(File.Exists(Path.Combine(refit, Checkpoint.BestFile)) ? refit : folder);
    }

    /// <summary>Sub-folder of a run (or fold) folder holding the refit model of <see cref="TextClassificationRun.Refit"/>, the one a folder resolves to.</summary>
    public const string RefitFolder = "refit";

    /// <summary>Classifies one text and returns the probabilities and attention weights; throws <see cref="ArgumentException"/> for a text with no words.</summary>
    public TextPrediction Predict(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = Encoder.Tokens(text);
        var ids = Encoder.Encode(text);
        var module = Classifier.Module;
        var device = module.parameters().First().device;
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        module.eval();
        var set = new EncodedTextSet([ids], [0], Classifier.Options.Hierarchical, device);
        var batch = set.GetBatch([0]);
        var output = Classifier.Classify(batch.Tokens, batch.Mask, needWeights: true);
        var probs = output.Logits.softmax(1)[0].to(ScalarType.Float64).cpu().data<double>().ToArray();
        List<double[]>? wordWeights = null;
        double[]? sentenceWeights = null;
        if (output.WordWeights is not null)
        {
            var w = output.WordWeights[0].to(ScalarType.Float64).cpu();
            if (Classifier.Options.Hierarchical)
                wordWeights = tokens.Select((s, i) => w[i].data<double>().ToArray()[..s.Count]).ToList();
            else
                wordWeights = [w.data<double>().ToArray()[..tokens[0].Count]];
        }
        if (output.SentenceWeights is not null)
            sentenceWeights = output.SentenceWeights[0].to(ScalarType.Float64).cpu().data<double>().ToArray()[..tokens.Count];
        return new TextPrediction(ClassNames, probs, tokens, wordWeights, sentenceWeights);
    }
}
