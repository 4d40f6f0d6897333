namespace GanMnist.Torch;

public static partial class torch
{
    /// <summary>Optimizers, as <c>torch.optim</c>.</summary>
    public static partial class optim
    {
        /// <summary>Creates an Adam optimizer (Kingma and Ba, 2015) over <paramref name="parameters"/>.</summary>
        public static Modules.Adam Adam(IEnumerable<nn.Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
            double eps = 1e-8, double weight_decay = 0) => new(parameters, lr, beta1, beta2, eps, weight_decay);
    }
}
