using AttentionSharp.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Interop.Onnx;

/// <summary>
/// Runs an <see cref="OnnxModel"/> with libtorch, without ONNX Runtime: the initializers become tensors on a device, the
/// nodes run in file order, and any named value of the graph, not only its declared outputs, can be asked for (e.g. the
/// last convolutional block of an image network, a grid of region features, where the file's output is the pooled
/// vector). Inference only (no gradients). The operators are the ones of convolutional image networks:
/// Conv, BatchNormalization (inference form), Relu, MaxPool, AveragePool, GlobalAveragePool, Add, Sub, Mul, Div,
/// Split, Concat, Flatten, Gemm, Identity; any other fails with <see cref="NotSupportedException"/> naming it. The batch
/// dimension is free even where the file fixes it to 1.
/// </summary>
public sealed class OnnxGraph : IDisposable
{
    readonly OnnxModel _model;
    readonly Dictionary<string, Tensor> _weights = new(StringComparer.Ordinal);

    /// <summary>The supported operators.</summary>
    public static readonly string[] Operators =
        ["Conv", "BatchNormalization", "Relu", "MaxPool", "AveragePool", "GlobalAveragePool", "Add", "Sub", "Mul", "Div", "Split", "Concat", "Flatten", "Gemm", "Identity"];

    /// <summary>Prepares <paramref name="model"/> on <paramref name="device"/> (CPU when null); throws <see cref="NotSupportedException"/> for an operator outside <see cref="Operators"/>.</summary>
    public OnnxGraph(OnnxModel model, Device? device = null)
    {
        _model = model;
        var unsupported = model.Nodes.Select(n => n.OpType).Where(op => !Operators.Contains(op)).Distinct().ToList();
        if (unsupported.Count > 0)
            throw new NotSupportedException($"ONNX operator(s) {string.Join(", ", unsupported)} are not supported; supported: {string.Join(", ", Operators)}");
        foreach (var (name, t) in model.Initializers)
        {
            var tensor = t.Floats != null ? torch.tensor(t.Floats, dtype: ScalarType.Float32) : torch.tensor(t.Longs!, dtype: ScalarType.Int64);
            _weights[name] = tensor.reshape(t.Dims).to(device ?? CPU).DetachFromDisposeScope();
        }
    }

    /// <summary>The model being run.</summary>
    public OnnxModel Model => _model;

    /// <summary>Whether <paramref name="name"/> is a value some node produces (a possible <see cref="Run"/> target).</summary>
    public bool Produces(string name) => _model.Nodes.Any(n => n.Outputs.Contains(name));

    /// <summary>
    /// Runs the graph on <paramref name="inputs"/> (by graph input name) up to the node that produces <paramref name="output"/>
    /// and returns that value; intermediate values are released as soon as no later node needs them.
    /// </summary>
    public Tensor Run(IReadOnlyDictionary<string, Tensor> inputs, string output)
    {
        int last = -1;
        for (int k = 0; k < _model.Nodes.Count; k++) if (_model.Nodes[k].Outputs.Contains(output)) { last = k; break; }
        if (last < 0) throw new ArgumentException($"no node of the graph produces '{output}'");
        foreach (var i in _model.Inputs)
            if (!inputs.ContainsKey(i.Name)) throw new ArgumentException($"graph input '{i.Name}' was not given; inputs: {string.Join(", ", _model.Inputs.Select(x => x.Name))}");
        // The last use of every value up to `last`, so that a value is disposed once it is no longer needed.
        var lastUse = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int k = 0; k <= last; k++) foreach (var name in _model.Nodes[k].Inputs) lastUse[name] = k;
        using var _ = torch.no_grad();
        var values = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            for (int k = 0; k <= last; k++)
            {
                var node = _model.Nodes[k];
                var args = node.Inputs.Select(name => name.Length == 0 ? null : Value(name, values, inputs)).ToArray();
                var results = Execute(node, args);
                for (int o = 0; o < node.Outputs.Length && o < results.Length; o++) values[node.Outputs[o]] = results[o];
                foreach (var name in node.Inputs.Distinct())
                    if (lastUse.TryGetValue(name, out int at) && at == k && name != output && values.Remove(name, out var done)) done.Dispose();
            }
            var result = values[output];
            values.Remove(output);
            return result;
        }
        finally
        {
            foreach (var v in values.Values) v.Dispose();
        }
    }

    Tensor Value(string name, Dictionary<string, Tensor> values, IReadOnlyDictionary<string, Tensor> inputs) =>
        values.TryGetValue(name, out var v) ? v
        : _weights.TryGetValue(name, out var w) ? w
        : inputs.TryGetValue(name, out var i) ? i
        : throw new InvalidDataException($"value '{name}' is used before any node produces it");

    static Tensor[] Execute(OnnxNode node, Tensor?[] x)
    {
        Tensor Arg(int k) => k < x.Length && x[k] is Tensor t ? t : throw new InvalidDataException($"{node.OpType} node '{node.Name}' lacks input {k}");
        switch (node.OpType)
        {
            case "Conv":
            {
                var w = Arg(1);
                int spatial = (int)w.dim() - 2;
                var input = PadBeginEnd(node, Arg(0), spatial, 0.0);
                var strides = node.Ints("strides", Ones(spatial));
                var dilations = node.Ints("dilations", Ones(spatial));
                long groups = node.Int("group", 1);
                var bias = x.Length > 2 ? x[2] : null;
                if (spatial != 2) throw new NotSupportedException($"Conv node '{node.Name}': only 2-D convolutions are supported; got {spatial}-D");
                return [nn.functional.conv2d(input, w, bias, strides: strides, dilation: dilations, groups: groups)];
            }
            case "BatchNormalization":
            {
                var (input, scale, b, mean, variance) = (Arg(0), Arg(1), Arg(2), Arg(3), Arg(4));
                double eps = node.Float("epsilon", 1e-5f);
                long[] shape = [1, -1, .. Enumerable.Repeat(1L, (int)input.dim() - 2)];
                var factor = scale / variance.add(HeldScalars.Of(eps), HeldScalars.Of(1.0)).sqrt();
                return [(input - mean.reshape(shape)).mul(factor.reshape(shape)).add(b.reshape(shape), HeldScalars.Of(1.0))];
            }
            case "Relu": return [nn.functional.relu(Arg(0))];
            case "MaxPool":
            {
                var kernel = node.Ints("kernel_shape", []);
                var input = PadBeginEnd(node, Arg(0), kernel.Length, double.NegativeInfinity);
                return [nn.functional.max_pool2d(input, kernel, node.Ints("strides", Ones(kernel.Length)))];
            }
            case "AveragePool":
            {
                var kernel = node.Ints("kernel_shape", []);
                var strides = node.Ints("strides", Ones(kernel.Length));
                var pads = node.Ints("pads", new long[2 * kernel.Length]);
                if (pads.Any(p => p != 0) && node.Int("count_include_pad", 0) == 0)
                {
                    // Mean over the window's real pixels only: sum of zero-padded input / count of real pixels.
                    var input = PadBeginEnd(node, Arg(0), kernel.Length, 0.0);
                    var ones = PadBeginEnd(node, torch.ones_like(Arg(0)), kernel.Length, 0.0);
                    return [nn.functional.avg_pool2d(input, kernel, strides) / nn.functional.avg_pool2d(ones, kernel, strides)];
                }
                return [nn.functional.avg_pool2d(PadBeginEnd(node, Arg(0), kernel.Length, 0.0), kernel, strides)];
            }
            case "GlobalAveragePool": return [Arg(0).mean(Enumerable.Range(2, (int)Arg(0).dim() - 2).Select(d => (long)d).ToArray(), keepdim: true)];
            case "Add": return [Arg(0).add(Arg(1), HeldScalars.Of(1.0))];
            case "Sub": return [Arg(0) - Arg(1)];
            case "Mul": return [Arg(0) * Arg(1)];
            case "Div": return [Arg(0) / Arg(1)];
            case "Identity": return [Arg(0).alias()];
            case "Concat": return [torch.cat(x.Where(t => t is not null).Select(t => t!).ToArray(), node.Int("axis", 1))];
            case "Split":
            {
                var input = Arg(0);
                long axis = node.Int("axis", 0);
                var sizes = node.Ints("split", []);
                if (sizes.Length == 0 && x.Length > 1 && x[1] is Tensor given) sizes = given.data<long>().ToArray();
                if (sizes.Length == 0)
                {
                    long n = node.Outputs.Length, size = input.shape[axis < 0 ? axis + input.dim() : axis];
                    sizes = Enumerable.Repeat(size / n, (int)n).ToArray();
                }
                return input.split(sizes, axis);
            }
            case "Flatten":
            {
                var input = Arg(0);
                long axis = node.Int("axis", 1);
                if (axis < 0) axis += input.dim();
                long rows = input.shape.Take((int)axis).Aggregate(1L, (a, d) => a * d);
                return [input.reshape(rows, -1)];
            }
            case "Gemm":
            {
                var a = Arg(0); var b = Arg(1);
                if (node.Int("transA", 0) != 0) a = a.t();
                if (node.Int("transB", 0) != 0) b = b.t();
                var y = a.matmul(b) * HeldScalars.Of(node.Float("alpha", 1f));
                if (x.Length > 2 && x[2] is Tensor c) y = y.add(c, HeldScalars.Of(node.Float("beta", 1f)));
                return [y];
            }
            default: throw new NotSupportedException($"ONNX operator {node.OpType} (node '{node.Name}') is not supported");
        }
    }

    static long[] Ones(int n) => Enumerable.Repeat(1L, n).ToArray();

    /// <summary>Applies ONNX <c>pads</c> (<c>[x1_begin, x2_begin, ..., x1_end, x2_end, ...]</c>, possibly asymmetric) with <paramref name="fill"/>; only <c>auto_pad = NOTSET</c> (or absent) is supported.</summary>
    static Tensor PadBeginEnd(OnnxNode node, Tensor input, int spatial, double fill)
    {
        string autoPad = node.String("auto_pad", "NOTSET");
        if (autoPad is not ("NOTSET" or "VALID"))
            throw new NotSupportedException($"{node.OpType} node '{node.Name}': auto_pad {autoPad} is not supported (only explicit pads)");
        var pads = autoPad == "VALID" ? new long[2 * spatial] : node.Ints("pads", new long[2 * spatial]);
        if (pads.Length != 2 * spatial) throw new InvalidDataException($"{node.OpType} node '{node.Name}': pads must have {2 * spatial} values; got {pads.Length}");
        if (pads.All(p => p == 0)) return input;
        // torch's pad lists the last dimension first: (left, right, top, bottom) for 2-D.
        var torchPads = new long[2 * spatial];
        for (int d = 0; d < spatial; d++)
        {
            torchPads[2 * (spatial - 1 - d)] = pads[d];
            torchPads[2 * (spatial - 1 - d) + 1] = pads[spatial + d];
        }
        return nn.functional.pad(input, torchPads, PaddingModes.Constant, fill);
    }

    /// <summary>Releases the weight tensors.</summary>
    public void Dispose()
    {
        foreach (var w in _weights.Values) w.Dispose();
        _weights.Clear();
    }
}
