using AttentionSharp.Training;
using AttentionSharp.Attention;
using AttentionSharp.Models.Transformer;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace AttentionSharp.Interop;

/// <summary>File format of a PyTorch state_dict.</summary>
public enum WeightFormat
{
    /// <summary>PyTorch's <c>torch.save</c> zip/pickle format (<c>.pt</c>, <c>.pth</c>): <c>model.load_state_dict(torch.load(path))</c>.</summary>
    Pt,
    /// <summary>The safetensors format (a JSON index and raw little-endian tensors): <c>safetensors.torch.load_file(path)</c>.</summary>
    Safetensors,
}

/// <summary>
/// One entry of a PyTorch state_dict and the parameters or buffers of our module it is made of: one, or several concatenated
/// along dimension 0 (PyTorch's <c>in_proj_weight</c> is our query, key and value projections stacked).
/// </summary>
/// <param name="PyTorchName">The key in PyTorch's state_dict.</param>
/// <param name="Parts">Our state_dict keys, in the order they are stacked.</param>
public sealed record WeightBinding(string PyTorchName, IReadOnlyList<string> Parts);

/// <summary>
/// Moves weights between our modules and PyTorch state_dicts (<c>.pt</c> through TorchSharp.PyBridge, or <c>.safetensors</c>),
/// with PyTorch's parameter names where PyTorch has a counterpart:
/// <list type="bullet">
/// <item><see cref="MultiHeadAttention"/> (not grouped-query) as <c>torch.nn.MultiheadAttention</c>: <c>in_proj_weight</c> = our
/// <c>q_proj.weight</c>, <c>k_proj.weight</c>, <c>v_proj.weight</c> stacked; <c>in_proj_bias</c> likewise; <c>out_proj.*</c> as is.
/// With <c>kdim</c>/<c>vdim</c> other than the model size, PyTorch keeps them apart as <c>q_proj_weight</c>, <c>k_proj_weight</c>, <c>v_proj_weight</c>.</item>
/// <item><see cref="EncoderLayer"/> as <c>torch.nn.TransformerEncoderLayer</c> (<c>batch_first=True</c>, <c>norm_first</c> = our PreNorm,
/// ReLU): <c>ffn.w1</c>/<c>ffn.w2</c> become <c>linear1</c>/<c>linear2</c>.</item>
/// <item><see cref="DecoderLayer"/> as <c>torch.nn.TransformerDecoderLayer</c>: also <c>cross_attn</c> becomes <c>multihead_attn</c>.</item>
/// <item><see cref="Sequence.BiRnnEncoder"/> as <c>torch.nn.GRU</c>/<c>torch.nn.LSTM</c> with <c>bidirectional=True</c>,
/// <c>batch_first=True</c>: <c>forward_rnn.weight_ih_l0</c> becomes <c>weight_ih_l0</c>, <c>backward_rnn.weight_ih_l0</c>
/// becomes <c>weight_ih_l0_reverse</c>.</item>
/// <item>TorchSharp's LSTM, GRU, their cells, Linear, LayerNorm, Embedding, convolutions already use PyTorch's names.</item>
/// </list>
/// Everything else keeps our name. Grouped-query attention has no PyTorch counterpart and keeps our names.
/// </summary>
public static class PyTorchWeights
{
    /// <summary>The format of <paramref name="path"/> from its extension: <c>.safetensors</c>, otherwise <c>.pt</c>.</summary>
    public static WeightFormat FormatOf(string path) =>
        path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase) ? WeightFormat.Safetensors : WeightFormat.Pt;

    /// <summary>
    /// The PyTorch state_dict entries of <paramref name="module"/>, in our state_dict's order. With <paramref name="prefix"/>,
    /// only the part under that submodule path (e.g. <c>lstm</c>), named relative to it.
    /// </summary>
    public static IReadOnlyList<WeightBinding> Bindings(nn.Module module, string? prefix = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        var keys = module.state_dict().Keys.ToList();
        var merges = new Dictionary<string, WeightBinding>();   // first part -> merged binding
        var merged = new HashSet<string>();
        var renames = new List<(string From, string To)>();
        foreach (var (name, sub) in Walk(module))
        {
            string p = name.Length == 0 ? "" : name + ".";
            switch (sub)
            {
                case MultiHeadAttention mha when mha.NumKeyValueHeads == mha.NumHeads:
                    bool packed = mha.KeyDim == mha.EmbedDim && mha.ValueDim == mha.EmbedDim;
                    string[] w = [p + "q_proj.weight", p + "k_proj.weight", p + "v_proj.weight"];
                    if (packed) merges[w[0]] = new WeightBinding(p + "in_proj_weight", w);
                    else
                    {
                        renames.Add((w[0], p + "q_proj_weight"));
                        renames.Add((w[1], p + "k_proj_weight"));
                        renames.Add((w[2], p + "v_proj_weight"));
                    }
                    string[] b = [p + "q_proj.bias", p + "k_proj.bias", p + "v_proj.bias"];
                    if (keys.Contains(b[0])) merges[b[0]] = new WeightBinding(p + "in_proj_bias", b);
                    foreach (var m in merges.Values) merged.UnionWith(m.Parts);
                    break;
                case EncoderLayer:
                    renames.Add((p + "ffn.w1.", p + "linear1."));
                    renames.Add((p + "ffn.w2.", p + "linear2."));
                    break;
                case Sequence.BiRnnEncoder:
                    // As torch.nn.GRU/LSTM(bidirectional=True): forward_rnn.weight_ih_l0 -> weight_ih_l0, backward_rnn.weight_ih_l0 -> weight_ih_l0_reverse.
                    renames.Add((p + "forward_rnn.", p));
                    foreach (var key in keys.Where(k => k.StartsWith(p + "backward_rnn.", StringComparison.Ordinal)))
                        renames.Add((key, p + key[(p.Length + "backward_rnn.".Length)..] + "_reverse"));
                    break;
                case DecoderLayer:
                    renames.Add((p + "ffn.w1.", p + "linear1."));
                    renames.Add((p + "ffn.w2.", p + "linear2."));
                    renames.Add((p + "cross_attn.", p + "multihead_attn."));
                    break;
            }
        }
        // An attention's own keys first (q_proj.weight -> q_proj_weight), then its layer's sub-prefix (cross_attn. -> multihead_attn.).
        var exact = renames.Where(r => !r.From.EndsWith('.')).ToDictionary(r => r.From, r => r.To);
        var prefixes = renames.Where(r => r.From.EndsWith('.')).ToList();
        string Rename(string key)
        {
            if (exact.TryGetValue(key, out var to)) key = to;
            foreach (var (from, into) in prefixes)
                if (key.StartsWith(from, StringComparison.Ordinal)) return into + key[from.Length..];
            return key;
        }

        string scope = string.IsNullOrEmpty(prefix) ? "" : prefix.TrimEnd('.') + ".";
        if (scope.Length > 0 && !keys.Any(k => k.StartsWith(scope, StringComparison.Ordinal)))
            throw new ArgumentException($"the module has no parameters under '{prefix}'; its state_dict starts with {string.Join(", ", keys.Take(5))}");
        var result = new List<WeightBinding>();
        foreach (var key in keys)
        {
            if (!key.StartsWith(scope, StringComparison.Ordinal)) continue;
            WeightBinding binding;
            if (merges.TryGetValue(key, out var m)) binding = m with { PyTorchName = Rename(m.PyTorchName) };
            else if (merged.Contains(key)) continue;
            else binding = new WeightBinding(Rename(key), [key]);
            result.Add(binding with { PyTorchName = binding.PyTorchName[scope.Length..] });
        }
        return result;
    }

    /// <summary>The module itself (name "") and every submodule with its dotted path.</summary>
    static IEnumerable<(string Name, nn.Module Module)> Walk(nn.Module module)
    {
        yield return ("", module);
        foreach (var (name, sub) in module.named_modules())
            if (name.Length > 0) yield return (name, sub);
    }

    /// <summary>
    /// <paramref name="module"/>'s weights as a PyTorch state_dict (new CPU tensors, detached; the caller disposes them).
    /// With <paramref name="prefix"/>, only that submodule's part.
    /// </summary>
    public static Dictionary<string, Tensor> ToStateDict(nn.Module module, string? prefix = null)
    {
        var ours = module.state_dict();
        var result = new Dictionary<string, Tensor>();
        using (torch.no_grad())
            foreach (var b in Bindings(module, prefix))
            {
                var parts = b.Parts.Select(p => ours[p].detach().cpu()).ToArray();
                result[b.PyTorchName] = parts.Length == 1 ? parts[0].clone() : torch.cat(parts, 0);
            }
        return result;
    }

    /// <summary>Writes <paramref name="module"/>'s weights as a PyTorch state_dict in <paramref name="format"/> (default: from the extension).</summary>
    public static void Save(nn.Module module, string path, WeightFormat? format = null, string? prefix = null)
    {
        var sd = ToStateDict(module, prefix);
        try { Write(sd, path, format ?? FormatOf(path)); }
        finally { foreach (var t in sd.Values) t.Dispose(); }
    }

    /// <summary>Writes a state_dict to <paramref name="path"/> (atomically: a temporary file renamed into place).</summary>
    public static void Write(IReadOnlyDictionary<string, Tensor> stateDict, string path, WeightFormat format)
    {
        var full = Path.GetFullPath(path);
        var dict = stateDict.ToDictionary(kv => kv.Key, kv => kv.Value.is_contiguous() ? kv.Value : kv.Value.contiguous());
        AtomicFile.Write(full, stream =>
        {
            if (format == WeightFormat.Safetensors) Safetensors.SaveStateDict(stream, dict, leaveOpen: true);
            else PyTorchPickler.PickleStateDict(stream, dict, leaveOpen: true);
        });
    }

    /// <summary>
    /// Reads a PyTorch state_dict (<c>torch.save(model.state_dict(), path)</c>, zip format, or a safetensors file, told
    /// apart by their first bytes). The caller disposes the tensors.
    /// </summary>
    public static Dictionary<string, Tensor> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"weights file '{path}' does not exist", path);
        bool zip;
        using (var probe = File.OpenRead(path))
        {
            var head = new byte[4];
            int n = probe.Read(head, 0, 4);
            zip = n == 4 && head[0] == (byte)'P' && head[1] == (byte)'K';
        }
        try
        {
            using var stream = File.OpenRead(path);
            if (!zip) return Safetensors.LoadStateDict(stream, leaveOpen: true);
            var table = PyTorchUnpickler.UnpickleStateDict(stream, leaveOpen: true);
            var result = new Dictionary<string, Tensor>();
            foreach (System.Collections.DictionaryEntry e in table)
                result[(string)e.Key] = e.Value as Tensor
                    ?? throw new InvalidDataException($"'{path}': entry '{e.Key}' is not a tensor ({e.Value?.GetType().Name ?? "null"})");
            return result;
        }
        catch (Exception e) when (e is not InvalidDataException and not FileNotFoundException)
        {
            throw new InvalidDataException($"'{path}' is not a PyTorch state_dict (torch.save zip format) or a safetensors file: {e.Message}", e);
        }
    }

    /// <summary>Loads a PyTorch state_dict file into <paramref name="module"/>; see <see cref="Load(nn.Module, IReadOnlyDictionary{string, Tensor}, bool, string?)"/>.</summary>
    public static void Load(nn.Module module, string path, bool strict = true, string? prefix = null)
    {
        var sd = Read(path);
        try { Load(module, sd, strict, prefix); }
        catch (ArgumentException e) { throw new ArgumentException($"'{path}': {e.Message}", e); }
        finally { foreach (var t in sd.Values) t.Dispose(); }
    }

    /// <summary>
    /// Copies a PyTorch state_dict into <paramref name="module"/> (or into its submodule at <paramref name="prefix"/>), mapping
    /// PyTorch's names to ours and splitting stacked projections. Every shape is checked before anything is copied; an error names
    /// the parameter, both shapes and, for a missing entry, what the file has. With <paramref name="strict"/> (default) the file
    /// must hold exactly the module's entries; otherwise missing ones are left alone and extra ones ignored.
    /// </summary>
    public static void Load(nn.Module module, IReadOnlyDictionary<string, Tensor> stateDict, bool strict = true, string? prefix = null)
    {
        ArgumentNullException.ThrowIfNull(stateDict);
        var bindings = Bindings(module, prefix);
        var ours = module.state_dict();
        var plan = new List<(WeightBinding Binding, Tensor Source)>();
        var missing = new List<string>();
        foreach (var b in bindings)
        {
            long[] expected = ExpectedShape(b, ours);
            if (!stateDict.TryGetValue(b.PyTorchName, out var source))
            {
                missing.Add($"{b.PyTorchName} {Shape(expected)}");
                continue;
            }
            if (!source.shape.SequenceEqual(expected))
                throw new ArgumentException($"parameter '{b.PyTorchName}' has shape {Shape(source.shape)} in the state_dict; this model expects {Shape(expected)}"
                    + (b.Parts.Count > 1 ? $" (our {string.Join(", ", b.Parts)} stacked)" : b.Parts[0] != b.PyTorchName ? $" (our {b.Parts[0]})" : ""));
            if (!source.is_floating_point() && ours[b.Parts[0]].is_floating_point())
                throw new ArgumentException($"parameter '{b.PyTorchName}' is {source.dtype} in the state_dict; this model holds {ours[b.Parts[0]].dtype}");
            plan.Add((b, source));
        }
        if (strict)
        {
            var known = bindings.Select(b => b.PyTorchName).ToHashSet();
            var extra = stateDict.Keys.Where(k => !known.Contains(k)).ToList();
            if (missing.Count > 0 || extra.Count > 0)
                throw new ArgumentException(
                    (missing.Count > 0 ? $"the state_dict lacks {missing.Count} parameter(s) this model needs: {string.Join(", ", missing.Take(8))}{(missing.Count > 8 ? ", ..." : "")}. " : "")
                    + (extra.Count > 0 ? $"It has {extra.Count} this model does not: {string.Join(", ", extra.Take(8))}{(extra.Count > 8 ? ", ..." : "")}. " : "")
                    + "Pass strict: false to load the matching part.");
        }
        using (torch.no_grad())
            foreach (var (b, source) in plan)
            {
                long offset = 0;
                foreach (var part in b.Parts)
                {
                    var target = ours[part];
                    long rows = target.shape.Length == 0 ? 0 : target.shape[0];
                    if (b.Parts.Count == 1) target.copy_(source);
                    else
                    {
                        using var piece = source.narrow(0, offset, rows);
                        target.copy_(piece);
                    }
                    offset += rows;
                }
            }
    }

    static long[] ExpectedShape(WeightBinding b, Dictionary<string, Tensor> ours)
    {
        var first = ours[b.Parts[0]].shape.ToArray();
        if (b.Parts.Count == 1) return first;
        first[0] = b.Parts.Sum(p => ours[p].shape[0]);
        return first;
    }

    static string Shape(IEnumerable<long> shape) => "(" + string.Join(", ", shape) + ")";
}
