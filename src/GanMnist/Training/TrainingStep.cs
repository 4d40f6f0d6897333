using GanMnist.Losses;
using GanMnist.Models;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace GanMnist.Training;

/// <summary>
/// One training step, shared by <see cref="GanTrainer"/> and the benchmarks, in the order of <paramref name="schedule"/>:
/// <see cref="UpdateSchedule.Alternating"/>, D on real images and detached fakes (<c>discriminatorSteps</c> times),
/// then G through the updated D; or <see cref="UpdateSchedule.Simultaneous"/>, both gradients from one forward pass,
/// then both updates. With <see cref="Precision.BFloat16Mixed"/> the forward and backward passes run inside an
/// <see cref="Autocast"/> scope; when <c>autocastGenerator</c> is false G's forward runs in a nested <see cref="Autocast.Disable"/>
/// scope, so its graph, and with it its backward, is float32 (the optimiser steps are float32 either way). Call it inside a dispose scope.
/// </summary>
internal sealed class TrainingStep(IGenerator g, IDiscriminator d, IGanLoss loss, Adam gOptimizer, Adam dOptimizer, Generator random,
    int discriminatorSteps = 1, bool freezeDiscriminatorInGeneratorStep = true, UpdateSchedule schedule = UpdateSchedule.Alternating,
    Precision precision = Precision.Float32, bool autocastGenerator = true)
{
    /// <summary>Standard deviation of Gaussian noise added to every image D sees (real and fake, D and G steps); 0 for none.</summary>
    public double InstanceNoise { get; set; }

    public (LossOutput Discriminator, LossOutput Generator) Run(Tensor real, Tensor? labels)
    {
        using var autocast = precision == Precision.BFloat16Mixed ? Autocast.Enable(ScalarType.BFloat16) : null;
        return schedule == UpdateSchedule.Simultaneous ? RunSimultaneous(Noisy(real), labels) : RunAlternating(Noisy(real), labels);
    }

    /// <summary>
    /// The TensorFlow DCGAN tutorial's <c>train_step</c>: G makes a batch; D scores the real and the generated batch once;
    /// D's loss and G's loss come from those logits; D's gradient is taken with respect to D's parameters only (the
    /// tutorial's <c>disc_tape</c>) and G's with respect to G's (<c>gen_tape</c>), both before either update; then both
    /// optimisers step. Dropout in D therefore draws one mask for the generated batch, seen by both losses.
    /// </summary>
    private (LossOutput Discriminator, LossOutput Generator) RunSimultaneous(Tensor real, Tensor? labels)
    {
        var noise = randn([real.size(0), g.LatentSize], device: real.device, generator: random);
        var fake = Noisy(Generate(noise, labels));
        var (realLogits, fakeLogits) = Score(real, fake, labels);
        var dOut = loss.Discriminator(new DiscriminatorLossInput(realLogits, fakeLogits, real, fake.detach(), d, labels, random));
        var gOut = loss.Generator(new GeneratorLossInput(fakeLogits, fake, d, labels, real));

        var dParameters = d.Module.parameters().Where(p => p.requires_grad).ToArray();
        gOptimizer.zero_grad();
        dOptimizer.zero_grad();
        // D's gradient first, keeping the graph for G's backward; G's backward then also leaves ∂L_G/∂θ_D in D's .grad,
        // which is overwritten with D's own gradient before D steps.
        var dGradients = autograd.grad([dOut.Loss], dParameters, retain_graph: true, allow_unused: true);
        gOut.Loss.backward();
        using (no_grad())
        {
            for (var i = 0; i < dParameters.Length; i++)
            {
                // A parameter D's loss does not use comes back as an undefined tensor (allow_unused): its gradient is zero.
                var own = dGradients[i] is { IsInvalid: false } g ? g : null;
                var gradient = dParameters[i].grad;
                if (gradient is null)
                {
                    dParameters[i].grad = own?.clone() ?? zeros_like(dParameters[i]);
                }
                else if (own is not null)
                {
                    gradient.copy_(own);
                }
                else
                {
                    gradient.zero_();
                }
            }
        }

        gOptimizer.step();
        dOptimizer.step();
        return (dOut, gOut);
    }

    /// <summary>G's forward pass, in float32 under bf16-mixed when the generator is not autocast (its backward follows).</summary>
    private Tensor Generate(Tensor noise, Tensor? labels)
    {
        using var float32 = precision == Precision.BFloat16Mixed && !autocastGenerator ? Autocast.Disable() : null;
        return g.Generate(noise, labels);
    }

    private (LossOutput Discriminator, LossOutput Generator) RunAlternating(Tensor real, Tensor? labels)
    {
        var size = real.size(0);
        LossOutput? dOut = null;
        Tensor fake = null!;
        for (var k = 0; k < discriminatorSteps; k++)
        {
            var noise = randn([size, g.LatentSize], device: real.device, generator: random);
            var lastDStep = k == discriminatorSteps - 1;
            // The last D step's fakes are kept (with their graph) for the G step, as pytorch/examples does.
            using (lastDStep ? null : no_grad())
            {
                fake = Generate(noise, labels);
            }

            var detached = Noisy(fake.detach());
            var (realLogits, fakeLogits) = Score(real, detached, labels);
            dOut = loss.Discriminator(new DiscriminatorLossInput(realLogits, fakeLogits, real, detached, d, labels, random));
            dOptimizer.zero_grad();
            dOut.Loss.backward();
            dOptimizer.step();
        }

        // G step: D's weights need no gradient here, so D's backward only propagates to its input (the benchmarks
        // can switch this off to measure it: docs/performance.md).
        SetRequiresGrad(d.Module, !freezeDiscriminatorInGeneratorStep);
        try
        {
            var seen = Noisy(fake);
            var gOut = loss.Generator(new GeneratorLossInput(d.Forward(seen, labels), seen, d, labels, real));
            gOptimizer.zero_grad();
            gOut.Loss.backward();
            gOptimizer.step();
            return (dOut!, gOut);
        }
        finally
        {
            SetRequiresGrad(d.Module, true);
        }
    }

    private Tensor Noisy(Tensor images) =>
        InstanceNoise > 0 ? images + (randn(images.shape, device: images.device, generator: random) * InstanceNoise) : images;

    // D scores the real and the fake batch in two forwards. One forward of their concatenation was 8% faster for the
    // MLP on libtorch 1.13 and measured 10% slower on TorchSharp (docs/performance.md); it also let minibatch
    // discrimination compare real with fake images.
    private (Tensor Real, Tensor Fake) Score(Tensor real, Tensor fake, Tensor? labels) => (d.Forward(real, labels), d.Forward(fake, labels));

    private static void SetRequiresGrad(nn.Module module, bool value)
    {
        foreach (var p in module.parameters())
        {
            p.requires_grad_(value);
        }
    }
}
