namespace GanMnist.Torch;

/// <summary>
/// Frees, when disposed, every tensor created on this thread while it was the innermost scope,
/// except those moved out or detached. One scope per training step keeps native memory flat without
/// relying on the garbage collector (<c>using var scope = torch.NewDisposeScope();</c>).
/// </summary>
/// <remarks>
/// Scopes nest per thread and must be disposed on the thread that opened them, innermost first.
/// Do not <c>await</c> inside a scope: a continuation may resume on another thread.
/// </remarks>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic]
    private static DisposeScope? _current;

    private readonly HashSet<torch.Tensor> _tensors = new(ReferenceEqualityComparer.Instance);
    private readonly int _threadId = Environment.CurrentManagedThreadId;
    private bool _disposed;

    internal DisposeScope()
    {
        Outer = _current;
        _current = this;
    }

    /// <summary>The scope that was innermost when this one was opened, if any.</summary>
    public DisposeScope? Outer { get; }

    /// <summary>The number of tensors this scope will free.</summary>
    public int Count => _tensors.Count;

    internal static DisposeScope? Current => _current;

    /// <summary>Hands <paramref name="tensor"/> to the outer scope (or to no scope), so it survives this one.</summary>
    public T MoveToOuter<T>(T tensor) where T : torch.Tensor
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.Scope == this)
        {
            _tensors.Remove(tensor);
            tensor.Scope = null;
            Outer?.Add(tensor);
        }

        return tensor;
    }

    /// <summary>Frees every tensor still owned by the scope.</summary>
    /// <exception cref="InvalidOperationException">An inner scope is still open, or this is another thread.</exception>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        if (_current != this || Environment.CurrentManagedThreadId != _threadId)
        {
            throw new InvalidOperationException(
                "A DisposeScope must be disposed on the thread that opened it, after every scope opened inside it.");
        }

        _disposed = true;
        _current = Outer;
        foreach (var tensor in _tensors)
        {
            tensor.Scope = null;
            tensor.Dispose();
        }

        _tensors.Clear();
    }

    internal void Add(torch.Tensor tensor)
    {
        _tensors.Add(tensor);
        tensor.Scope = this;
    }

    internal void Remove(torch.Tensor tensor)
    {
        _tensors.Remove(tensor);
        tensor.Scope = null;
    }
}
