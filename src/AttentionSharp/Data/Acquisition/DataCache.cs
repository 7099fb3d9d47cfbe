namespace AttentionSharp.Data;

/// <summary>The folder where datasets are downloaded and converted: <c>--data-dir</c>, else <c>ATTENTIONSHARP_DATA</c>, else <c>~/.cache/attentionsharp</c>.</summary>
public static class DataCache
{
    /// <summary>The environment variable that overrides the default folder.</summary>
    public const string EnvironmentVariable = "ATTENTIONSHARP_DATA";

    /// <summary>Resolves the cache root from an explicit folder (may be null) and the environment.</summary>
    public static string Resolve(string? explicitDir)
    {
        if (!string.IsNullOrWhiteSpace(explicitDir)) return Path.GetFullPath(explicitDir);
        var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(env)) return Path.GetFullPath(env);
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (string.IsNullOrEmpty(home)) home = Path.GetTempPath();
        return Path.Combine(home, ".cache", "attentionsharp");
    }
}
