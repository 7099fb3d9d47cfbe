namespace AttentionSharp.Data.Text;

/// <summary>Labelled texts in memory: the raw texts, their class indices and the class names.</summary>
public sealed class TextCorpus
{
    /// <summary>Creates a corpus; every label must index <paramref name="classNames"/>.</summary>
    public TextCorpus(string name, IReadOnlyList<string> texts, IReadOnlyList<int> labels, IReadOnlyList<string> classNames)
    {
        if (texts.Count != labels.Count) throw new ArgumentException($"a corpus needs one label per text; got {texts.Count} texts and {labels.Count} labels");
        if (classNames.Count < 2) throw new ArgumentException($"a classification corpus needs at least 2 classes; got {classNames.Count} ({string.Join(", ", classNames)})");
        int bad = labels.FirstOrDefault(l => l < 0 || l >= classNames.Count, -1);
        if (labels.Any(l => l < 0 || l >= classNames.Count)) throw new ArgumentException($"labels must be in 0..{classNames.Count - 1}; found {bad}");
        Name = name; Texts = texts; Labels = labels; ClassNames = classNames;
    }

    /// <summary>Task or file name, for messages.</summary>
    public string Name { get; }
    /// <summary>The texts.</summary>
    public IReadOnlyList<string> Texts { get; }
    /// <summary>Class index of each text.</summary>
    public IReadOnlyList<int> Labels { get; }
    /// <summary>Class names, by index.</summary>
    public IReadOnlyList<string> ClassNames { get; }
    /// <summary>Number of texts.</summary>
    public int Count => Texts.Count;

    /// <summary>Number of texts of each class.</summary>
    public int[] ClassCounts()
    {
        var c = new int[ClassNames.Count];
        foreach (var l in Labels) c[l]++;
        return c;
    }

    /// <summary>The corpus restricted to <paramref name="indices"/>, in that order.</summary>
    public TextCorpus Subset(IReadOnlyList<int> indices) =>
        new(Name, indices.Select(i => Texts[i]).ToList(), indices.Select(i => Labels[i]).ToList(), ClassNames);
}
