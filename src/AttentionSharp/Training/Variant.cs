using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AttentionSharp.Training;

/// <summary>
/// Model variants are enums (issue 20): typed in C# (<c>CaptionAttention.Soft</c>), named by short lower-case strings
/// everywhere outside the code: in checkpoints, in RESULT lines and on the command line (<c>soft</c>, <c>luong-dot</c>).
/// Each enum carries <see cref="VariantJsonConverter{T}"/> and a <see cref="JsonStringEnumMemberNameAttribute"/> per
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
    public static T Parse<T>(string name, string property) where T : struct, Enum =>
        TryParse<T>(name, lenient: false, out var value) ? value
            : throw new ArgumentException($"{property} must be one of {string.Join(", ", Names<T>())}; got '{name}'");

    /// <summary>
    /// The member named <paramref name="name"/>: by its name exactly; when <paramref name="lenient"/>, also by its name or
    /// its C# member name in any case.
    /// </summary>
    public static bool TryParse<T>(string name, bool lenient, out T value) where T : struct, Enum
    {
        var members = Members(typeof(T));
        foreach (var (v, n) in members) if (n == name) { value = (T)v; return true; }
        if (lenient)
            foreach (var (v, n) in members)
                if (string.Equals(n, name, StringComparison.OrdinalIgnoreCase) || string.Equals(v.ToString(), name, StringComparison.OrdinalIgnoreCase))
                { value = (T)v; return true; }
        value = default;
        return false;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming <paramref name="property"/> when <paramref name="value"/> is not a member (e.g. a number read from JSON).</summary>
    public static void Check<T>(T value, string property) where T : struct, Enum
    {
        if (!Enum.IsDefined(value)) throw new ArgumentException($"{property} must be one of {string.Join(", ", Names<T>())}; got {Convert.ToInt64(value)}");
    }
}

/// <summary>
/// Reads and writes a model variant in JSON by its <see cref="Variant"/> name (<c>"soft"</c>, <c>"luong-dot"</c>). Reading
/// also accepts the C# member name in any case (<c>"Soft"</c>, as hand-written JSON or a default enum converter would
/// write it) and an integer (which <see cref="Variant.Check{T}"/> then validates); anything else is a
/// <see cref="JsonException"/> that lists the names.
/// </summary>
public sealed class VariantJsonConverter<T> : JsonConverter<T> where T : struct, Enum
{
    /// <inheritdoc />
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number) return (T)Enum.ToObject(typeof(T), reader.GetInt64());
        if (reader.TokenType != JsonTokenType.String) throw new JsonException($"a {typeof(T).Name} must be a string, one of {string.Join(", ", Variant.Names<T>())}");
        string s = reader.GetString()!;
        return Variant.TryParse<T>(s, lenient: true, out var value) ? value
            : throw new JsonException($"'{s}' is not a {typeof(T).Name}; expected one of {string.Join(", ", Variant.Names<T>())}");
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
    {
        if (Enum.IsDefined(value)) writer.WriteStringValue(Variant.Name(value));
        else writer.WriteNumberValue(Convert.ToInt64(value));   // an undefined value stays visible, and Validate refuses it when read back
    }
}
