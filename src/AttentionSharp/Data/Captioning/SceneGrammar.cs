namespace AttentionSharp.Data.Captioning;

/// <summary>An object placed on a scene canvas: its class (0-9 MNIST digits, 10-19 Fashion-MNIST items), its word and its box in pixels.</summary>
/// <param name="Class">Object class: 0-9 a digit, 10-19 a Fashion-MNIST item (<see cref="SceneGrammar.Words"/>).</param>
/// <param name="Word">The caption word that names it.</param>
/// <param name="Box">Where it was drawn (the whole pasted sprite, not only its ink).</param>
public readonly record struct SceneObject(int Class, string Word, ObjectBox Box);

/// <summary>A relation between two objects in canonical direction: <c>First</c> is left of (<c>Horizontal</c>) or above <c>Second</c>.</summary>
/// <param name="First">Word of the left (or upper) object.</param>
/// <param name="Horizontal">true: "left of"; false: "above".</param>
/// <param name="Second">Word of the right (or lower) object.</param>
public readonly record struct SceneRelation(string First, bool Horizontal, string Second)
{
    /// <inheritdoc />
    public override string ToString() => $"{First} {(Horizontal ? "left-of" : "above")} {Second}";
}

/// <summary>
/// The caption grammar of the <c>scenes</c> task. Objects stand on one line of the 3x3 grid (a row or a column), named in
/// order; a caption chains them with a relation ("a 3 left of a sandal left of a bag"), or states each neighbouring pair
/// joined by "and", in either direction ("a bag right of a sandal right of a 3"). One object: "a 3", "there is a 3", "one 3".
/// Every scene has four references (three for one object); the first is the canonical one.
/// </summary>
public static class SceneGrammar
{
    /// <summary>The word of each class: digits 0-9, then Fashion-MNIST's ten items (label 0 "T-shirt/top" is "top").</summary>
    public static readonly string[] Words =
        ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "boot"];

    /// <summary>Number of object classes.</summary>
    public static int Classes => Words.Length;

    /// <summary>The words of the grammar besides the object words.</summary>
    public static readonly string[] FunctionWords = ["a", "is", "of", "left", "right", "above", "below", "and", "there", "one"];

    /// <summary>The references of objects <paramref name="words"/> in order along a line (left to right when <paramref name="horizontal"/>, else top to bottom).</summary>
    public static string[] References(IReadOnlyList<string> words, bool horizontal)
    {
        if (words.Count < 1) throw new ArgumentException("a scene needs at least one object");
        if (words.Count == 1) return [$"a {words[0]}", $"there is a {words[0]}", $"one {words[0]}"];
        string forward = horizontal ? "left of" : "above", backward = horizontal ? "right of" : "below";
        var rev = words.Reverse().ToArray();
        string Chain(IReadOnlyList<string> w, string rel) => string.Join($" {rel} ", w.Select(x => "a " + x));
        string Pairs(IReadOnlyList<string> w, string rel) =>
            string.Join(" and ", Enumerable.Range(0, w.Count - 1).Select(i => $"a {w[i]} {rel} a {w[i + 1]}"));
        if (words.Count == 2)
            return [Chain(words, forward), Chain(rev, backward), $"a {words[0]} is {forward} a {words[1]}", $"a {words[1]} is {backward} a {words[0]}"];
        return [Chain(words, forward), Chain(rev, backward), Pairs(words, forward), Pairs(rev, backward)];
    }

    /// <summary>The relations between neighbouring objects of a line, in canonical direction.</summary>
    public static SceneRelation[] Relations(IReadOnlyList<string> words, bool horizontal) =>
        Enumerable.Range(0, Math.Max(0, words.Count - 1)).Select(i => new SceneRelation(words[i], horizontal, words[i + 1])).ToArray();

    /// <summary>
    /// What a caption states: the object words it names and the relations, read from the grammar's shape: each relation
    /// word links the nearest object word before it to the nearest after it; "right of" and "below" are turned round.
    /// Words outside the grammar are ignored, so a malformed caption yields what it still says.
    /// </summary>
    public static (string[] Objects, SceneRelation[] Relations) Parse(IReadOnlyList<string> tokens)
    {
        var objects = new List<string>();
        var relations = new List<SceneRelation>();
        var objectWords = new HashSet<string>(Words);
        for (int i = 0; i < tokens.Count; i++)
        {
            string t = tokens[i];
            if (objectWords.Contains(t)) { objects.Add(t); continue; }
            int dir = t switch { "left" => 0, "right" => 1, "above" => 2, "below" => 3, _ => -1 };
            if (dir < 0) continue;
            string? before = null, after = null;
            for (int k = i - 1; k >= 0 && before == null; k--) if (objectWords.Contains(tokens[k])) before = tokens[k];
            for (int k = i + 1; k < tokens.Count && after == null; k++) if (objectWords.Contains(tokens[k])) after = tokens[k];
            if (before == null || after == null) continue;
            relations.Add(dir switch
            {
                0 => new SceneRelation(before, true, after),
                1 => new SceneRelation(after, true, before),
                2 => new SceneRelation(before, false, after),
                _ => new SceneRelation(after, false, before),
            });
        }
        return ([.. objects], [.. relations]);
    }
}
