using System.Diagnostics;
using AttentionSharp.Data.Captioning;
using AttentionSharp.Models.Captioning;
using AttentionSharp.Native;
using AttentionSharp.Training;
using AttentionSharp.Visualization;
using static TorchSharp.torch;

namespace AttentionSharp.Models.QuestionAnswering;

/// <summary>What a question answering checkpoint records.</summary>
/// <param name="Data">The scenes (must be generated scenes: questions are answered from their objects).</param>
/// <param name="PerScene">Questions per scene and epoch.</param>
/// <param name="Net">The model options.</param>
public sealed record VqaRun(CaptionDataSpec Data, int PerScene, VqaOptions Net);

/// <summary>What to train.</summary>
/// <param name="Data">The scenes.</param>
/// <param name="Attention">Stacked attention or none.</param>
/// <param name="PerScene">Questions per scene and epoch (kinds cycle exist, relate, where).</param>
/// <param name="Features">Region feature channels.</param>
/// <param name="Embedding">Question word embedding size.</param>
/// <param name="Hidden">Size d of v_I, v_Q and u (even).</param>
/// <param name="AttentionHidden">Size k of h_A.</param>
/// <param name="Hops">Attention layers K.</param>
/// <param name="Dropout">Dropout before the answer classifier.</param>
public sealed record VqaTrainSpec(CaptionDataSpec Data, VqaAttention Attention = VqaAttention.Stacked, int PerScene = 3, int Features = 64, int Embedding = 64,
    int Hidden = 128, int AttentionHidden = 64, int Hops = 2, double Dropout = 0.0)
{
    /// <summary>The model options.</summary>
    public VqaOptions Options() => new(SceneQuestions.Vocabulary().Count, SceneQuestions.Answers.Length, Attention, Data.Canvas, Features, Embedding, Hidden,
        AttentionHidden, Hops, Dropout);

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first property out of range.</summary>
    public void Validate()
    {
        Data.Validate();
        if (!Data.IsScenes) throw new ArgumentException($"Data must be 'scenes': questions are asked and answered from the generated scenes' objects; got '{Data.Data}'");
        if (PerScene < 1) throw new ArgumentException($"PerScene must be >= 1; got {PerScene}");
        Options().Validate();
    }
}

/// <summary>What to draw.</summary>
/// <param name="Checkpoint">Checkpoint file, or run folder (its best checkpoint).</param>
/// <param name="Count">Questions drawn (from the first scenes of the split, all their questions).</param>
/// <param name="Split">test or compositional.</param>
/// <param name="Output">PNG file, or folder for <c>attention.png</c> (null: beside the checkpoint).</param>
public sealed record VqaShowSpec(string Checkpoint, int Count = 6, string Split = "test", string? Output = null);

/// <summary>What to answer: a user's questions file about the user's images.</summary>
/// <param name="Checkpoint">Checkpoint file, or run folder (its best checkpoint).</param>
/// <param name="Questions">JSON lines, one question each: <c>{"image": "a.png", "question": "is there a 7?", "answer": "yes"}</c>
/// (<c>answer</c> optional; images relative to the file's folder, of the model's size; colour becomes grey).</param>
/// <param name="Output">Where the answers go (JSON lines; null: <c>FILE.answers.jsonl</c> beside the questions).</param>
public sealed record VqaFileSpec(string Checkpoint, string Questions, string? Output = null);

/// <summary>A user's question about a user's image.</summary>
/// <param name="Checkpoint">Checkpoint file, or run folder (its best checkpoint).</param>
/// <param name="Image">The image (PNG, JPEG ...) of the model's size; colour is turned to grey.</param>
/// <param name="Question">The question, in the words of <see cref="SceneQuestions.Words"/> (a question mark is allowed).</param>
/// <param name="Output">PNG of the attention figure (null: beside the image, <c>NAME.vqa.png</c>).</param>
public sealed record VqaAskSpec(string Checkpoint, string Image, string Question, string? Output = null);

/// <summary>The figures of a set of answered questions.</summary>
/// <param name="Accuracy">Share of questions answered right (0..1).</param>
/// <param name="ByKind">Accuracy per question kind (NaN where none was asked).</param>
/// <param name="Grounding">Share of questions with a focus object whose last attention layer peaks in that object's box; NaN without attention.</param>
/// <param name="Grounded">Questions counted for <see cref="Grounding"/>.</param>
/// <param name="HeldOut">Accuracy on relation questions whose relation is a held-out combination (NaN where none).</param>
/// <param name="HeldOutCount">Questions counted for <see cref="HeldOut"/>.</param>
/// <param name="Prior">Accuracy of the question-only prior on the same questions.</param>
/// <param name="Count">Questions scored.</param>
/// <param name="GroundingByKind">Grounding per question kind (NaN where no question of the kind has a focus object, or without attention).</param>
public sealed record VqaScores(double Accuracy, IReadOnlyDictionary<QuestionKind, double> ByKind, double Grounding, int Grounded, double HeldOut, int HeldOutCount,
    double Prior, int Count, IReadOnlyDictionary<QuestionKind, double> GroundingByKind);

/// <summary>
/// The best answer from the question alone: for each question text, the answer most often right for it in the training
/// questions (epochs 1..<c>epochs</c>), else the most frequent answer of its kind. It measures how much a language prior
/// gives away; the data are built so that it is little (<see cref="SceneQuestions"/>).
/// </summary>
public sealed class QuestionPrior
{
    readonly Dictionary<string, string> _byText = [];
    readonly Dictionary<QuestionKind, string> _byKind = [];

    /// <summary>Counts the answers of the training questions of <paramref name="epochs"/> epochs.</summary>
    public QuestionPrior(QuestionDataset train, int epochs = 5)
    {
        var byText = new Dictionary<string, Dictionary<string, int>>();
        var byKind = new Dictionary<QuestionKind, Dictionary<string, int>>();
        static void Count<TKey>(Dictionary<TKey, Dictionary<string, int>> d, TKey key, string answer) where TKey : notnull
        {
            if (!d.TryGetValue(key, out var c)) d[key] = c = [];
            c[answer] = c.GetValueOrDefault(answer) + 1;
        }
        for (int e = 1; e <= epochs; e++)
            for (int s = 0; s < train.Count; s++)
                foreach (var q in train.QuestionsOf(s, e)) { Count(byText, q.Text, q.Answer); Count(byKind, q.Kind, q.Answer); }
        static string Best(Dictionary<string, int> c) => c.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).First().Key;
        foreach (var (k, c) in byText) _byText[k] = Best(c);
        foreach (var (k, c) in byKind) _byKind[k] = Best(c);
    }

    /// <summary>The prior's answer to <paramref name="question"/>.</summary>
    public string Answer(SceneQuestion question) =>
        _byText.TryGetValue(question.Text, out var a) ? a : _byKind.TryGetValue(question.Kind, out var k) ? k : "yes";
}

/// <summary>
/// Visual question answering on the generated scenes as an experiment (issue 22, multimodal attention): <see cref="Train"/>
/// trains stacked attention or the no-attention peer with early stopping on the validation answer error, then scores the
/// best checkpoint on the test scenes and the compositional test beside the question-only prior; <see cref="Evaluate"/>
/// rescores a checkpoint; <see cref="Show"/> draws each question's attention maps; <see cref="Ask"/> answers a user's
/// question about a user's image. <c>attn vqa train|eval|show|run</c> call these.
/// </summary>
public static class VqaExperiment
{
    /// <summary>Checkpoint kind.</summary>
    public const string Kind = "vqa";

    /// <summary>Seeds of the question sets: training, validation, test and compositional questions differ.</summary>
    static (QuestionDataset Train, QuestionDataset Valid, QuestionDataset Test, QuestionDataset? Compositional, SceneRelation[] HeldOut) Questions(
        VqaRun run, ExperimentContext context)
    {
        var data = run.Data.Load(context);
        long s = run.Data.Seed * 1000;
        return (new QuestionDataset(data.Train, run.PerScene, s + 1), new QuestionDataset(data.Valid, run.PerScene, s + 2),
            new QuestionDataset(data.Test, run.PerScene, s + 3), data.Compositional == null ? null : new QuestionDataset(data.Compositional, run.PerScene, s + 4),
            data.HeldOut);
    }

    /// <summary>Trains a question answering model in <see cref="TrainerOptions.OutDir"/> and tests it.</summary>
    public static RunResult Train(VqaTrainSpec spec, TrainerOptions trainer, ExperimentContext context)
    {
        string outDir = RunFolder.Start(spec.Validate, trainer);
        var log = context.Log;
        log.WriteLine($"run folder: {outDir}");
        var net = spec.Options();
        var run = new VqaRun(spec.Data, spec.PerScene, net);
        var sets = Questions(run, context);
        log.WriteLine($"questions: {spec.PerScene} per scene and epoch (exist, relate, where), {SceneQuestions.Answers.Length} answers; " +
                      $"{net.Attention switch { VqaAttention.Stacked => $"stacked attention, {net.Hops} layer(s)", VqaAttention.None => "no attention (mean of the regions)", _ => "no attention (the flattened grid of regions)" }}, " +
                      $"{net.Grid}x{net.Grid} regions, d = {net.Hidden}, k = {net.AttentionHidden}");
        var (model, summary, clock) = RunFolder.Fit<VqaBatch, StackedAttentionNetwork>(trainer, context, ModelIdentity.Of(Kind, run),
            () => new StackedAttentionNetwork(net), m => new VqaTask(m), sets.Train, sets.Valid);
        var result = Score(model, sets, run, context);
        result.Add("parameters", model.parameters().Sum(p => p.numel())).AddTraining(summary, clock.Elapsed.TotalSeconds, trainer);
        string png = Path.Combine(outDir, "attention.png");
        Draw(model, sets.Compositional ?? sets.Test, 6, png);
        result.Add("png", png);
        result.Save(Path.Combine(outDir, "result.json"));
        return result;
    }

    /// <summary>Loads a question answering checkpoint onto <paramref name="device"/>.</summary>
    public static (string Path, VqaRun Run, StackedAttentionNetwork Model) Load(string checkpoint, Device device) =>
        RunFolder.LoadModel<VqaRun, StackedAttentionNetwork>(checkpoint, Kind, "a question answering model", r => new StackedAttentionNetwork(r.Net), device);

    /// <summary>Scores a checkpoint on its test and compositional questions; writes <c>eval-result.json</c>.</summary>
    public static RunResult Evaluate(string checkpoint, ExperimentContext context)
    {
        var (path, run, model) = Load(checkpoint, context.Device);
        var sets = Questions(run, context);
        var clock = Stopwatch.StartNew();
        var result = Score(model, sets, run, context);
        return RunFolder.FinishEval(result, sets.Test.Count * run.PerScene, clock.Elapsed.TotalSeconds, path, "test_questions");
    }

    /// <summary>Draws the attention maps of the questions about the first scenes of a split.</summary>
    public static RunResult Show(VqaShowSpec spec, ExperimentContext context)
    {
        if (spec.Count < 1) throw new ArgumentException($"Count must be >= 1; got {spec.Count}");
        if (spec.Split is not ("test" or "compositional")) throw new ArgumentException($"Split must be test or compositional; got '{spec.Split}'");
        var (path, run, model) = Load(spec.Checkpoint, context.Device);
        var sets = Questions(run, context);
        var set = spec.Split == "compositional" ? sets.Compositional ?? throw new ArgumentException("these scenes have no compositional split (HeldOut = 0)") : sets.Test;
        string png = RunFolder.PngPath(spec.Output, path, "attention.png");
        var dir = Path.GetDirectoryName(Path.GetFullPath(png));
        if (dir != null) Directory.CreateDirectory(dir);
        int right = Draw(model, set, spec.Count, png);
        return new RunResult().Add("png", Path.GetFullPath(png)).Add("questions", Math.Min(spec.Count, set.Count * set.PerScene)).Add("right", right);
    }

    /// <summary>Answers a user's question about a user image; the result holds the answer, its probability, the next two and the figure's path.</summary>
    public static (string Answer, RunResult Result) Ask(VqaAskSpec spec, ExperimentContext context)
    {
        var (_, run, model) = Load(spec.Checkpoint, context.Device);
        var words = SceneQuestions.Tokenize(spec.Question);
        if (words.Length == 0) throw new ArgumentException("the question is empty");
        int size = run.Net.ImageSize;
        var grey = CaptionFolder.ReadGrey(spec.Image, size, size);
        var vocab = SceneQuestions.Vocabulary();
        model.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (ids, mask) = QuestionDataset.EncodeWords([words], vocab, context.Device);
        var images = CaptionFolder.GreyTensor(grey, 1, size, context.Device);
        var pass = model.Forward(images, zeros(1, dtype: ScalarType.Int64, device: context.Device), ids, mask);
        var probs = nn.functional.softmax(pass.Logits, 1)[0].cpu().data<float>().ToArray();
        var ranked = Enumerable.Range(0, probs.Length).OrderByDescending(i => probs[i]).Take(3).ToArray();
        string answer = SceneQuestions.Answers[ranked[0]];
        string png = spec.Output ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(spec.Image))!, Path.GetFileNameWithoutExtension(spec.Image) + ".vqa.png");
        var maps = HopMaps(pass.Weights, 0);
        CaptionFigure.SavePng(png, [new CaptionExample(grey, size, maps == null ? [] : HopNames(maps.Length), maps, run.Net.Grid,
            $"{string.Join(' ', words)} ? -> {answer} ({probs[ranked[0]]:P0})", "image")]);
        var result = new RunResult().Add("answer", answer).Add("probability", Math.Round(probs[ranked[0]], 4))
            .Add("next", string.Join(",", ranked.Skip(1).Select(i => $"{SceneQuestions.Answers[i]}:{probs[i]:0.000}"))).Add("png", Path.GetFullPath(png));
        return (answer, result);
    }

    /// <summary>One line of a user's questions file.</summary>
    sealed record UserQuestion(int Line, string Image, string[] Words, string Text, string? Answer);

    /// <summary>
    /// Answers every question of a user's JSON-lines file (see <see cref="VqaFileSpec"/>) and writes one JSON line per question
    /// (image, question, predicted answer, its probability, the given answer and whether it matched). The result counts the
    /// questions and, where answers were given, the accuracy. A malformed line, an unknown word, an answer the model cannot
    /// give or a missing image is an error naming the line; nothing is written then.
    /// </summary>
    public static RunResult AnswerFile(VqaFileSpec spec, ExperimentContext context)
    {
        if (!File.Exists(spec.Questions)) throw new FileNotFoundException($"no questions file '{spec.Questions}'", spec.Questions);
        var (path, run, model) = Load(spec.Checkpoint, context.Device);
        string folder = Path.GetDirectoryName(Path.GetFullPath(spec.Questions))!;
        var items = new List<UserQuestion>();
        int lineNo = 0;
        foreach (var raw in File.ReadLines(spec.Questions))
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(raw)) continue;
            string Where() => $"{spec.Questions}, line {lineNo}";
            System.Text.Json.Nodes.JsonObject obj;
            try { obj = System.Text.Json.Nodes.JsonNode.Parse(raw) as System.Text.Json.Nodes.JsonObject ?? throw new InvalidDataException($"{Where()}: expected a JSON object"); }
            catch (System.Text.Json.JsonException e) { throw new InvalidDataException($"{Where()}: not JSON ({e.Message})"); }
            string Text(string key, bool required)
            {
                var node = obj[key];
                if (node == null) return required ? throw new InvalidDataException($"{Where()}: no \"{key}\"") : null!;
                try { return node.GetValue<string>(); }
                catch (Exception e) when (e is InvalidOperationException or FormatException) { throw new InvalidDataException($"{Where()}: \"{key}\" must be a string"); }
            }
            string image = Text("image", true), question = Text("question", true);
            string? answer = obj.ContainsKey("answer") ? Text("answer", true).Trim().ToLowerInvariant() : null;
            if (answer != null && !SceneQuestions.Answers.Contains(answer))
                throw new InvalidDataException($"{Where()}: answer '{answer}' is not one the model can give ({string.Join(", ", SceneQuestions.Answers)})");
            var words = SceneQuestions.Tokenize(question);
            if (words.Length == 0) throw new InvalidDataException($"{Where()}: the question is empty");
            string imagePath = Path.IsPathRooted(image) ? image : Path.Combine(folder, image);
            if (!File.Exists(imagePath)) throw new FileNotFoundException($"{Where()}: no image '{imagePath}'", imagePath);
            items.Add(new UserQuestion(lineNo, imagePath, words, question, answer));
        }
        if (items.Count == 0) throw new InvalidDataException($"{spec.Questions}: no questions");
        var vocab = SceneQuestions.Vocabulary();
        foreach (var q in items)
        {
            try { QuestionDataset.EncodeWords([q.Words], vocab, CPU); }
            catch (ArgumentException e) { throw new InvalidDataException($"{spec.Questions}, line {q.Line}: {e.Message}"); }
        }
        int size = run.Net.ImageSize;
        var images = items.Select(q => q.Image).Distinct().ToList();
        var pixels = new byte[images.Count * size * size];
        for (int i = 0; i < images.Count; i++) CaptionFolder.ReadGrey(images[i], size, size).CopyTo(pixels, i * size * size);
        var imageIndex = images.Select((p, i) => (p, i)).ToDictionary(x => x.p, x => x.i);
        model.eval();
        var lines = new System.Text.StringBuilder();
        int answered = 0, right = 0;
        using (no_grad())
        {
            for (int start = 0; start < items.Count; start += 128)
            {
                using var scope = NewDisposeScope();
                var chunk = items.Skip(start).Take(128).ToList();
                var used = chunk.Select(q => imageIndex[q.Image]).Distinct().ToList();
                var rowOf = used.Select((img, r) => (img, r)).ToDictionary(x => x.img, x => x.r);
                var batchPixels = new byte[used.Count * size * size];
                for (int r = 0; r < used.Count; r++) Array.Copy(pixels, used[r] * size * size, batchPixels, r * size * size, size * size);
                var batchImages = CaptionFolder.GreyTensor(batchPixels, used.Count, size, context.Device);
                var imageOf = tensor(chunk.Select(q => (long)rowOf[imageIndex[q.Image]]).ToArray(), dtype: ScalarType.Int64).to(context.Device);
                var (ids, mask) = QuestionDataset.EncodeWords(chunk.Select(q => q.Words).ToArray(), vocab, context.Device);
                var probs = nn.functional.softmax(model.Forward(batchImages, imageOf, ids, mask).Logits, 1).cpu();
                var best = probs.argmax(1).data<long>().ToArray();
                for (int i = 0; i < chunk.Count; i++)
                {
                    var q = chunk[i];
                    string predicted = SceneQuestions.Answers[best[i]];
                    double p = probs[i, best[i]].item<float>();
                    var line = new System.Text.Json.Nodes.JsonObject
                    {
                        ["line"] = q.Line, ["image"] = Path.GetRelativePath(folder, q.Image), ["question"] = q.Text,
                        ["predicted"] = predicted, ["probability"] = Math.Round(p, 4),
                    };
                    if (q.Answer != null)
                    {
                        answered++;
                        if (q.Answer == predicted) right++;
                        line["answer"] = q.Answer;
                        line["correct"] = q.Answer == predicted;
                    }
                    lines.Append(line.ToJsonString()).Append('\n');
                }
            }
        }
        string output = spec.Output ?? Path.Combine(folder, Path.GetFileNameWithoutExtension(spec.Questions) + ".answers.jsonl");
        AtomicFile.WriteAllText(output, lines.ToString());
        var result = new RunResult().Add("questions", items.Count).Add("images", images.Count).Add("with_answers", answered);
        if (answered > 0) result.Add("accuracy", new Percent(100.0 * right / answered));
        return result.Add("answers", Path.GetFullPath(output)).Add("checkpoint", path);
    }

    static string[] HopNames(int hops) => Enumerable.Range(1, hops).Select(k => $"layer {k}").ToArray();

    static float[][]? HopMaps(Tensor? weights, int row)
    {
        if (weights is null) return null;
        var w = weights[row].cpu();                                               // (K, L)
        return Enumerable.Range(0, (int)w.shape[0]).Select(k => w[k].data<float>().ToArray()).ToArray();
    }

    /// <summary>Answers every evaluation question of <paramref name="set"/> (batches of 128 scenes): per question, the predicted answer and the last layer's map (null without attention).</summary>
    public static List<(SceneQuestion Question, int Scene, string Predicted, float[][]? Maps)> AnswerAll(StackedAttentionNetwork model, QuestionDataset set)
    {
        model.eval();
        set.BeginEpoch(0);
        var all = new List<(SceneQuestion, int, string, float[][]?)>(set.Count * set.PerScene);
        for (int start = 0; start < set.Count; start += 128)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var batch = set.GetBatch(Enumerable.Range(start, Math.Min(128, set.Count - start)).ToArray());
            var pass = model.Forward(batch.Images, batch.ImageOf, batch.Questions, batch.Mask);
            var predicted = pass.Logits.argmax(1).cpu().data<long>().ToArray();
            var weights = pass.Weights?.cpu();
            for (int i = 0; i < batch.Items.Length; i++)
                all.Add((batch.Items[i], batch.SceneOf[i], SceneQuestions.Answers[predicted[i]], HopMaps(weights, i)));
        }
        return all;
    }

    /// <summary>Scores <paramref name="set"/>'s evaluation questions (see <see cref="VqaScores"/>).</summary>
    public static VqaScores ScoreSet(StackedAttentionNetwork model, QuestionDataset set, QuestionPrior prior, IReadOnlySet<SceneRelation> heldOut)
    {
        var answered = AnswerAll(model, set);
        if (answered.Count == 0) throw new ArgumentException("no questions to score");
        int right = 0, priorRight = 0, grounded = 0, groundedCount = 0, heldRight = 0, heldCount = 0;
        var kindRight = new Dictionary<QuestionKind, int>();
        var kindCount = new Dictionary<QuestionKind, int>();
        var kindGrounded = new Dictionary<QuestionKind, int>();
        var kindFocus = new Dictionary<QuestionKind, int>();
        foreach (var (q, scene, predicted, maps) in answered)
        {
            bool ok = predicted == q.Answer;
            if (ok) right++;
            if (prior.Answer(q) == q.Answer) priorRight++;
            kindCount[q.Kind] = kindCount.GetValueOrDefault(q.Kind) + 1;
            if (ok) kindRight[q.Kind] = kindRight.GetValueOrDefault(q.Kind) + 1;
            if (q.Relation is { } r && heldOut.Contains(r)) { heldCount++; if (ok) heldRight++; }
            if (maps != null && q.Focus >= 0)
            {
                groundedCount++;
                kindFocus[q.Kind] = kindFocus.GetValueOrDefault(q.Kind) + 1;
                if (CaptionMetrics.PeakInside(maps[^1], model.Options.Grid, model.Options.ImageSize, set.Scenes.Objects![scene][q.Focus].Box))
                {
                    grounded++;
                    kindGrounded[q.Kind] = kindGrounded.GetValueOrDefault(q.Kind) + 1;
                }
            }
        }
        var byKind = Enum.GetValues<QuestionKind>().ToDictionary(k => k, k => kindCount.TryGetValue(k, out var n) ? (double)kindRight.GetValueOrDefault(k) / n : double.NaN);
        return new VqaScores((double)right / answered.Count, byKind, groundedCount == 0 ? double.NaN : (double)grounded / groundedCount, groundedCount,
            heldCount == 0 ? double.NaN : (double)heldRight / heldCount, heldCount, (double)priorRight / answered.Count, answered.Count,
            Enum.GetValues<QuestionKind>().ToDictionary(k => k, k => kindFocus.TryGetValue(k, out var n) ? (double)kindGrounded.GetValueOrDefault(k) / n : double.NaN));
    }

    static RunResult Score(StackedAttentionNetwork model, (QuestionDataset Train, QuestionDataset Valid, QuestionDataset Test, QuestionDataset? Compositional, SceneRelation[] HeldOut) sets,
        VqaRun run, ExperimentContext context)
    {
        var prior = new QuestionPrior(sets.Train);
        var held = sets.HeldOut.ToHashSet();
        var result = new RunResult().Add("data", "scenes").Add("attention", Variant.Name(run.Net.Attention))
            .Add("hops", run.Net.Attention == VqaAttention.Stacked ? run.Net.Hops : 0).Add("objects", $"{run.Data.MinObjects}-{run.Data.MaxObjects}");
        void Add(string prefix, VqaScores s)
        {
            result.Add(prefix + "acc", new Percent(100 * s.Accuracy));
            foreach (var (k, a) in s.ByKind) if (!double.IsNaN(a)) result.Add($"{prefix}{k.ToString().ToLowerInvariant()}_acc", new Percent(100 * a));
            if (!double.IsNaN(s.HeldOut)) result.Add(prefix + "heldout_relate_acc", new Percent(100 * s.HeldOut));
            if (!double.IsNaN(s.Grounding)) result.Add(prefix + "grounding", new Percent(100 * s.Grounding));
            foreach (var (k, g) in s.GroundingByKind) if (!double.IsNaN(g)) result.Add($"{prefix}{k.ToString().ToLowerInvariant()}_grounding", new Percent(100 * g));
            result.Add(prefix + "prior_acc", new Percent(100 * s.Prior));
        }
        var test = ScoreSet(model, sets.Test, prior, held);
        Add("test_", test);
        context.Log.WriteLine($"test: {test.Count} questions, accuracy {100 * test.Accuracy:0.00}% (question-only prior {100 * test.Prior:0.00}%)" +
                              (double.IsNaN(test.Grounding) ? "" : $", grounding {100 * test.Grounding:0.00}% of {test.Grounded} questions"));
        if (sets.Compositional != null)
        {
            var comp = ScoreSet(model, sets.Compositional, prior, held);
            Add("comp_", comp);
            context.Log.WriteLine($"compositional test: {comp.Count} questions, accuracy {100 * comp.Accuracy:0.00}%, " +
                                  $"{comp.HeldOutCount} about a held-out relation: {100 * comp.HeldOut:0.00}%");
        }
        return result;
    }

    static int Draw(StackedAttentionNetwork model, QuestionDataset set, int count, string png)
    {
        int scenes = Math.Min(set.Count, (count + set.PerScene - 1) / set.PerScene);
        var answered = AnswerAll(model, new QuestionDataset(set.Scenes.Take(scenes), set.PerScene, set.Seed)).Take(count).ToList();
        var examples = answered.Select(a => new CaptionExample(set.Scenes.Pixels(a.Scene).ToArray(), set.Scenes.Height,
            a.Maps == null ? [] : HopNames(a.Maps.Length), a.Maps, model.Options.Grid,
            $"#{a.Scene}: {a.Question.Text} -> {a.Predicted} ({(a.Predicted == a.Question.Answer ? "right" : "answer: " + a.Question.Answer)})", "image")).ToList();
        CaptionFigure.SavePng(png, examples);
        return answered.Count(a => a.Predicted == a.Question.Answer);
    }
}
