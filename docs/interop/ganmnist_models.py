"""GanMnist's built-in architectures in PyTorch, with the same state-dict names as GanMnist's TorchSharp modules.

    import torch
    from ganmnist_models import DcganGenerator
    g = DcganGenerator()
    g.load_state_dict(torch.load("generator.pt"))   # from: ganmnist export --checkpoint runs/dcgan --out generator.pt
    g.eval()
    images = g(torch.randn(16, 100))                # (16, 1, 28, 28) in [-1, 1]

The layer indices inside `main` are the names (main.0.weight, main.1.running_mean, ...), so keep the order. The
discriminators' dropout is GanMnist's counter-based dropout (same rate, other random numbers); in evaluation mode
both are the identity. Minibatch discrimination and the conditional architectures are not reproduced here.
"""
import torch
from torch import nn

# The seeds' Keras BatchNormalization defaults: epsilon 1e-3, momentum 0.99 (PyTorch's momentum = 1 - Keras').
BN = dict(eps=1e-3, momentum=0.01)


def _activation(name, slope):
    return nn.ReLU() if name == "relu" else nn.LeakyReLU(slope)


class KerasSameConvTranspose2d(nn.ConvTranspose2d):
    """A 5x5 stride-2 transposed convolution padded as Keras' Conv2DTranspose(padding="same"): TensorFlow pads 1 before
    and 2 after, so the output is rows and columns 1..2H of the unpadded result (GanMnist's TransposedConvolutionPadding.KerasSame)."""

    def __init__(self, in_channels, out_channels):
        super().__init__(in_channels, out_channels, 5, stride=2, bias=False)

    def forward(self, x):
        h, w = x.shape[-2:]
        return super().forward(x)[..., 1:2 * h + 1, 1:2 * w + 1]


def _upsample(in_channels, out_channels, padding):
    if padding == "keras-same":
        return KerasSameConvTranspose2d(in_channels, out_channels)
    return nn.ConvTranspose2d(in_channels, out_channels, 5, stride=2, padding=2, output_padding=1, bias=False)


class DcganGenerator(nn.Module):
    """The TensorFlow DCGAN tutorial's generator: 100 -> 7x7x256 -> 7x7x128 -> 14x14x64 -> 28x28x1, tanh.

    padding: "symmetric" (PyTorch's, GanMnist's default) or "keras-same" (the dcgan preset's, as the tutorial); the
    generator file's transposed_conv_padding metadata says which (Symmetric or KerasSame).
    """

    def __init__(self, latent_size=100, slope=0.2, padding="symmetric"):
        super().__init__()
        self.main = nn.Sequential(
            nn.Linear(latent_size, 7 * 7 * 256, bias=False), nn.BatchNorm1d(7 * 7 * 256, **BN), nn.LeakyReLU(slope),
            nn.Unflatten(1, (256, 7, 7)),
            nn.ConvTranspose2d(256, 128, 5, stride=1, padding=2, bias=False), nn.BatchNorm2d(128, **BN), nn.LeakyReLU(slope),
            _upsample(128, 64, padding), nn.BatchNorm2d(64, **BN), nn.LeakyReLU(slope),
            _upsample(64, 1, padding), nn.Tanh())

    def forward(self, noise):
        return self.main(noise)


class DcganDiscriminator(nn.Module):
    """The tutorial's discriminator: two 5x5 stride-2 convolutions with LeakyReLU and dropout 0.3, then one logit."""

    def __init__(self, slope=0.2):
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(1, 64, 5, stride=2, padding=2), nn.LeakyReLU(slope), nn.Dropout(0.3),
            nn.Conv2d(64, 128, 5, stride=2, padding=2), nn.LeakyReLU(slope), nn.Dropout(0.3),
            nn.Flatten(), nn.Linear(7 * 7 * 128, 1))

    def forward(self, images):
        return self.main(images)


class MlpGenerator(nn.Module):
    """Seed 004's generator: 100 -> 128 -> 256 -> 512 -> 784, tanh, as (1, 28, 28) images."""

    def __init__(self, latent_size=100, activation="relu", slope=0.2):
        super().__init__()
        a = lambda: _activation(activation, slope)
        self.main = nn.Sequential(
            nn.Linear(latent_size, 128), a(), nn.Linear(128, 256), a(), nn.Linear(256, 512), a(),
            nn.Linear(512, 784), nn.Tanh(), nn.Unflatten(1, (1, 28, 28)))

    def forward(self, noise):
        return self.main(noise)


class MlpDiscriminator(nn.Module):
    """Seed 004's discriminator: 784 -> 512 -> 256 -> 1 logit."""

    def __init__(self, activation="relu", slope=0.2):
        super().__init__()
        a = lambda: _activation(activation, slope)
        self.main = nn.Sequential(nn.Flatten(), nn.Linear(784, 512), a(), nn.Linear(512, 256), a(), nn.Linear(256, 1))

    def forward(self, images):
        return self.main(images)


class InfoGanGenerator(nn.Module):
    """The InfoGAN paper's MNIST generator (Chen et al. 2016, appendix C.1), noise only: 100 -> 1024 -> 7x7x128 ->
    14x14x64 -> 28x28x1 (4x4 stride-2 transposed convolutions), batch norm and ReLU, tanh."""

    def __init__(self, latent_size=100):
        super().__init__()
        self.main = nn.Sequential(
            nn.Linear(latent_size, 1024, bias=False), nn.BatchNorm1d(1024), nn.ReLU(),
            nn.Linear(1024, 7 * 7 * 128, bias=False), nn.BatchNorm1d(7 * 7 * 128), nn.ReLU(),
            nn.Unflatten(1, (128, 7, 7)),
            nn.ConvTranspose2d(128, 64, 4, stride=2, padding=1, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
            nn.ConvTranspose2d(64, 1, 4, stride=2, padding=1), nn.Tanh())

    def forward(self, noise):
        return self.main(noise)


class InfoGanDiscriminator(nn.Module):
    """The InfoGAN paper's MNIST discriminator: 4x4 stride-2 convolutions to 64 and 128 channels, a 1024-unit layer,
    batch norm after the second and third, LeakyReLU, then one logit."""

    def __init__(self, slope=0.2):
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(1, 64, 4, stride=2, padding=1), nn.LeakyReLU(slope),
            nn.Conv2d(64, 128, 4, stride=2, padding=1, bias=False), nn.BatchNorm2d(128), nn.LeakyReLU(slope),
            nn.Flatten(),
            nn.Linear(7 * 7 * 128, 1024, bias=False), nn.BatchNorm1d(1024), nn.LeakyReLU(slope),
            nn.Linear(1024, 1))

    def forward(self, images):
        return self.main(images)
