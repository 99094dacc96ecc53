using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace Ahwa.Runtime.Training;

/// <summary>
/// TorchSharp's Adam with the same arithmetic, bit for bit, but without the two fresh tensors of each parameter's
/// size that its step allocates (<c>denom = (exp_avg_sq.sqrt() / sqrt(bias_correction2)).add_(eps)</c>). Each
/// parameter keeps one scratch tensor: the second moment is copied into it and square-rooted, divided and offset in
/// place (<c>sqrt_</c> and <c>div_</c> run the same kernels as <c>sqrt()</c> and the out-of-place <c>/</c>; the copy
/// is one more pass over memory that is already mapped, where the fresh tensors cost page faults). In full AHWA the
/// word embedding alone is 30522 x 384 (47 MB, above glibc's mmap threshold), so the fresh tensors were fresh pages
/// every step: page faults and page clearing took more of the step than the matrix products. Everything else (state, options, parameter groups, state dictionaries, the learning rate that
/// <c>optim.lr_scheduler</c> drives) is TorchSharp's <see cref="TorchSharp.Modules.Adam"/>'s.
/// </summary>
public sealed class ScratchAdam : TorchSharp.Modules.Adam
{
    readonly Dictionary<IntPtr, Tensor> scratch = new();

    /// <summary>The defaults of <c>torch.optim.Adam</c> (betas 0.9 and 0.999, eps 1e-8, no weight decay).</summary>
    public ScratchAdam(IEnumerable<TorchSharp.Modules.Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false)
        : base(parameters, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize)
    {
    }

    public override Tensor step(Func<Tensor>? closure = null)
    {
        return _step<ParamGroup>(group =>
        {
            var options = (Options)group.Options;
            double beta1 = options.beta1!.Value, beta2 = options.beta2!.Value, weightDecay = options.weight_decay!.Value;
            double eps = options.eps!.Value, lr = options.LearningRate!.Value;
            bool amsgrad = options.amsgrad!.Value, maximize = options.maximize!.Value;

            foreach (var param in group.Parameters)
            {
                var state = (State)_state[param.Handle];
                var grad = param.grad;
                if (grad is null) continue;
                if (maximize) grad = -grad;

                state.step += 1;
                double biasCorrection1 = 1 - Math.Pow(beta1, state.step);
                double biasCorrection2 = 1 - Math.Pow(beta2, state.step);

                if (weightDecay != 0) grad = grad.add(param, alpha: weightDecay);

                state.exp_avg.mul_(beta1).add_(grad, alpha: 1 - beta1);
                state.exp_avg_sq.mul_(beta2).addcmul_(grad, grad.conj(), value: 1 - beta2);

                var second = state.exp_avg_sq;
                if (amsgrad)
                {
                    var previous = state.max_exp_avg_sq;
                    state.max_exp_avg_sq = torch.maximum(previous, state.exp_avg_sq).DetachFromDisposeScope();
                    previous.Dispose();
                    second = state.max_exp_avg_sq;
                }

                // TorchSharp has no out= variant of sqrt; sqrt_ runs the same ATen kernel (sqrt, sqrt_ and sqrt.out are
                // one structured kernel), and an in-place division the same kernel as the out-of-place one.
                var denom = Scratch(param).copy_(second).sqrt_();
                denom.div_(Math.Sqrt(biasCorrection2)).add_(eps);

                double stepSize = lr / biasCorrection1;
                param.addcdiv_(state.exp_avg, denom, value: -stepSize);
            }
        }, closure);
    }

    Tensor Scratch(TorchSharp.Modules.Parameter param)
    {
        if (!scratch.TryGetValue(param.Handle, out var buffer))
        {
            buffer = torch.empty_like(param).DetachFromDisposeScope();
            scratch[param.Handle] = buffer;
        }
        return buffer;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        foreach (var buffer in scratch.Values) buffer.Dispose();
        scratch.Clear();
    }
}
