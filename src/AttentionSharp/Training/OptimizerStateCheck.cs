using System.Text;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AttentionSharp.Training;

/// <summary>
/// Reads a checkpoint's optimizer block (TorchSharp's <c>OptimizerHelper.save_state_dict</c> stream) against the
/// optimizer it is about to be loaded into, before TorchSharp sees it. TorchSharp trusts the stream: a declared rank or
/// dimension becomes an allocation and a tensor read without a bound, so an altered block could take the process down
/// instead of raising an error (docs/RELIABILITY.md). This check walks the same layout and refuses, with a message, any
/// block that TorchSharp would not read back into exactly this optimizer: another optimizer type, other group or state
/// counts, a non-finite or negative rate or step, a flag byte other than 0 or 1, a state tensor whose element type or
/// shape differs from its parameter's or whose values are not finite, bytes missing or left over.
/// </summary>
/// <remarks>
/// The layouts (TorchSharp 0.107): name (length-prefixed UTF-8), group count and state count (LEB128); per group the
/// initial and current learning rate (doubles) then the optimizer's own options; per parameter, in group order, its state.
/// Adam and AdamW: options beta1, beta2, eps, weight decay (doubles), amsgrad, maximize (bools); state step (int64),
/// exp_avg, exp_avg_sq, optional max_exp_avg_sq. SGD: momentum, dampening, weight decay, nesterov, maximize; state an
/// optional momentum buffer. RMSProp: maximize, momentum, alpha, eps, weight decay, centered; state step, square_avg,
/// optional momentum buffer, optional grad_avg. A tensor is TorchSharp's <c>Tensor.Save</c>: element type, rank and
/// dimensions (LEB128), then the raw elements. An optional tensor is a flag byte followed by the tensor when it is 1.
/// </remarks>
public static class OptimizerStateCheck
{
    /// <summary>The optimizers whose block layout this check knows (the ones <see cref="OptimizerFactory"/> builds).</summary>
    public static bool Knows(optim.Optimizer optimizer) => Layout(optimizer) != null;

    /// <summary>Throws <see cref="InvalidDataException"/> naming the first part of <paramref name="block"/> that does not fit <paramref name="optimizer"/>.</summary>
    public static void Validate(Stream block, optim.Optimizer optimizer)
    {
        var layout = Layout(optimizer) ?? throw new ArgumentException($"optimizer {optimizer.GetType().Name}: its state layout is not known to the checkpoint reader");
        var groups = ((OptimizerHelper)optimizer).ParamGroups.Cast<ParamGroup>().Select(g => g.Parameters.ToList()).ToList();
        long start = block.Position;
        try
        {
            using var r = new BinaryReader(block, Encoding.UTF8, leaveOpen: true);
            string name = ReadName(r);
            if (name != optimizer.GetType().Name)
                throw new InvalidDataException($"it holds the state of a '{name}' optimizer; this run uses '{optimizer.GetType().Name}'");
            long groupCount = Leb(r), stateCount = Leb(r);
            int parameters = groups.Sum(g => g.Count);
            if (groupCount != groups.Count) throw new InvalidDataException($"it holds {groupCount} parameter groups; the optimizer has {groups.Count}");
            if (stateCount != parameters) throw new InvalidDataException($"it holds state for {stateCount} parameters; the optimizer has {parameters}");
            for (int g = 0; g < groups.Count; g++)
            {
                string where = $"parameter group {g}";
                double initial = Number(r, $"{where}: initial learning rate"), lr = Number(r, $"{where}: learning rate");
                if (initial < 0 || lr < 0) throw new InvalidDataException($"{where}: negative learning rate ({initial}, {lr})");
                foreach (var field in layout.Options)
                    if (field == Field.Flag) Flag(r, where); else Number(r, $"{where}: option");
            }
            int index = 0;
            foreach (var p in groups.SelectMany(g => g))
            {
                string where = $"state of parameter {index++} ({string.Join("x", p.shape)})";
                foreach (var field in layout.State)
                {
                    switch (field)
                    {
                        case Field.Step:
                            long step = r.ReadInt64();
                            if (step < 0) throw new InvalidDataException($"{where}: negative step count {step}");
                            break;
                        case Field.Tensor: TensorLike(r, p, where); break;
                        case Field.OptionalTensor: if (Flag(r, where)) TensorLike(r, p, where); break;
                    }
                }
            }
            if (block.Position != block.Length) throw new InvalidDataException($"{block.Length - block.Position} byte(s) follow the last parameter's state");
        }
        catch (EndOfStreamException e) { throw new InvalidDataException("it is truncated", e); }
        finally { block.Position = start; }
    }

    enum Field { Number, Flag, Step, Tensor, OptionalTensor }

    sealed record Shape(Field[] Options, Field[] State);

    static Shape? Layout(optim.Optimizer optimizer) => optimizer switch
    {
        TorchSharp.Modules.AdamW or TorchSharp.Modules.Adam => new(
            [Field.Number, Field.Number, Field.Number, Field.Number, Field.Flag, Field.Flag],
            [Field.Step, Field.Tensor, Field.Tensor, Field.OptionalTensor]),
        TorchSharp.Modules.SGD => new(
            [Field.Number, Field.Number, Field.Number, Field.Flag, Field.Flag],
            [Field.OptionalTensor]),
        TorchSharp.Modules.RMSProp => new(
            [Field.Flag, Field.Number, Field.Number, Field.Number, Field.Number, Field.Flag],
            [Field.Step, Field.Tensor, Field.OptionalTensor, Field.OptionalTensor]),
        _ => null,
    };

    static string ReadName(BinaryReader r)
    {
        // BinaryReader.ReadString trusts its length prefix; an optimizer's class name is short.
        long length = Leb(r);
        if (length > 256) throw new InvalidDataException($"its optimizer name is {length} bytes long");
        var bytes = r.ReadBytes((int)length);
        if (bytes.Length != length) throw new EndOfStreamException();
        return Encoding.UTF8.GetString(bytes);
    }

    static double Number(BinaryReader r, string what)
    {
        double v = r.ReadDouble();
        return double.IsFinite(v) ? v : throw new InvalidDataException($"{what} is {v}");
    }

    static bool Flag(BinaryReader r, string where) => r.ReadByte() switch
    {
        0 => false,
        1 => true,
        var b => throw new InvalidDataException($"{where}: a flag byte is {b}, not 0 or 1"),
    };

    static void TensorLike(BinaryReader r, Tensor parameter, string where)
    {
        var type = (ScalarType)Leb(r);
        if (type != parameter.dtype) throw new InvalidDataException($"{where}: a tensor of element type {type}; the parameter is {parameter.dtype}");
        long rank = Leb(r);
        if (rank != parameter.dim()) throw new InvalidDataException($"{where}: a tensor of rank {rank}; the parameter has rank {parameter.dim()}");
        var shape = new long[rank];
        for (int d = 0; d < rank; d++) shape[d] = Leb(r);
        if (!shape.SequenceEqual(parameter.shape))
            throw new InvalidDataException($"{where}: a tensor of shape {string.Join("x", shape)}; the parameter is {string.Join("x", parameter.shape)}");
        long bytes = parameter.numel() * StateDictStream.ElementSize(type);
        if (bytes > r.BaseStream.Length - r.BaseStream.Position) throw new EndOfStreamException();
        var data = r.ReadBytes((int)bytes);
        bool finite = type switch
        {
            ScalarType.Float32 => FiniteAll<float>(data, float.IsFinite),
            ScalarType.Float64 => FiniteAll<double>(data, double.IsFinite),
            _ => true,
        };
        if (!finite) throw new InvalidDataException($"{where}: a tensor holds a value that is not finite");
    }

    static bool FiniteAll<T>(byte[] data, Func<T, bool> finite) where T : struct
    {
        foreach (var v in System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(data))
            if (!finite(v)) return false;
        return true;
    }

    static long Leb(BinaryReader r) => StateDictStream.Leb(r, "optimizer state");
}
