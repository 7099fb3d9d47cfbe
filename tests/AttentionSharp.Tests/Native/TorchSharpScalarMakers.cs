using System.Reflection;
using System.Reflection.Emit;
using Microsoft.CodeAnalysis;

namespace AttentionSharp.Tests.Native;

/// <summary>
/// The TorchSharp methods that make a temporary <c>Scalar</c> inside TorchSharp, read from TorchSharp's IL: a method that
/// calls <c>Scalar.op_Implicit</c> or a <c>ToScalar</c> extension (e.g. <c>Tensor.add(Tensor)</c>, which is
/// <c>add(target, 1)</c>; <c>operator *(Tensor, double)</c>; <c>square()</c>, which is <c>pow(2)</c>; <c>BatchNorm.forward</c>,
/// which counts batches with <c>add_(1)</c>), and every TorchSharp method that calls one of those directly (so
/// <c>operator +(Tensor, Tensor)</c>, which calls <c>add(Tensor)</c>). Calls through delegates and virtual methods are not
/// followed (an optimiser's step lambda, a module's <c>forward</c> reached through <c>Sequential</c>).
/// </summary>
internal static class TorchSharpScalarMakers
{
    static readonly Lazy<HashSet<string>> Keys = new(Compute);

    /// <summary>Keys (<c>Namespace.Type.Name(ParamType,...)</c>, nested types joined by '.') of the methods found.</summary>
    public static IReadOnlySet<string> All => Keys.Value;

    /// <summary>The key of a Roslyn method symbol in the same form as <see cref="All"/>.</summary>
    public static string KeyOf(IMethodSymbol symbol)
    {
        var m = symbol.ReducedFrom ?? symbol;
        if (m.IsGenericMethod) m = m.ConstructedFrom;
        static string Name(ITypeSymbol t) => t is IArrayTypeSymbol a ? Name(a.ElementType) + "[]" : t.MetadataName;
        string type = m.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Replace("global::", "");
        return $"{type}.{(m.MethodKind == MethodKind.Constructor ? ".ctor" : m.Name)}({string.Join(",", m.Parameters.Select(p => Name(p.Type)))})";
    }

    static string KeyOf(MethodBase m) =>
        $"{m.DeclaringType!.FullName!.Replace('+', '.')}.{m.Name}({string.Join(",", m.GetParameters().Select(p => p.ParameterType.Name))})";

    static HashSet<string> Compute()
    {
        var assembly = typeof(TorchSharp.torch).Assembly;
        var oneByte = new OpCode[256];
        var twoByte = new OpCode[256];
        foreach (var f in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var op = (OpCode)f.GetValue(null)!;
            ushort v = (ushort)op.Value;
            if (v < 0x100) oneByte[v] = op; else if ((v & 0xff00) == 0xfe00) twoByte[v & 0xff] = op;
        }
        Type[] types;
        try { types = assembly.GetTypes(); }
        catch (ReflectionTypeLoadException e) { types = e.Types.Where(t => t != null).ToArray()!; } // optional dependencies (SkiaSharp for image summaries)
        var makers = new HashSet<MethodBase>();
        var callers = new Dictionary<MethodBase, List<MethodBase>>();
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var type in types)
            foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
            {
                byte[]? il;
                try { il = method.GetMethodBody()?.GetILAsByteArray(); } catch (Exception e) when (e is BadImageFormatException or InvalidOperationException) { continue; }
                if (il is null) continue;
                for (int i = 0; i < il.Length;)
                {
                    var op = il[i] == 0xfe ? twoByte[il[i + 1]] : oneByte[il[i]];
                    if (op == OpCodes.Call || op == OpCodes.Callvirt || op == OpCodes.Newobj)
                    {
                        MethodBase? callee = null;
                        try
                        {
                            callee = method.Module.ResolveMethod(BitConverter.ToInt32(il, i + op.Size),
                                type.IsGenericType ? type.GetGenericArguments() : null,
                                method is MethodInfo { IsGenericMethod: true } mi ? mi.GetGenericArguments() : null);
                        }
                        catch (Exception e) when (e is ArgumentException or BadImageFormatException or TypeLoadException or FileNotFoundException) { }
                        if (callee?.DeclaringType?.Assembly == assembly)
                        {
                            if (!callers.TryGetValue(callee, out var list)) callers[callee] = list = [];
                            list.Add(method);
                        }
                        if (callee is not null && (callee.DeclaringType == typeof(TorchSharp.Scalar) && callee.Name == "op_Implicit" || callee.Name == "ToScalar"))
                            makers.Add(method);
                    }
                    i += op.Size + op.OperandType switch
                    {
                        OperandType.InlineNone => 0,
                        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                        OperandType.InlineVar => 2,
                        OperandType.InlineI8 or OperandType.InlineR => 8,
                        OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, i + op.Size),
                        _ => 4,
                    };
                }
            }
        var closure = new HashSet<MethodBase>(makers);
        var queue = new Queue<MethodBase>(makers);
        while (queue.Count > 0)
            if (callers.TryGetValue(queue.Dequeue(), out var list))
                foreach (var caller in list)
                    if (closure.Add(caller)) queue.Enqueue(caller);
        return closure.Select(KeyOf).ToHashSet();
    }
}
