using GanMnist.Imaging;
using static TorchSharp.torch;

namespace GanMnist.Training.Callbacks;

/// <summary>
/// Every <c>everyEpochs</c> epochs and after the last, samples the fixed noise (<see cref="TrainingContext.FixedNoise"/>, and
/// <see cref="TrainingContext.FixedLabels"/> for a conditional generator) from <see cref="TrainingContext.SamplingGenerator"/>
/// in evaluation mode (batch-norm running statistics), as the seeds do, and writes the grid twice: raw size
/// (<see cref="Checkpoints.RunFolder.SampleFile"/>) and 4x (<see cref="Checkpoints.RunFolder.LargeSampleFile"/>). Then every
/// callback's <see cref="ITrainingCallback.OnSampleWritten"/> runs with the raw grid. Added by default when
/// <see cref="GanOutputOptions.SampleEveryEpochs"/> is above 0.
/// </summary>
public sealed class SampleGridCallback : ITrainingCallback
{
    private readonly int _everyEpochs;
    private readonly int _columns;

    /// <summary>A grid of <paramref name="columns"/> × <paramref name="columns"/> images every <paramref name="everyEpochs"/> epochs.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A count is below 1.</exception>
    public SampleGridCallback(int everyEpochs, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(everyEpochs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        (_everyEpochs, _columns) = (everyEpochs, columns);
    }

    /// <summary>Writes the grids of a sampled epoch.</summary>
    public void OnEpochEnd(TrainingContext context, EpochSummary summary)
    {
        var epoch = summary.Epoch;
        if (epoch % _everyEpochs != 0 && epoch != context.Options.Epochs)
        {
            return;
        }

        var path = context.Folder.SampleFile(epoch);
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            var sampler = context.SamplingGenerator;
            var training = sampler.Module.training;
            sampler.Module.eval();
            try
            {
                var images = sampler.Generate(context.FixedNoise, context.FixedLabels);
                ImageGrid.Save(images, _columns, path);
                ImageGrid.Save(images, _columns, context.Folder.LargeSampleFile(epoch), ImageGrid.LargeScale);
            }
            finally
            {
                sampler.Module.train(training);
            }
        }

        context.SampleWritten(epoch, path);
    }
}
