using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Training;

/// <summary>Builds the optimiser named in <see cref="TrainerOptions.Optimizer"/>.</summary>
public static class OptimizerFactory
{
    /// <summary>The optimiser names understood.</summary>
    public static readonly string[] Names = ["adam", "adamw", "sgd", "rmsprop"];

    /// <summary>Returns the name when known, otherwise throws a message listing the known ones.</summary>
    public static string Check(string name) =>
        Names.Contains(name) ? name : throw new ArgumentException($"unknown optimizer '{name}'; expected one of {string.Join(", ", Names)}");

    /// <summary>Creates the optimiser over <paramref name="parameters"/>.</summary>
    public static optim.Optimizer Create(IEnumerable<TorchSharp.Modules.Parameter> parameters, TrainerOptions o) => Check(o.Optimizer) switch
    {
        "adam" => optim.Adam(parameters, o.LearningRate, weight_decay: o.WeightDecay),
        "adamw" => optim.AdamW(parameters, o.LearningRate, weight_decay: o.WeightDecay),
        "sgd" => optim.SGD(parameters, o.LearningRate, momentum: o.Momentum, weight_decay: o.WeightDecay),
        "rmsprop" => optim.RMSProp(parameters, o.LearningRate, momentum: o.Momentum, weight_decay: o.WeightDecay),
        _ => throw new InvalidOperationException(),
    };
}
