using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using AttentionSharp.Data;

namespace AttentionSharp.Tests.Data;

public class AcquisitionTests
{
    static readonly byte[] ContentA = IdxReader.Encode([3], [1, 2, 3]);
    static readonly byte[] ContentB = IdxReader.Encode([2, 2], [9, 8, 7, 6]);

    static DataFile[] Files() =>
    [
        new("a-idx1-ubyte", ContentA.Length, Convert.ToHexStringLower(MD5.HashData(ContentA)), p => IdxReader.Read(p)),
        new("b-idx2-ubyte", ContentB.Length, Convert.ToHexStringLower(MD5.HashData(ContentB)), p => IdxReader.Read(p)),
    ];

    static string TempDir() => Directory.CreateTempSubdirectory("attn-acq-").FullName;

    static byte[] Gzip(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(data);
        return ms.ToArray();
    }

    static void AssertCached(string root, string name)
    {
        Assert.Equal(ContentA, File.ReadAllBytes(Path.Combine(root, name, "a-idx1-ubyte")));
        Assert.Equal(ContentB, File.ReadAllBytes(Path.Combine(root, name, "b-idx2-ubyte")));
        Assert.Empty(Directory.GetDirectories(root, ".*partial*"));
    }

    [Fact]
    public async Task HttpRouteFromLoopbackServerUnpacksGzip()
    {
        var files = new Dictionary<string, byte[]> { ["/d/a-idx1-ubyte.gz"] = Gzip(ContentA), ["/d/b-idx2-ubyte.gz"] = Gzip(ContentB) };
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0)) { probe.Start(); port = ((IPEndPoint)probe.LocalEndpoint).Port; }
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        int served = 0;
        var server = Task.Run(() =>
        {
            while (served < 2)
            {
                var ctx = listener.GetContext();
                if (files.TryGetValue(ctx.Request.Url!.AbsolutePath, out var body))
                {
                    ctx.Response.ContentLength64 = body.Length;
                    ctx.Response.OutputStream.Write(body);
                    served++;
                }
                else ctx.Response.StatusCode = 404;
                ctx.Response.Close();
            }
        });
        var source = new DatasetSource("t-http", "test", Files(),
            [new HttpRoute([$"http://127.0.0.1:{port}/d/"], n => n + ".gz", TimeSpan.FromSeconds(10))]);
        string root = TempDir();
        Assert.Equal(Path.Combine(root, "t-http"), source.Ensure(root, TextWriter.Null));
        await server.WaitAsync(TimeSpan.FromSeconds(10));
        AssertCached(root, "t-http");
        Assert.True(source.IsCached(root));
    }

    [Fact]
    public void FileUrlRouteWorksAndSecondEnsureUsesCache()
    {
        string mirror = TempDir();
        File.WriteAllBytes(Path.Combine(mirror, "a-idx1-ubyte"), ContentA);
        File.WriteAllBytes(Path.Combine(mirror, "b-idx2-ubyte"), ContentB);
        var source = new DatasetSource("t-file", "test", Files(), [new HttpRoute([new Uri(mirror + "/").AbsoluteUri], n => n)]);
        string root = TempDir();
        source.Ensure(root, TextWriter.Null);
        AssertCached(root, "t-file");
        Directory.Delete(mirror, true);
        source.Ensure(root, TextWriter.Null); // served from the cache: the mirror is gone
        AssertCached(root, "t-file");
    }

    internal static string MakeTgz(string dir, Dictionary<string, byte[]> entries)
    {
        string path = Path.Combine(dir, "pkg.tgz");
        using var fs = File.Create(path);
        using var gz = new GZipStream(fs, CompressionLevel.Fastest);
        using var tar = new TarWriter(gz, TarEntryFormat.Pax);
        foreach (var (name, data) in entries)
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });
        return path;
    }

    [Fact]
    public void NpmRouteExtractsFromTarball()
    {
        string dir = TempDir();
        string tgz = MakeTgz(dir, new() { ["package/data/a-idx1-ubyte"] = ContentA, ["package/data/b-idx2-ubyte"] = ContentB, ["package/README"] = [1] });
        var source = new DatasetSource("t-npm", "test", Files(), [new NpmRoute("fake", "1.0.0", n => "package/data/" + n, _ => tgz)]);
        string root = TempDir();
        source.Ensure(root, TextWriter.Null);
        AssertCached(root, "t-npm");
    }

    internal static string MakeDeb(string dir, Dictionary<string, byte[]> entries)
    {
        using var tarBytes = new MemoryStream();
        using (var gz = new GZipStream(tarBytes, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gz, TarEntryFormat.Gnu))
            foreach (var (name, data) in entries)
                tar.WriteEntry(new GnuTarEntry(TarEntryType.RegularFile, "./" + name) { DataStream = new MemoryStream(data) });
        string path = Path.Combine(dir, "pkg.deb");
        using var fs = File.Create(path);
        fs.Write(Encoding.ASCII.GetBytes("!<arch>\n"));
        void Member(string name, byte[] data)
        {
            string header = name.PadRight(16) + "0".PadRight(12) + "0".PadRight(6) + "0".PadRight(6) + "100644".PadRight(8) + data.Length.ToString().PadRight(10) + "`\n";
            fs.Write(Encoding.ASCII.GetBytes(header));
            fs.Write(data);
            if (data.Length % 2 == 1) fs.WriteByte((byte)'\n');
        }
        Member("debian-binary", Encoding.ASCII.GetBytes("2.0\n"));
        Member("control.tar.gz", Gzip([0]));
        Member("data.tar.gz", tarBytes.ToArray());
        return path;
    }

    [Fact]
    public void DebianRouteExtractsGzippedMembers()
    {
        string dir = TempDir();
        string deb = MakeDeb(dir, new() { ["usr/share/x/a-idx1-ubyte.gz"] = Gzip(ContentA), ["usr/share/x/b-idx2-ubyte.gz"] = Gzip(ContentB) });
        var source = new DatasetSource("t-deb", "test", Files(), [new DebianRoute("fake", n => "usr/share/x/" + n + ".gz", _ => deb)]);
        string root = TempDir();
        source.Ensure(root, TextWriter.Null);
        AssertCached(root, "t-deb");
    }

    [Fact]
    public void BadCopyFromFirstRouteFallsThroughToNextRoute()
    {
        string mirror = TempDir();
        var corrupt = (byte[])ContentA.Clone();
        corrupt[^1] ^= 0xff; // same size, wrong MD5
        File.WriteAllBytes(Path.Combine(mirror, "a-idx1-ubyte"), corrupt);
        File.WriteAllBytes(Path.Combine(mirror, "b-idx2-ubyte"), ContentB);
        string tgz = MakeTgz(TempDir(), new() { ["package/a-idx1-ubyte"] = ContentA, ["package/b-idx2-ubyte"] = ContentB });
        var log = new StringWriter();
        var source = new DatasetSource("t-fallback", "test", Files(),
            [new HttpRoute([new Uri(mirror + "/").AbsoluteUri], n => n), new NpmRoute("fake", "1.0.0", n => "package/" + n, _ => tgz)]);
        string root = TempDir();
        source.Ensure(root, log);
        AssertCached(root, "t-fallback");
        Assert.Contains("has MD5", log.ToString());
    }

    [Fact]
    public void AllRoutesFailingNamesEveryRouteAndTheFix()
    {
        var source = new DatasetSource("t-none", "test", Files(),
        [
            new HttpRoute(["file:///nonexistent-attn-mirror/"], n => n),
            new NpmRoute("fake", "1.0.0", n => n, _ => throw new IOException("npm unreachable")),
            new DebianRoute("fake-deb", n => n, _ => throw new InvalidOperationException("apt-get failed")),
        ]);
        string root = TempDir();
        var e = Assert.Throws<DataUnavailableException>(() => source.Ensure(root, TextWriter.Null));
        Assert.Contains("HTTP mirrors file:///nonexistent-attn-mirror/", e.Message);
        Assert.Contains("npm package fake@1.0.0: npm unreachable", e.Message);
        Assert.Contains("Debian package fake-deb: apt-get failed", e.Message);
        Assert.Contains("to fix:", e.Message);
        Assert.Contains(Path.Combine(root, "t-none"), e.Message);
        Assert.False(Directory.Exists(Path.Combine(root, "t-none")));
    }

    [Fact]
    public void CacheRootFollowsExplicitThenEnvironment()
    {
        Assert.Equal(Path.GetFullPath("/tmp/x-attn"), DataCache.Resolve("/tmp/x-attn"));
        string? old = Environment.GetEnvironmentVariable(DataCache.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(DataCache.EnvironmentVariable, "/tmp/y-attn");
            Assert.Equal("/tmp/y-attn", DataCache.Resolve(null));
            Environment.SetEnvironmentVariable(DataCache.EnvironmentVariable, null);
            Assert.EndsWith(Path.Combine(".cache", "attentionsharp"), DataCache.Resolve(null));
        }
        finally { Environment.SetEnvironmentVariable(DataCache.EnvironmentVariable, old); }
    }

    [Fact]
    public void CatalogKnowsMnistAndFashionAndRejectsUnknown()
    {
        Assert.Equal("6bbc9ace898e44ae57da46a324031adb", DatasetCatalog.Mnist.Files[0].Md5);
        Assert.Contains(DatasetCatalog.All, d => d.Name == "fashion-mnist");
        Assert.Contains("known: mnist", Assert.Throws<ArgumentException>(() => DatasetCatalog.Get("cifar")).Message);
    }
}
