namespace AttentionSharp.Data.Captioning;

/// <summary>The kinds of question asked about a scene.</summary>
public enum QuestionKind
{
    /// <summary>"is there a X": yes or no.</summary>
    Exist,
    /// <summary>"what is left of / right of / above / below the X": the nearest object in that direction on the scene's line, or "nothing".</summary>
    Relate,
    /// <summary>"where is the X": the 3x3 grid cell that holds it ("top-left" ... "bottom-right", "centre").</summary>
    Where,
}

/// <summary>A question about a scene, with its answer.</summary>
/// <param name="Kind">What is asked.</param>
/// <param name="Words">The question's words (lower case, no question mark).</param>
/// <param name="Answer">The answer, one of <see cref="SceneQuestions.Answers"/>.</param>
/// <param name="Focus">Index in the scene's objects of the object one must look at to answer (the asked object, or for <see cref="QuestionKind.Relate"/> the answer object); -1 when no object answers (a "no" or "nothing").</param>
/// <param name="Relation">For <see cref="QuestionKind.Relate"/> with an object answer: the relation it tests, in canonical direction; else null.</param>
public sealed record SceneQuestion(QuestionKind Kind, string[] Words, string Answer, int Focus, SceneRelation? Relation)
{
    /// <summary>The question as text, with its question mark.</summary>
    public string Text => string.Join(' ', Words) + " ?";
}

/// <summary>
/// Questions about the generated <c>scenes</c> (issue 22, question-guided attention): templates in the spirit of CLEVR
/// (Johnson et al. 2017) over the objects of <see cref="CaptionScenes"/>, answered exactly from the objects' boxes.
/// Three kinds, each balanced so that the question alone does not give the answer away: <see cref="QuestionKind.Exist"/>
/// asks about an object of the scene or one absent from it with equal chance; <see cref="QuestionKind.Relate"/> asks, three
/// times in four, for a neighbour that exists (a direction along the scene's line) and otherwise for one that does not;
/// <see cref="QuestionKind.Where"/> asks for an object's cell. The first two objects of a scene cycle through every
/// ordered pair of classes, so relation answers are spread evenly over the classes.
/// </summary>
public static class SceneQuestions
{
    /// <summary>The direction words of relation questions.</summary>
    public static readonly string[] Directions = ["left", "right", "above", "below"];

    /// <summary>The cell names of "where" answers, row-major over the 3x3 grid.</summary>
    public static readonly string[] Cells = ["top-left", "top", "top-right", "left", "centre", "right", "bottom-left", "bottom", "bottom-right"];

    /// <summary>Every answer: yes, no, nothing, the object words, the cells.</summary>
    public static readonly string[] Answers = ["yes", "no", "nothing", .. SceneGrammar.Words, .. Cells];

    /// <summary>The words questions are made of (function words, then the object words).</summary>
    public static readonly string[] Words = ["is", "there", "a", "what", "of", "the", "where", .. Directions, .. SceneGrammar.Words];

    /// <summary>The question vocabulary (special tokens, then <see cref="Words"/>).</summary>
    public static CaptionVocabulary Vocabulary() => new(Words);

    /// <summary>The id of an answer in <see cref="Answers"/>.</summary>
    public static int AnswerId(string answer)
    {
        int i = Array.IndexOf(Answers, answer);
        return i >= 0 ? i : throw new ArgumentException($"'{answer}' is not an answer; answers are {string.Join(", ", Answers)}");
    }

    /// <summary>The 3x3 cell (row, column) whose centre third holds the centre of <paramref name="box"/> on a <paramref name="canvas"/>-pixel canvas.</summary>
    public static (int Row, int Column) CellOf(ObjectBox box, int canvas)
    {
        double cy = box.Top + box.Height / 2.0, cx = box.Left + box.Width / 2.0;
        return (Math.Clamp((int)(cy * 3 / canvas), 0, 2), Math.Clamp((int)(cx * 3 / canvas), 0, 2));
    }

    /// <summary>The cell name of <paramref name="box"/> (<see cref="Cells"/>).</summary>
    public static string CellName(ObjectBox box, int canvas)
    {
        var (r, c) = CellOf(box, canvas);
        return Cells[r * 3 + c];
    }

    /// <summary>
    /// The nearest object from object <paramref name="from"/> in direction <paramref name="direction"/> (left, right, above,
    /// below) that shares its row (left/right) or column (above/below), or -1.
    /// </summary>
    public static int Neighbour(IReadOnlyList<SceneObject> scene, int from, string direction, int canvas)
    {
        var (r0, c0) = CellOf(scene[from].Box, canvas);
        int best = -1, bestDistance = int.MaxValue;
        for (int k = 0; k < scene.Count; k++)
        {
            if (k == from) continue;
            var (r, c) = CellOf(scene[k].Box, canvas);
            int d = direction switch
            {
                "left" when r == r0 && c < c0 => c0 - c,
                "right" when r == r0 && c > c0 => c - c0,
                "above" when c == c0 && r < r0 => r0 - r,
                "below" when c == c0 && r > r0 => r - r0,
                "left" or "right" or "above" or "below" => int.MaxValue,
                _ => throw new ArgumentException($"direction must be one of {string.Join(", ", Directions)}; got '{direction}'"),
            };
            if (d < bestDistance) { best = k; bestDistance = d; }
        }
        return best;
    }

    /// <summary>Asks one question of <paramref name="kind"/> about <paramref name="scene"/> (see the class summary).</summary>
    public static SceneQuestion Ask(IReadOnlyList<SceneObject> scene, int canvas, QuestionKind kind, Random rng)
    {
        if (scene.Count == 0) throw new ArgumentException("a scene needs at least one object to be asked about");
        switch (kind)
        {
            case QuestionKind.Exist:
            {
                bool present = rng.Next(2) == 0;
                int focus = -1;
                string word;
                if (present) { focus = rng.Next(scene.Count); word = scene[focus].Word; }
                else
                {
                    var absent = SceneGrammar.Words.Where(w => scene.All(o => o.Word != w)).ToArray();
                    word = absent[rng.Next(absent.Length)];
                }
                return new SceneQuestion(kind, ["is", "there", "a", word], present ? "yes" : "no", focus, null);
            }
            case QuestionKind.Relate:
            {
                var answered = new List<(int From, string Direction, int To)>();
                var unanswered = new List<(int From, string Direction)>();
                for (int k = 0; k < scene.Count; k++)
                    foreach (var d in Directions)
                    {
                        int to = Neighbour(scene, k, d, canvas);
                        if (to >= 0) answered.Add((k, d, to)); else unanswered.Add((k, d));
                    }
                bool withAnswer = answered.Count > 0 && (unanswered.Count == 0 || rng.Next(4) != 0);
                int from, toIndex = -1;
                string direction;
                if (withAnswer) (from, direction, toIndex) = answered[rng.Next(answered.Count)];
                else (from, direction) = unanswered[rng.Next(unanswered.Count)];
                string[] words = direction is "left" or "right"
                    ? ["what", "is", direction, "of", "the", scene[from].Word]
                    : ["what", "is", direction, "the", scene[from].Word];
                if (toIndex < 0) return new SceneQuestion(kind, words, "nothing", -1, null);
                string a = scene[from].Word, b = scene[toIndex].Word;
                // "what is left of the X" -> Y: Y left-of X; right -> X left-of Y; above -> Y above X; below -> X above Y.
                var relation = direction switch
                {
                    "left" => new SceneRelation(b, true, a),
                    "right" => new SceneRelation(a, true, b),
                    "above" => new SceneRelation(b, false, a),
                    _ => new SceneRelation(a, false, b),
                };
                return new SceneQuestion(kind, words, b, toIndex, relation);
            }
            case QuestionKind.Where:
            {
                int focus = rng.Next(scene.Count);
                return new SceneQuestion(kind, ["where", "is", "the", scene[focus].Word], CellName(scene[focus].Box, canvas), focus, null);
            }
            default: throw new ArgumentException($"unknown question kind {kind}");
        }
    }

    /// <summary>The words of a user's question: lower case, question marks and commas dropped.</summary>
    public static string[] Tokenize(string question) =>
        CaptionVocabulary.Tokenize(question.Replace('?', ' ').Replace(',', ' '));
}
