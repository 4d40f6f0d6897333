using GanMnist.Torch.PInvoke;

namespace GanMnist.Torch;

public static partial class torch
{
    public partial class Tensor
    {
        /// <summary>
        /// The accumulated gradient, or null when none was computed (or it was cleared). Each read
        /// returns a new handle to the same gradient, owned by the caller (or the current scope).
        /// </summary>
        public Tensor? grad
        {
            get
            {
                NativeErrors.Check(NativeMethods.gmt_tensor_grad(Handle, out var g));
                return g == IntPtr.Zero ? null : new Tensor(g);
            }
        }

        /// <summary>Turns gradient recording on or off for this leaf tensor, in place.</summary>
        public Tensor requires_grad_(bool requires_grad = true)
        {
            NativeErrors.Check(NativeMethods.gmt_tensor_set_requires_grad(Handle, requires_grad ? 1 : 0));
            return this;
        }

        /// <summary>The same data cut from the autograd graph.</summary>
        public Tensor detach() => Wrap(NativeMethods.gmt_tensor_detach(Handle));

        /// <summary>
        /// Accumulates the gradient of this tensor into the leaves' <see cref="grad"/>.
        /// <paramref name="create_graph"/> records the backward pass itself, for higher derivatives
        /// (gradient penalties); <paramref name="retain_graph"/> allows a second backward.
        /// </summary>
        public void backward(Tensor? gradient = null, bool retain_graph = false, bool create_graph = false) =>
            NativeErrors.Check(NativeMethods.gmt_tensor_backward(Handle, HandleOf(gradient), retain_graph || create_graph ? 1 : 0, create_graph ? 1 : 0));

        /// <summary>Sets the gradient to none (as <c>zero_grad(set_to_none=True)</c>).</summary>
        internal void ClearGrad() => NativeErrors.Check(NativeMethods.gmt_tensor_clear_grad(Handle));
    }

    /// <summary>Whether operations are recorded for autograd on this thread.</summary>
    public static bool is_grad_enabled() => NativeMethods.gmt_grad_enabled() != 0;

    /// <summary>Turns autograd recording off on this thread until the returned scope is disposed.</summary>
    public static IDisposable no_grad() => new GradModeScope(false);

    /// <summary>Turns autograd recording on on this thread until the returned scope is disposed.</summary>
    public static IDisposable enable_grad() => new GradModeScope(true);

    /// <summary>Opens a scope that frees every tensor created inside it on this thread when disposed.</summary>
    public static DisposeScope NewDisposeScope() => new();

    private sealed class GradModeScope : IDisposable
    {
        private readonly bool _previous = is_grad_enabled();
        private bool _disposed;

        public GradModeScope(bool enabled) => NativeMethods.gmt_set_grad_enabled(enabled ? 1 : 0);

        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                NativeMethods.gmt_set_grad_enabled(_previous ? 1 : 0);
            }
        }
    }

    /// <summary>Functional autograd.</summary>
    public static class autograd
    {
        /// <summary>
        /// The gradients of <paramref name="outputs"/> with respect to <paramref name="inputs"/>, as
        /// <c>torch.autograd.grad</c>, without touching <see cref="Tensor.grad"/>. With
        /// <paramref name="create_graph"/> the results are differentiable (gradient penalties). An entry is
        /// null for an input the outputs do not depend on, when <paramref name="allow_unused"/>.
        /// </summary>
        public static unsafe Tensor?[] grad(IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor> inputs,
            IReadOnlyList<Tensor>? grad_outputs = null, bool retain_graph = false, bool create_graph = false, bool allow_unused = false)
        {
            if (grad_outputs is not null && grad_outputs.Count != outputs.Count)
            {
                throw new ArgumentException($"{grad_outputs.Count} grad_outputs were given for {outputs.Count} outputs.", nameof(grad_outputs));
            }

            var results = new IntPtr[inputs.Count];
            var status = Tensor.WithHandles(outputs, (outs, nOut) =>
                Tensor.WithHandles(inputs, (ins, nIn) =>
                    Tensor.WithHandles(grad_outputs ?? [], (gouts, _) =>
                    {
                        fixed (IntPtr* r = results)
                        {
                            return NativeMethods.gmt_autograd_grad((IntPtr*)outs, nOut, (IntPtr*)ins, nIn,
                                grad_outputs is null ? null : (IntPtr*)gouts, retain_graph || create_graph ? 1 : 0,
                                create_graph ? 1 : 0, allow_unused ? 1 : 0, r);
                        }
                    })));
            NativeErrors.Check(status);
            return Array.ConvertAll(results, h => h == IntPtr.Zero ? null : new Tensor(h));
        }
    }
}
