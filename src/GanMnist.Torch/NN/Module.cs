using GanMnist.Torch.PInvoke;

namespace GanMnist.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>
        /// A tensor that is a module's trainable state: a leaf with <c>requires_grad</c>, owned by its
        /// module (never by a dispose scope) and freed when the module is disposed.
        /// </summary>
        public sealed class Parameter : Tensor
        {
            /// <summary>Makes a parameter sharing <paramref name="data"/>'s storage (detached from its graph).</summary>
            public Parameter(Tensor data, bool requires_grad = true) : base(NativeErrors.Check(NativeMethods.gmt_tensor_detach(data.Handle)))
            {
                DetachFromDisposeScope();
                requires_grad_(requires_grad);
            }
        }

        /// <summary>
        /// A neural-network module: named parameters, buffers and submodules registered explicitly,
        /// a training/evaluation mode, and state dictionaries with PyTorch's dotted names
        /// (<c>0.weight</c>, <c>bn.running_mean</c>).
        /// </summary>
        public abstract class Module : IDisposable
        {
            private readonly List<(string Name, Parameter Value)> _parameters = [];
            private readonly List<(string Name, Tensor Value)> _buffers = [];
            private readonly List<(string Name, Module Value)> _modules = [];
            private bool _disposed;

            /// <summary>Creates a module; <paramref name="name"/> is its type name for messages.</summary>
            protected Module(string name) => this.name = name;

            /// <summary>The module's type name, e.g. <c>Linear</c>.</summary>
            public string name { get; }

            /// <summary>True in training mode (the default), false in evaluation mode.</summary>
            public bool training { get; private set; } = true;

            /// <summary>Registers a parameter under <paramref name="name"/>; the module owns it from now on.</summary>
            protected Parameter register_parameter(string name, Parameter parameter)
            {
                CheckName(name);
                _parameters.Add((name, parameter));
                return parameter;
            }

            /// <summary>Registers a buffer (state that is saved but not trained, e.g. running statistics); the module owns it.</summary>
            protected Tensor register_buffer(string name, Tensor buffer)
            {
                CheckName(name);
                buffer.DetachFromDisposeScope();
                _buffers.Add((name, buffer));
                return buffer;
            }

            /// <summary>Registers a submodule; the module owns it from now on.</summary>
            protected T register_module<T>(string name, T module) where T : Module
            {
                CheckName(name);
                _modules.Add((name, module));
                return module;
            }

            /// <summary>The direct submodules with their names.</summary>
            public IEnumerable<(string name, Module module)> named_children() => _modules.Select(m => (m.Name, m.Value));

            /// <summary>This module and every module below it, depth first.</summary>
            public IEnumerable<Module> modules()
            {
                yield return this;
                foreach (var (_, child) in _modules)
                {
                    foreach (var m in child.modules())
                    {
                        yield return m;
                    }
                }
            }

            /// <summary>Parameters with dotted names, this module's first, then each submodule's.</summary>
            public IEnumerable<(string name, Parameter parameter)> named_parameters(bool recurse = true) =>
                Walk(m => m._parameters, recurse);

            /// <summary>All parameters (recursively).</summary>
            public IEnumerable<Parameter> parameters(bool recurse = true) => named_parameters(recurse).Select(p => p.parameter);

            /// <summary>Buffers with dotted names.</summary>
            public IEnumerable<(string name, Tensor buffer)> named_buffers(bool recurse = true) => Walk(m => m._buffers, recurse);

            private IEnumerable<(string, T)> Walk<T>(Func<Module, List<(string Name, T Value)>> select, bool recurse, string prefix = "")
            {
                foreach (var (n, v) in select(this))
                {
                    yield return (prefix + n, v);
                }

                if (!recurse)
                {
                    yield break;
                }

                foreach (var (n, child) in _modules)
                {
                    foreach (var item in child.Walk(select, true, $"{prefix}{n}."))
                    {
                        yield return item;
                    }
                }
            }

            /// <summary>Sets training (true) or evaluation (false) mode on this module and every submodule.</summary>
            public Module train(bool mode = true)
            {
                foreach (var m in modules())
                {
                    m.training = mode;
                }

                return this;
            }

            /// <summary>Evaluation mode: batch norm uses running statistics, dropout is off.</summary>
            public Module eval() => train(false);

            /// <summary>Clears every parameter's gradient (sets it to none).</summary>
            public void zero_grad()
            {
                foreach (var p in parameters())
                {
                    p.ClearGrad();
                }
            }

            /// <summary>
            /// Moves every parameter and buffer to <paramref name="device"/> in place; existing references stay
            /// valid. Create optimizers after moving: their state is allocated where the parameters are.
            /// </summary>
            public Module to(Device device)
            {
                device.EnsureAvailable();
                using var noGrad = no_grad();
                foreach (var (_, p) in named_parameters())
                {
                    Move(p, device, p.requires_grad);
                }

                foreach (var (_, b) in named_buffers())
                {
                    Move(b, device, false);
                }

                return this;
            }

            private static void Move(Tensor t, Device device, bool requiresGrad)
            {
                if (t.device == device)
                {
                    return;
                }

                var moved = NativeErrors.Check(NativeMethods.gmt_tensor_to(t.Handle, (int)t.dtype, (int)device.type, device.index, 0));
                t.ReplaceHandle(moved);
                t.requires_grad_(requiresGrad);
            }

            /// <summary>
            /// Parameters then buffers under their dotted names. The tensors share storage with the module
            /// but are new handles: the caller (or the current dispose scope) owns them.
            /// </summary>
            public Dictionary<string, Tensor> state_dict()
            {
                var result = new Dictionary<string, Tensor>();
                foreach (var (n, p) in named_parameters())
                {
                    result[n] = p.detach();
                }

                foreach (var (n, b) in named_buffers())
                {
                    result[n] = b.detach();
                }

                return result;
            }

            /// <summary>
            /// Copies tensors into the parameters and buffers of the same name. Everything is checked first
            /// (names, and shapes), so a failed load leaves the module untouched.
            /// </summary>
            /// <returns>The names the module has but the dictionary lacks, and the names the module does not have (both empty when strict).</returns>
            /// <exception cref="ArgumentException">A shape differs, or (when <paramref name="strict"/>) a name is missing or unexpected; the message lists each.</exception>
            public (IReadOnlyList<string> missing, IReadOnlyList<string> unexpected) load_state_dict(
                IReadOnlyDictionary<string, Tensor> source, bool strict = true)
            {
                ArgumentNullException.ThrowIfNull(source);
                var own = named_parameters().Select(p => (p.name, (Tensor)p.parameter)).Concat(named_buffers()).ToList();
                var missing = own.Where(o => !source.ContainsKey(o.Item1)).Select(o => o.Item1).ToList();
                var ownNames = own.Select(o => o.Item1).ToHashSet();
                var unexpected = source.Keys.Where(k => !ownNames.Contains(k)).ToList();
                var problems = new List<string>();
                foreach (var (n, t) in own)
                {
                    if (source.TryGetValue(n, out var s) && !s.shape.SequenceEqual(t.shape))
                    {
                        problems.Add($"'{n}': the module has shape [{string.Join(", ", t.shape)}] but the state has [{string.Join(", ", s.shape)}]");
                    }
                }

                if (strict)
                {
                    problems.AddRange(missing.Select(m => $"'{m}': missing from the state"));
                    problems.AddRange(unexpected.Select(u => $"'{u}': not a parameter or buffer of the module"));
                }

                if (problems.Count > 0)
                {
                    throw new ArgumentException($"The state does not fit {name}:{Environment.NewLine}  " +
                        string.Join(Environment.NewLine + "  ", problems), nameof(source));
                }

                using (no_grad())
                {
                    foreach (var (n, t) in own)
                    {
                        if (source.TryGetValue(n, out var s))
                        {
                            t.copy_(s);
                        }
                    }
                }

                return (missing, unexpected);
            }

            /// <summary>Frees every parameter, buffer and submodule.</summary>
            public void Dispose()
            {
                Dispose(true);
                GC.SuppressFinalize(this);
            }

            /// <summary>Frees the native state when <paramref name="disposing"/>.</summary>
            protected virtual void Dispose(bool disposing)
            {
                if (_disposed || !disposing)
                {
                    return;
                }

                _disposed = true;
                foreach (var (_, p) in _parameters)
                {
                    p.Dispose();
                }

                foreach (var (_, b) in _buffers)
                {
                    b.Dispose();
                }

                foreach (var (_, m) in _modules)
                {
                    m.Dispose();
                }
            }

            private void CheckName(string name)
            {
                if (string.IsNullOrEmpty(name) || name.Contains('.'))
                {
                    throw new ArgumentException($"'{name}' is not a valid member name (empty or containing '.').", nameof(name));
                }

                if (_parameters.Any(p => p.Name == name) || _buffers.Any(b => b.Name == name) || _modules.Any(m => m.Name == name))
                {
                    throw new ArgumentException($"{this.name} already has a member named '{name}'.", nameof(name));
                }
            }
        }

        /// <summary>A module with a forward function from <typeparamref name="T"/> to <typeparamref name="TResult"/>.</summary>
        public abstract class Module<T, TResult> : Module
        {
            /// <summary>Creates a module with the given type name.</summary>
            protected Module(string name) : base(name) { }

            /// <summary>The computation.</summary>
            public abstract TResult forward(T input);

            /// <summary>Runs <see cref="forward"/>.</summary>
            public TResult call(T input) => forward(input);
        }
    }
}
