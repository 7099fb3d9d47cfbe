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

    /// <summary>
    /// Creates the optimiser over <paramref name="parameters"/>: TorchSharp's, with its step replaced by one that holds every
    /// Scalar for its native call (<see cref="Optimizers.Adam"/> and siblings in <c>Training/Optimizers</c>; same state, same class names, same checkpoint format).
    /// </summary>
    public static optim.Optimizer Create(IEnumerable<TorchSharp.Modules.Parameter> parameters, TrainerOptions o) => Check(o.Optimizer) switch
    {
        "adam" => new Optimizers.Adam(parameters, o.LearningRate, weightDecay: o.WeightDecay),
        "adamw" => new Optimizers.AdamW(parameters, o.LearningRate, weightDecay: o.WeightDecay),
        "sgd" => new Optimizers.SGD(parameters, o.LearningRate, momentum: o.Momentum, weightDecay: o.WeightDecay),
        "rmsprop" => new Optimizers.RMSProp(parameters, o.LearningRate, momentum: o.Momentum, weightDecay: o.WeightDecay),
        _ => throw new InvalidOperationException(),
    };
}
