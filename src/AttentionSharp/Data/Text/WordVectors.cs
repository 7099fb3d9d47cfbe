using System.Text;
using AttentionSharp.Training;

namespace AttentionSharp.Data.Text;

/// <summary>
/// A table of word vectors: each word's row of <see cref="Dimension"/> floats in one array, row i for word i.
/// Saved as a small binary file (magic <c>ASWV1</c>, a description, word count, dimension, then each word and its
/// floats), written atomically; loading a foreign or truncated file fails with a message naming it.
/// </summary>
public sealed class WordVectors
{
    const string Magic = "ASWV1";
    readonly Dictionary<string, int> _index;

    /// <summary>Creates a table; <paramref name="vectors"/> holds <c>words.Count x dimension</c> floats, row-major.</summary>
    public WordVectors(IReadOnlyList<string> words, float[] vectors, int dimension, string description = "")
    {
        if (dimension < 1) throw new ArgumentException($"word vectors need a positive dimension; got {dimension}");
        if (vectors.Length != (long)words.Count * dimension)
            throw new ArgumentException($"word vectors must hold words x dimension = {words.Count} x {dimension} = {(long)words.Count * dimension} floats; got {vectors.Length}");
        _index = new Dictionary<string, int>(words.Count, StringComparer.Ordinal);
        for (int i = 0; i < words.Count; i++)
            if (!_index.TryAdd(words[i], i)) throw new ArgumentException($"word '{words[i]}' appears twice in the word vectors (rows {_index[words[i]]} and {i})");
        Words = words; Vectors = vectors; Dimension = dimension; Description = description;
    }

    /// <summary>The words, by row.</summary>
    public IReadOnlyList<string> Words { get; }
    /// <summary>The vectors, row-major (<c>Count x Dimension</c>).</summary>
    public float[] Vectors { get; }
    /// <summary>Floats per vector.</summary>
    public int Dimension { get; }
    /// <summary>How the vectors were made (settings and training text).</summary>
    public string Description { get; }
    /// <summary>Number of words.</summary>
    public int Count => Words.Count;

    /// <summary>The row of <paramref name="word"/>, or -1 when it has no vector.</summary>
    public int IndexOf(string word) => _index.TryGetValue(word, out int i) ? i : -1;

    /// <summary>The vector of <paramref name="word"/> (a view into <see cref="Vectors"/>); throws <see cref="KeyNotFoundException"/> when it has none.</summary>
    public ReadOnlySpan<float> this[string word]
    {
        get
        {
            int i = IndexOf(word);
            if (i < 0) throw new KeyNotFoundException($"'{word}' has no word vector ({Count} words known)");
            return Vectors.AsSpan(i * Dimension, Dimension);
        }
    }

    /// <summary>Cosine similarity of two words' vectors (0 when either vector is zero).</summary>
    public double Cosine(string a, string b) => Cosine(this[a], this[b]);

    /// <summary>Cosine similarity of two vectors of equal length (0 when either is zero).</summary>
    public static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"cosine needs vectors of equal length; got {a.Length} and {b.Length}");
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++) { dot += (double)a[i] * b[i]; na += (double)a[i] * a[i]; nb += (double)b[i] * b[i]; }
        return na == 0 || nb == 0 ? 0 : dot / Math.Sqrt(na * nb);
    }

    /// <summary>The <paramref name="k"/> words nearest to <paramref name="word"/> by cosine, best first (the word itself excluded).</summary>
    public List<(string Word, double Cosine)> Nearest(string word, int k)
    {
        var v = this[word];
        var scored = new List<(string, double)>(Count);
        for (int i = 0; i < Count; i++)
            if (Words[i] != word) scored.Add((Words[i], Cosine(v, Vectors.AsSpan(i * Dimension, Dimension))));
        return scored.OrderByDescending(s => s.Item2).ThenBy(s => s.Item1, StringComparer.Ordinal).Take(k).ToList();
    }

    /// <summary>Writes the table to <paramref name="path"/> atomically.</summary>
    public void Save(string path) => AtomicFile.Write(path, s =>
    {
        using var w = new BinaryWriter(s, Encoding.UTF8, leaveOpen: true);
        w.Write(Magic);
        w.Write(Description);
        w.Write(Count);
        w.Write(Dimension);
        for (int i = 0; i < Count; i++)
        {
            w.Write(Words[i]);
            for (int j = 0; j < Dimension; j++) w.Write(Vectors[i * Dimension + j]);
        }
    });

    /// <summary>Reads a table written by <see cref="Save"/>; throws <see cref="InvalidDataException"/> for any other file.</summary>
    public static WordVectors Load(string path)
    {
        try
        {
            using var r = new BinaryReader(File.OpenRead(path), Encoding.UTF8);
            var head = r.ReadBytes(Magic.Length + 1);                      // BinaryWriter's string: length byte, then the characters
            if (head.Length != Magic.Length + 1 || head[0] != Magic.Length || Encoding.ASCII.GetString(head, 1, Magic.Length) != Magic)
                throw new InvalidDataException($"'{path}' is not a word-vector file (no {Magic} header)");
            string description = r.ReadString();
            int count = r.ReadInt32(), dim = r.ReadInt32();
            if (count < 0 || dim < 1) throw new InvalidDataException($"'{path}': bad word-vector header ({count} words, dimension {dim})");
            // each word takes at least its length byte and its floats: a header that claims more than the file holds is refused
            // before anything is allocated for it
            long remaining = r.BaseStream.Length - r.BaseStream.Position;
            if (count > remaining / (1 + 4L * dim))
                throw new InvalidDataException($"'{path}': the header claims {count} words of dimension {dim}, more than the {remaining} bytes that follow hold");
            var words = new string[count];
            var vectors = new float[(long)count * dim];
            for (int i = 0; i < count; i++)
            {
                words[i] = r.ReadString();
                for (int j = 0; j < dim; j++) vectors[(long)i * dim + j] = r.ReadSingle();
            }
            if (r.BaseStream.Position != r.BaseStream.Length) throw new InvalidDataException($"'{path}' has bytes after its {count} word vectors");
            return new WordVectors(words, vectors, dim, description);
        }
        catch (EndOfStreamException e) { throw new InvalidDataException($"'{path}' is truncated: it ends inside the word vectors", e); }
        catch (ArgumentException e) { throw new InvalidDataException($"'{path}': {e.Message}", e); }
        catch (IOException e) when (e is not (FileNotFoundException or DirectoryNotFoundException)) // BinaryReader: a bad string length
        {
            throw new InvalidDataException($"'{path}' is damaged: {e.Message}", e);
        }
    }
}
