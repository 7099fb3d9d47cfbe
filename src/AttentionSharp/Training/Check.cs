using System.Runtime.CompilerServices;

namespace AttentionSharp.Training;

/// <summary>
/// Argument checks for option and spec records, with messages that name the property as the caller wrote it
/// (<c>Check.AtLeast(BatchSize, 1)</c> throws "BatchSize must be >= 1; got 0"; <c>spec.BatchSize</c> is named BatchSize).
/// </summary>
public static class Check
{
    /// <summary>Throws an <see cref="ArgumentException"/> unless <paramref name="value"/> &gt;= <paramref name="min"/>.</summary>
    public static void AtLeast(int value, int min, [CallerArgumentExpression(nameof(value))] string name = "")
    {
        if (value < min) throw new ArgumentException($"{Name(name)} must be >= {min}; got {value}");
    }

    /// <summary>Throws an <see cref="ArgumentException"/> unless <paramref name="value"/> lies in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static void InRange(int value, int min, int max, [CallerArgumentExpression(nameof(value))] string name = "")
    {
        if (value < min || value > max) throw new ArgumentException($"{Name(name)} must be in {min}..{max}; got {value}");
    }

    /// <summary>Throws an <see cref="ArgumentException"/> unless <paramref name="path"/> names a file.</summary>
    public static void FileName(string? path, string what, [CallerArgumentExpression(nameof(path))] string name = "")
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException($"{Name(name)} must name {what}");
    }

    /// <summary>A picture request: <paramref name="count"/> in 1..64 images, <paramref name="scale"/> in 1..16 screen pixels per pixel, a PNG path.</summary>
    public static void Picture(int count, int scale, string? output)
    {
        if (count is < 1 or > 64) throw new ArgumentException($"Count must be in 1..64; got {count}");
        if (scale is < 1 or > 16) throw new ArgumentException($"Scale must be in 1..16; got {scale}");
        if (string.IsNullOrWhiteSpace(output)) throw new ArgumentException("Output must name the PNG file to write");
    }

    static string Name(string expression) => expression[(expression.LastIndexOf('.') + 1)..];
}
