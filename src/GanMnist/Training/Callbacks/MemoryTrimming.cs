using GanMnist.Runtime;

namespace GanMnist.Training.Callbacks;

/// <summary>
/// Returns freed native memory to the system: glibc's <c>malloc_trim</c> every <see cref="MallocSettings.TrimEverySteps"/>
/// steps and a generation-1 collection after each epoch (the wrappers only a GC frees), so a long run's resident memory
/// stays flat (docs/performance.md). Always added, last; <c>GANMNIST_NATIVE_TUNING=0</c> turns the trimming off.
/// </summary>
internal sealed class MemoryTrimming : ITrainingCallback
{
    public void OnStepEnd(TrainingContext context, StepInfo step) => MallocSettings.AfterStep(step.GlobalStep);

    public void OnEpochEnd(TrainingContext context, EpochSummary summary) => MallocSettings.AfterEpoch();
}
