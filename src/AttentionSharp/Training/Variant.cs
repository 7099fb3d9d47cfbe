using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json.Serialization;

namespace AttentionSharp.Training;

/// <summary>
/// Model variants are enums (issue 20): typed in C# (<c>CaptionAttention.Soft</c>), named by short lower-case strings
/// everywhere outside the code: in checkpoints, in RESULT lines and on the command line (<c>soft</c>, <c>luong-dot</c>).
/// Each enum carries <see cref="JsonStringEnumConverter{TEnum}"/> and a <see cref="JsonStringEnumMemberNameAttribute"/> per
/// member, so a checkpoint stores exactly the string the option had when it was a string: checkpoints written before a
/// family's options became enums load unchanged, and none needs a migration.
/// </summary>
public static class Variant
{
    static readonly ConcurrentDictionary<Type, (Enum Value, string Name)[]> Cache = new();

    static (Enum Value, string Name)[] Members(Type type) => Cache.GetOrAdd(type, t => t.GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => ((Enum)f.GetValue(null)!, f.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? f.Name.ToLowerInvariant())).ToArray());

    /// <summary>The name of <paramref name="value"/> (its <see cref="JsonStringEnumMemberNameAttribute"/>, else its lower-case member name).</summary>
    public static string Name<T>(T value) where T : struct, Enum
    {
        foreach (var (v, n) in Members(typeof(T))) if (v.Equals(value)) return n;
        throw new ArgumentException($"{Convert.ToInt64(value)} is not a {typeof(T).Name}; expected one of {string.Join(", ", Names<T>())}");
    }

    /// <summary>Every name, in declaration order.</summary>
    public static string[] Names<T>() where T : struct, Enum => Members(typeof(T)).Select(m => m.Name).ToArray();

    /// <summary>The member named <paramref name="name"/> (exact, ordinal); else an <see cref="ArgumentException"/> naming <paramref name="property"/> and the choices.</summary>
    public static T Parse<T>(string name, string property) where T : struct, Enum
    {
        foreach (var (v, n) in Members(typeof(T))) if (n == name) return (T)v;
        throw new ArgumentException($"{property} must be one of {string.Join(", ", Names<T>())}; got '{name}'");
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming <paramref name="property"/> when <paramref name="value"/> is not a member (e.g. a number read from JSON).</summary>
    public static void Check<T>(T value, string property) where T : struct, Enum
    {
        if (!Enum.IsDefined(value)) throw new ArgumentException($"{property} must be one of {string.Join(", ", Names<T>())}; got {Convert.ToInt64(value)}");
    }
}
