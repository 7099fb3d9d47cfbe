using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AttentionSharp.Native;

/// <summary>Raised when building a model would allocate more values than the active <see cref="ParameterBudget"/> allows.</summary>
public sealed class ParameterBudgetException(string message) : Exception(message);

/// <summary>
/// An upper bound on the values (parameters and buffers) that the models built on this thread may allocate. Loading a
/// checkpoint builds its model from the options stored in the file before the weights are read; the budget (set from the
/// weights the file actually stores) makes options that ask for absurd sizes fail before the allocation, with a clear error,
/// instead of allocating gigabytes. Every layer of the library is created through <see cref="Layers"/>, which charges it.
/// </summary>
public static class ParameterBudget
{
    [ThreadStatic] static long? _left;
    [ThreadStatic] static long _limit;

    /// <summary>Limits the values the models built on this thread may allocate until the result is disposed.</summary>
    public static IDisposable Limit(long values)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(values);
        var (left, limit) = (_left, _limit);
        (_left, _limit) = (values, values);
        return new Restore(() => (_left, _limit) = (left, limit));
    }

    /// <summary>Charges <paramref name="values"/> against the active budget (none: free); throws <see cref="ParameterBudgetException"/> past it.</summary>
    public static void Charge(long values, string what)
    {
        if (_left is not long left) return;
        if (values < 0 || values > left)
            throw new ParameterBudgetException($"{what} would hold {values:N0} values, past the {_limit:N0} the model may have in all");
        _left = left - values;
    }

    sealed class Restore(Action restore) : IDisposable
    {
        bool _done;
        public void Dispose() { if (!_done) { _done = true; restore(); } }
    }
}

/// <summary>
/// TorchSharp's layers as the library builds them, each charged to <see cref="ParameterBudget"/> (its parameter count,
/// computed from the arguments) before it is allocated. Same modules, same arguments, same initialisation order as calling
/// <c>nn.*</c> directly.
/// </summary>
public static class Layers
{
    static long Product(string what, params long[] sizes)
    {
        long n = 1;
        foreach (var s in sizes)
        {
            if (s < 0) throw new ArgumentException($"{what}: sizes must be non-negative; got {string.Join(" x ", sizes)}");
            n = s == 0 ? 0 : n > long.MaxValue / s ? long.MaxValue : n * s;
        }
        return n;
    }

    static long Sum(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;

    /// <summary><c>nn.Linear</c>.</summary>
    public static Linear Linear(long inputSize, long outputSize, bool hasBias = true)
    {
        ParameterBudget.Charge(Sum(Product("Linear", inputSize, outputSize), hasBias ? outputSize : 0), $"Linear({inputSize}, {outputSize})");
        return nn.Linear(inputSize, outputSize, hasBias);
    }

    /// <summary><c>nn.Embedding</c>.</summary>
    public static Embedding Embedding(long num_embeddings, long embedding_dims, long? padding_idx = null)
    {
        ParameterBudget.Charge(Product("Embedding", num_embeddings, embedding_dims), $"Embedding({num_embeddings}, {embedding_dims})");
        return padding_idx is long p ? nn.Embedding(num_embeddings, embedding_dims, padding_idx: p) : nn.Embedding(num_embeddings, embedding_dims);
    }

    /// <summary><c>nn.Conv1d</c>.</summary>
    public static Conv1d Conv1d(long in_channels, long out_channels, long kernelSize, long stride = 1, long padding = 0, bool bias = true)
    {
        ParameterBudget.Charge(Sum(Product("Conv1d", in_channels, out_channels, kernelSize), bias ? out_channels : 0), $"Conv1d({in_channels}, {out_channels}, {kernelSize})");
        return nn.Conv1d(in_channels, out_channels, kernelSize, stride: stride, padding: padding, bias: bias);
    }

    /// <summary><c>nn.Conv2d</c> with a square kernel.</summary>
    public static Conv2d Conv2d(long in_channels, long out_channels, long kernelSize, long stride = 1, long padding = 0, bool bias = true)
    {
        ParameterBudget.Charge(Sum(Product("Conv2d", in_channels, out_channels, kernelSize, kernelSize), bias ? out_channels : 0), $"Conv2d({in_channels}, {out_channels}, {kernelSize})");
        return nn.Conv2d(in_channels, out_channels, kernelSize, stride: stride, padding: padding, bias: bias);
    }

    /// <summary><c>nn.ConvTranspose2d</c> with a square kernel.</summary>
    public static ConvTranspose2d ConvTranspose2d(long in_channels, long out_channels, long kernelSize, long stride = 1)
    {
        ParameterBudget.Charge(Sum(Product("ConvTranspose2d", in_channels, out_channels, kernelSize, kernelSize), out_channels), $"ConvTranspose2d({in_channels}, {out_channels}, {kernelSize})");
        return nn.ConvTranspose2d(in_channels, out_channels, kernelSize, stride: stride);
    }

    /// <summary><c>nn.LayerNorm</c> over the last dimension.</summary>
    public static LayerNorm LayerNorm(long size)
    {
        ParameterBudget.Charge(Product("LayerNorm", 2, size), $"LayerNorm({size})");
        return nn.LayerNorm(size);
    }

    static long Recurrent(string what, long gates, long inputSize, long hiddenSize) =>
        Product(what, gates, hiddenSize, Sum(Sum(inputSize, hiddenSize), 2));   // weight_ih, weight_hh, bias_ih, bias_hh

    /// <summary><c>nn.LSTM</c>, one layer, one direction.</summary>
    public static LSTM LSTM(long inputSize, long hiddenSize, bool batchFirst = false)
    {
        ParameterBudget.Charge(Recurrent("LSTM", 4, inputSize, hiddenSize), $"LSTM({inputSize}, {hiddenSize})");
        return nn.LSTM(inputSize, hiddenSize, batchFirst: batchFirst);
    }

    /// <summary><c>nn.GRU</c>, one layer, one direction.</summary>
    public static GRU GRU(long inputSize, long hiddenSize, bool batchFirst = false)
    {
        ParameterBudget.Charge(Recurrent("GRU", 3, inputSize, hiddenSize), $"GRU({inputSize}, {hiddenSize})");
        return nn.GRU(inputSize, hiddenSize, batchFirst: batchFirst);
    }

    /// <summary><c>nn.LSTMCell</c>.</summary>
    public static LSTMCell LSTMCell(long inputSize, long hiddenSize)
    {
        ParameterBudget.Charge(Recurrent("LSTMCell", 4, inputSize, hiddenSize), $"LSTMCell({inputSize}, {hiddenSize})");
        return nn.LSTMCell(inputSize, hiddenSize);
    }

    /// <summary><c>nn.GRUCell</c>.</summary>
    public static GRUCell GRUCell(long inputSize, long hiddenSize)
    {
        ParameterBudget.Charge(Recurrent("GRUCell", 3, inputSize, hiddenSize), $"GRUCell({inputSize}, {hiddenSize})");
        return nn.GRUCell(inputSize, hiddenSize);
    }

    /// <summary>Charges a parameter or buffer of <paramref name="shape"/> that a module creates itself (e.g. a context vector), before it does.</summary>
    public static long[] Sized(string what, params long[] shape)
    {
        ParameterBudget.Charge(Product(what, shape), $"{what}({string.Join(", ", shape)})");
        return shape;
    }
}
