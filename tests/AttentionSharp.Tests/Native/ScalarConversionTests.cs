using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AttentionSharp.Tests.Native;

/// <summary>
/// The library passes no bare number where TorchSharp takes a <c>Scalar</c>: such an implicit conversion makes a
/// temporary Scalar that the garbage collector may finalize while libtorch still reads it (docs/RELIABILITY.md,
/// "Scalar lifetimes"). The library's sources are compiled here with Roslyn and every expression whose type is not
/// Scalar but which is converted to Scalar is reported with its file and line; the fix is <c>HeldScalars.Of(...)</c>
/// for constants and per-run values, or a <c>using var</c> Scalar for values that change every step. A second check finds
/// calls to TorchSharp methods that make a temporary Scalar themselves (<see cref="TorchSharpScalarMakers"/>: the tensor
/// operators with a number, <c>a + b</c> of tensors, one-argument <c>add</c>, <c>square</c>, <c>arange(stop)</c>,
/// <c>BatchNorm.forward</c> ...): the library writes <c>a.add(b, HeldScalars.Of(1))</c>, <c>t.mul(HeldScalars.Of(0.5))</c>,
/// <c>HeldBatchNorm2d</c> instead.
/// </summary>
public class ScalarConversionTests
{
    static string LibraryDir([CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "..", "src", "AttentionSharp"));

    /// <summary>Expressions in <paramref name="trees"/> implicitly converted to TorchSharp.Scalar (outermost only).</summary>
    internal static List<string> ImplicitScalarConversions(IReadOnlyList<SyntaxTree> trees, string root)
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(p => !Path.GetFileName(p).StartsWith("AttentionSharp", StringComparison.Ordinal))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToList();
        var globals = Parse(
            "global using System; global using System.Collections.Generic; global using System.IO; global using System.Linq; " +
            "global using System.Net.Http; global using System.Threading; global using System.Threading.Tasks;", "GlobalUsings.g.cs");
        var compilation = CSharpCompilation.Create("scan", trees.Append(globals), references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable));
        // A scan of code that does not compile would miss conversions; only the source-generated regex bodies are absent.
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error && d.Id != "CS8795").Take(5).ToList();
        if (errors.Count > 0) throw new InvalidOperationException("the scanned sources do not compile:\n" + string.Join("\n", errors));
        var found = new List<string>();
        var makers = TorchSharpScalarMakers.All;
        foreach (var tree in trees)
        {
            var model = compilation.GetSemanticModel(tree);
            var hits = tree.GetRoot().DescendantNodes().OfType<ExpressionSyntax>().Where(e =>
            {
                var info = model.GetTypeInfo(e);
                return info.ConvertedType?.ToDisplayString() == "TorchSharp.Scalar" && info.Type is { } t && t.ToDisplayString() != "TorchSharp.Scalar";
            }).ToList();
            foreach (var h in hits.Where(h => !hits.Any(o => o != h && o.Span.Contains(h.Span))))
                found.Add($"{Path.GetRelativePath(root, tree.FilePath)}:{h.GetLocation().GetLineSpan().StartLinePosition.Line + 1}: {h}");
            foreach (var node in tree.GetRoot().DescendantNodes().Where(n => n is InvocationExpressionSyntax or BinaryExpressionSyntax or AssignmentExpressionSyntax or PrefixUnaryExpressionSyntax or ObjectCreationExpressionSyntax))
                if (model.GetSymbolInfo(node).Symbol is IMethodSymbol called && makers.Contains(TorchSharpScalarMakers.KeyOf(called)))
                    found.Add($"{Path.GetRelativePath(root, tree.FilePath)}:{node.GetLocation().GetLineSpan().StartLinePosition.Line + 1}: {Shorten(node.ToString())} (TorchSharp's {called.Name} makes a temporary Scalar)");
        }
        return found;
    }

    // The library's compile symbols (AttentionSharp.csproj defines ATTN_NO_MSBUILD_TASK for the linked native fix).
    static string Shorten(string code)
    {
        code = string.Join(' ', code.Split((char[])['\n', '\r'], StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()));
        return code.Length <= 100 ? code : code[..97] + "...";
    }

    static SyntaxTree Parse(string text, string path) =>
        CSharpSyntaxTree.ParseText(text, new CSharpParseOptions(LanguageVersion.Preview, preprocessorSymbols: ["ATTN_NO_MSBUILD_TASK", "RELEASE", "NET"]), path);

    [Fact]
    public void TheScanFindsAnImplicitConversionAndAcceptsAHeldScalar()
    {
        var source = """
            using TorchSharp;
            static class Probe
            {
                static torch.Tensor Bare(torch.Tensor t) => t.clamp(0, 1);
                static torch.Tensor Held(torch.Tensor t, Scalar lo, Scalar hi) => t.clamp(lo, hi);
                static torch.Tensor Masked(torch.Tensor t, torch.Tensor m) => t.masked_fill(m, -1e9);
            }
            """;
        var hits = ImplicitScalarConversions([Parse(source, "/probe/Probe.cs")], "/probe");
        Assert.Equal(["Probe.cs:4: 0", "Probe.cs:4: 1", "Probe.cs:6: -1e9"], hits);
    }

    [Fact]
    public void TheScanFindsTorchSharpCallsThatMakeTheirOwnScalar()
    {
        var source = """
            using TorchSharp;
            static class Probe
            {
                static torch.Tensor Sum(torch.Tensor a, torch.Tensor b) => a + b;
                static torch.Tensor Half(torch.Tensor a) => a * 0.5;
                static torch.Tensor Square(torch.Tensor a) => a.square();
                static torch.Tensor Norm(torch.Tensor a) => torch.nn.BatchNorm2d(4).forward(a);
                static torch.Tensor Held(torch.Tensor a, torch.Tensor b, Scalar one, Scalar half) => a.add(b, one).mul(half) - b * a;
            }
            """;
        var hits = ImplicitScalarConversions([Parse(source, "/probe/Probe.cs")], "/probe");
        Assert.Equal(4, hits.Count);
        Assert.StartsWith("Probe.cs:4: a + b (TorchSharp's op_Addition", hits[0]);
        Assert.StartsWith("Probe.cs:5: a * 0.5 (TorchSharp's op_Multiply", hits[1]);
        Assert.StartsWith("Probe.cs:6: a.square() (TorchSharp's square", hits[2]);
        Assert.StartsWith("Probe.cs:7: torch.nn.BatchNorm2d(4).forward(a) (TorchSharp's forward", hits[3]);
    }

    [Fact]
    public void TheIlScanFindsTheKnownMakers()
    {
        var makers = TorchSharpScalarMakers.All;
        foreach (var key in new[]
        {
            "TorchSharp.torch.Tensor.add(Tensor)", "TorchSharp.torch.Tensor.op_Addition(Tensor,Tensor)",
            "TorchSharp.torch.Tensor.op_Multiply(Tensor,Double)", "TorchSharp.torch.Tensor.square()",
            "TorchSharp.Modules.BatchNorm.forward(Tensor)", "TorchSharp.torch.arange(Scalar,Nullable`1,Device,Boolean)",
        })
            Assert.Contains(key, makers);
        // Calls that pass every Scalar through are not makers.
        Assert.DoesNotContain("TorchSharp.torch.Tensor.add(Tensor,Scalar)", makers);
        Assert.DoesNotContain("TorchSharp.torch.Tensor.mul(Scalar)", makers);
        Assert.DoesNotContain("TorchSharp.torch.Tensor.op_Subtraction(Tensor,Tensor)", makers);
    }

    [Fact]
    public void TheLibraryPassesNoBareNumberToAScalarParameter()
    {
        var dir = LibraryDir();
        Assert.True(Directory.Exists(dir), $"expected the library's sources at {dir}");
        var files = Directory.GetFiles(dir, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Append(Path.Combine(dir, "..", "..", "build", "NativeFix", "GlibcxxWeakVersionFix.cs")) // linked into the library
            .ToList();
        Assert.True(files.Count > 100, $"expected the library's sources at {dir}; found {files.Count} files");
        var trees = files.Select(f => Parse(File.ReadAllText(f), f)).ToList();
        var hits = ImplicitScalarConversions(trees, dir);
        Assert.True(hits.Count == 0,
            $"{hits.Count} temporary Scalar(s): a number converted implicitly to TorchSharp.Scalar, or a TorchSharp call that makes its own; use HeldScalars.Of(...) (a + b: a.add(b, HeldScalars.Of(1)); t * 0.5: t.mul(HeldScalars.Of(0.5))) or a held `using var` Scalar:\n" + string.Join("\n", hits));
    }
}
