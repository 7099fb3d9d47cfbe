using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AttentionSharp.Training.Optimizers;

// TorchSharp 0.107's optimizers pass plain doubles where libtorch takes a Scalar (state.exp_avg.mul_(beta1), add_(grad,
// alpha: 1 - beta1) ...). Each becomes a temporary Scalar that nothing keeps alive once its handle has been read, so a
// garbage collection during the native call can run its finalizer and free the scalar while libtorch reads it: the
// rare "Unknown scalar type" / "toDouble" / "toFloat" ExternalExceptions of long runs (../shared/TORCHSHARP.md,
// docs/RESULTS.md). These subclasses keep TorchSharp's state, options, parameter groups and state_dict format (so
// checkpoints written with TorchSharp's optimizers resume unchanged) and override only step(), with the same
// arithmetic in the same order, but every Scalar held in a variable for the duration of the call and disposed after.
// TorchSharp's one-argument overloads are no safer: add_(Scalar), add_(Tensor), add(Tensor) (and so the + operator) and
// addcdiv_(Tensor, Tensor) call their two-argument forms with a literal 1 that becomes a temporary Scalar, so the steps
// here always pass HeldScalarSteps.One, a Scalar that lives as long as the process.
// They carry TorchSharp's class names (Adam, AdamW, SGD, RMSProp) because TorchSharp writes the optimizer's type name
// into its state_dict and refuses another name when loading: same names, so checkpoints move both ways.

/// <summary>Adam (Kingma and Ba 2015) with every Scalar held for its native call; state and format of TorchSharp's <see cref="TorchSharp.Modules.Adam"/>.</summary>
public sealed class Adam(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
    double weightDecay = 0, bool amsgrad = false, bool maximize = false)
    : TorchSharp.Modules.Adam(parameters, lr, beta1, beta2, eps, weightDecay, amsgrad, maximize)
{
    /// <inheritdoc />
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var o = (Options)group.Options;
        foreach (var param in group.Parameters)
        {
            if (param.grad is not { } g) continue;
            var state = (State)_state[param.Handle];
            state.step += 1;
            HeldScalarSteps.AdamUpdate(param, o.maximize!.Value ? -g : g, state.exp_avg, state.exp_avg_sq, ref state.max_exp_avg_sq, state.step,
                o.LearningRate!.Value, o.beta1!.Value, o.beta2!.Value, o.eps!.Value, o.weight_decay!.Value, decoupled: false, o.amsgrad!.Value);
        }
    }, closure);
}

/// <summary>AdamW (Loshchilov and Hutter 2019) with every Scalar held for its native call; state and format of TorchSharp's <see cref="TorchSharp.Modules.AdamW"/>.</summary>
public sealed class AdamW(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
    double weightDecay = 0, bool amsgrad = false, bool maximize = false)
    : TorchSharp.Modules.AdamW(parameters, lr, beta1, beta2, eps, weightDecay, amsgrad, maximize)
{
    /// <inheritdoc />
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var o = (Options)group.Options;
        foreach (var param in group.Parameters)
        {
            if (param.grad is not { } g) continue;
            var state = (State)_state[param.Handle];
            state.step += 1;
            HeldScalarSteps.AdamUpdate(param, o.maximize!.Value ? -g : g, state.exp_avg, state.exp_avg_sq, ref state.max_exp_avg_sq, state.step,
                o.LearningRate!.Value, o.beta1!.Value, o.beta2!.Value, o.eps!.Value, o.weight_decay!.Value, decoupled: true, o.amsgrad!.Value);
        }
    }, closure);
}

/// <summary>SGD with optional momentum, dampening and Nesterov, every Scalar held; state and format of TorchSharp's <see cref="TorchSharp.Modules.SGD"/>.</summary>
public sealed class SGD(IEnumerable<Parameter> parameters, double lr, double momentum = 0, double dampening = 0, double weightDecay = 0,
    bool nesterov = false, bool maximize = false)
    : TorchSharp.Modules.SGD(parameters, lr, momentum, dampening, weightDecay, nesterov, maximize)
{
    /// <inheritdoc />
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var o = group.Options;
        double momentum = o.momentum!.Value, lr = o.LearningRate!.Value, weightDecay = o.weight_decay!.Value;
        using var wd = weightDecay.ToScalar();
        using var mom = momentum.ToScalar();
        using var keep = (1 - o.dampening!.Value).ToScalar();
        using var step = (o.maximize!.Value ? lr : -lr).ToScalar();
        foreach (var param in group.Parameters)
        {
            if (param.grad is not { } grad) continue;
            var state = (State)_state[param.Handle];
            if (weightDecay != 0) grad = grad.add(param, alpha: wd);
            if (momentum != 0)
            {
                var buf = state.momentum_buffer;
                if (buf is null) state.momentum_buffer = buf = grad.clone().detach().DetachFromDisposeScope();
                else buf.mul_(mom).add_(grad, alpha: keep);
                grad = o.nesterov!.Value ? grad.add(buf, alpha: mom) : buf;
            }
            param.add_(grad, alpha: step);
        }
    }, closure);
}

/// <summary>RMSprop (Hinton), optionally centred and with momentum, every Scalar held; state and format of TorchSharp's <see cref="TorchSharp.Modules.RMSProp"/>.</summary>
public sealed class RMSProp(IEnumerable<Parameter> parameters, double lr = 1e-2, double alpha = 0.99, double eps = 1e-8, double weightDecay = 0,
    double momentum = 0, bool centered = false, bool maximize = false)
    : TorchSharp.Modules.RMSProp(parameters, lr, alpha, eps, weightDecay, momentum, centered, maximize)
{
    /// <inheritdoc />
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var o = (Options)group.Options;
        double momentum = o.momentum!.Value, weightDecay = o.weight_decay!.Value;
        using var wd = weightDecay.ToScalar();
        using var a = o.alpha!.Value.ToScalar();
        using var oneMinusA = (1 - o.alpha!.Value).ToScalar();
        using var minusOne = (-1.0).ToScalar();
        using var eps = o.eps!.Value.ToScalar();
        using var mom = momentum.ToScalar();
        using var minusLr = (-o.LearningRate!.Value).ToScalar();
        foreach (var param in group.Parameters)
        {
            if (param.grad is not { } grad) continue;
            if (o.maximize!.Value) grad = -grad;
            var state = (State)_state[param.Handle];
            state.step += 1;
            if (weightDecay != 0) grad = grad.add(param, alpha: wd);
            state.square_avg.mul_(a).addcmul_(grad, grad, value: oneMinusA);
            Tensor avg;
            if (o.centered!.Value)
            {
                state.grad_avg.mul_(a).add_(grad, alpha: oneMinusA);
                avg = state.square_avg.addcmul(state.grad_avg, state.grad_avg, value: minusOne).sqrt_().add_(eps, HeldScalarSteps.One);
            }
            else avg = state.square_avg.sqrt().add_(eps, HeldScalarSteps.One);
            if (momentum > 0)
            {
                state.momentum_buffer.mul_(mom).addcdiv_(grad, avg, HeldScalarSteps.One);
                param.add_(state.momentum_buffer, alpha: minusLr);
            }
            else param.addcdiv_(grad, avg, minusLr);
        }
    }, closure);
}

/// <summary>The Adam/AdamW parameter update shared by both, in TorchSharp's order of operations.</summary>
static class HeldScalarSteps
{
    /// <summary>The Scalar 1, alive for the whole process (a static root: never finalized while a native call reads it).</summary>
    public static readonly Scalar One = 1.0.ToScalar();

    public static void AdamUpdate(Parameter param, Tensor grad, Tensor expAvg, Tensor expAvgSq, ref Tensor maxExpAvgSq, long step,
        double lr, double beta1, double beta2, double eps, double weightDecay, bool decoupled, bool amsgrad)
    {
        double biasCorrection1 = 1 - Math.Pow(beta1, step), biasCorrection2 = 1 - Math.Pow(beta2, step);
        if (decoupled)
        {
            using var shrink = (1 - lr * weightDecay).ToScalar();
            param.mul_(shrink);
        }
        else if (weightDecay != 0)
        {
            using var wd = weightDecay.ToScalar();
            grad = grad.add(param, alpha: wd);
        }
        using var b1 = beta1.ToScalar();
        using var oneMinusB1 = (1 - beta1).ToScalar();
        using var b2 = beta2.ToScalar();
        using var oneMinusB2 = (1 - beta2).ToScalar();
        using var root = Math.Sqrt(biasCorrection2).ToScalar();
        using var e = eps.ToScalar();
        using var minusStep = (-(lr / biasCorrection1)).ToScalar();
        expAvg.mul_(b1).add_(grad, alpha: oneMinusB1);
        expAvgSq.mul_(b2).addcmul_(grad, decoupled ? grad : grad.conj(), value: oneMinusB2);
        Tensor denom;
        if (amsgrad)
        {
            var previous = maxExpAvgSq;
            maxExpAvgSq = torch.maximum(previous, expAvgSq).DetachFromDisposeScope();
            previous.Dispose();
            denom = maxExpAvgSq.sqrt().div_(root).add_(e, One);
        }
        else denom = expAvgSq.sqrt().div_(root).add_(e, One);
        param.addcdiv_(expAvg, denom, value: minusStep);
    }
}
