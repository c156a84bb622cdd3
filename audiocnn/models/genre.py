"""Genre networks: the notebook's seed network and ours, each with its config dataclass.

A new architecture is a class here (or anywhere) with ``@register(ItsConfig)``, its config a
frozen dataclass deriving from :class:`GenreModelConfig`; a recipe picks it with
``[model] name = "ClassName"``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from audiocnn import dsp
from audiocnn.config import check
from audiocnn.models.registry import ModelConfig, register


@dataclass(frozen=True)
class GenreModelConfig(ModelConfig):
    """What every genre network's config has: the number of genres it tells apart (the
    training data sets it)."""

    task = "genre"
    n_genres: int = 4

    def __post_init__(self) -> None:
        check(self.n_genres >= 2, f"n_genres must be at least 2, got {self.n_genres}")


@dataclass(frozen=True)
class SeedGenreCNNConfig(GenreModelConfig):
    """The genre notebook's network: 4 x [Conv1d(k=9) -> ReLU -> MaxPool1d(16)]."""

    channels: tuple[int, ...] = (10, 10, 10, 10)  # features of the four blocks (all equal)

    def __post_init__(self) -> None:
        super().__post_init__()
        check(
            len(self.channels) == 4 and min(self.channels) >= 1 and len(set(self.channels)) == 1,
            f"channels must be four equal positive counts, got {list(self.channels)}",
        )


@dataclass(frozen=True)
class GenreCNNConfig(GenreModelConfig):
    """Ours: a strided front end, then Conv-BN-ReLU-MaxPool blocks."""

    channels: tuple[int, ...] = (32, 48, 64, 96, 128)  # front end, then each block
    front_kernel: int = 64  # taps of the strided front-end convolution
    front_stride: int = 8  # its stride, in samples
    dropout: float = 0.3  # before the classifier

    def __post_init__(self) -> None:
        super().__post_init__()
        check(
            bool(self.channels) and min(self.channels) >= 1,
            f"channels must be positive counts, got {list(self.channels)}",
        )
        check(self.front_kernel >= 1, f"front_kernel must be at least 1, got {self.front_kernel}")
        check(self.front_stride >= 1, f"front_stride must be at least 1, got {self.front_stride}")
        check(0 <= self.dropout < 1, f"dropout must be in [0, 1), got {self.dropout}")


@register(SeedGenreCNNConfig)
class SeedGenreCNN(nn.Module):
    """The notebook's ``Net``: 4 x [Conv1d(k=9, padding=4) -> ReLU -> MaxPool1d(16, padding=4)]
    with 10 channels, then Linear(10, n_genres). Built for 2**16-sample inputs, which the four
    poolings reduce to one step.

    The layers are PyTorch's (the same parameters and state dict); the forward pass runs each
    block as ``relu(dsp.conv1d_max_pool(...))``, the same function with a backward pass that
    only visits the pooled maxima.

    Shape:
        ``(batch, 1, 2**16)`` -> ``(batch, n_genres)`` logits
    """

    def __init__(self, config: SeedGenreCNNConfig) -> None:
        super().__init__()
        self.config = config
        width = config.channels[0]
        layers: list[nn.Module] = []
        for i in range(4):
            layers += [
                nn.Conv1d(1 if i == 0 else width, width, 9, padding=4),
                nn.ReLU(),
                nn.MaxPool1d(16, padding=4),
            ]
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Linear(width, config.n_genres)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = x
        for conv, _, pool in zip(*[iter(self.features)] * 3, strict=True):
            z = dsp.conv1d_max_pool(
                z,
                conv.weight,
                conv.bias,
                padding=conv.padding[0],
                pool=pool.kernel_size,
                pool_padding=pool.padding,
            ).relu()
        if z.shape[-1] != 1:
            raise ValueError(
                f"the seed network needs windows its four poolings reduce to one step "
                f"(2**16 samples, as in the notebook); got {x.shape[-1]} samples"
            )
        return self.classifier(z[..., 0])


def conv_blocks(widths: tuple[int, ...], *, kernel: int, pool: int) -> list[nn.Module]:
    """Conv-BN-ReLU-MaxPool blocks from ``widths[0]`` features to ``widths[-1]``; each block
    keeps the length (odd ``kernel``, zero padding) until the pooling divides it."""
    layers: list[nn.Module] = []
    for c_in, c_out in zip(widths[:-1], widths[1:], strict=True):
        layers += [
            nn.Conv1d(c_in, c_out, kernel, padding=kernel // 2, bias=False),
            nn.BatchNorm1d(c_out),
            nn.ReLU(),
            nn.MaxPool1d(pool, ceil_mode=True),
        ]
    return layers


@register(GenreCNNConfig)
class GenreCNN(nn.Module):
    """Raw-waveform Conv1d classifier: a strided front end, Conv-BN-ReLU-MaxPool blocks, global
    average + max pooling, dropout and a linear layer. Any input length.

    Shape:
        ``(batch, 1, time)`` -> ``(batch, n_genres)`` logits
    """

    def __init__(self, config: GenreCNNConfig) -> None:
        super().__init__()
        self.config = config
        c = config.channels
        layers: list[nn.Module] = [
            nn.Conv1d(1, c[0], config.front_kernel, stride=config.front_stride, bias=False),
            nn.BatchNorm1d(c[0]),
            nn.ReLU(),
        ]
        self.features = nn.Sequential(*layers, *conv_blocks(c, kernel=9, pool=4))
        self.dropout = nn.Dropout(config.dropout)
        self.classifier = nn.Linear(2 * c[-1], config.n_genres)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = self.features(x)
        pooled = torch.cat([z.mean(-1), z.amax(-1)], dim=1)
        return self.classifier(self.dropout(pooled))


@dataclass(frozen=True)
class BandGenreCNNConfig(GenreModelConfig):
    """A fixed FIR filter bank front end, then a Conv1d network over time."""

    sample_rate: float = 11025.0  # Hz of the input (the data's rate): lays out the bands
    frame_taps: int = 1024  # taps of each band-pass filter (93 ms at 11.025 kHz)
    hop: int = 256  # the bank is evaluated every this many samples (23 ms)
    bands: int = 64  # mel-spaced bands from f_min to half the rate
    f_min: float = 40.0  # Hz
    normalize: bool = True  # subtract each band's mean log-energy over the window: a fixed
    # EQ, gain or mastering curve is a constant per band and cancels (production, not genre)
    channels: tuple[int, ...] = (96, 128, 160, 192)  # Conv1d blocks over frames
    dropout: float = 0.3

    def __post_init__(self) -> None:
        super().__post_init__()
        check(self.sample_rate > 0, f"sample_rate must be > 0, got {self.sample_rate}")
        for name in ("frame_taps", "hop", "bands"):
            check(getattr(self, name) >= 1, f"{name} must be at least 1")
        check(0 <= self.f_min < self.sample_rate / 2, "f_min must be below half the rate")
        check(bool(self.channels) and min(self.channels) >= 1, "channels must be positive")
        check(0 <= self.dropout < 1, f"dropout must be in [0, 1), got {self.dropout}")


@register(BandGenreCNNConfig)
class BandGenreCNN(nn.Module):
    """Log band energies from a fixed FIR filter bank, then Conv1d over time.

    1. Filter bank: ``frame_taps // 2 + 1`` complex band-pass FIR filters (a Hann window times
       the DFT's exponentials), evaluated every ``hop`` samples: the ``rfft`` of each frame.
       Their powers are summed into ``bands`` mel-spaced bands and log-compressed.
    2. With ``normalize``, each band's mean over the window is subtracted: the network sees how
       the spectrum moves (rhythm, articulation, harmony), not its fixed colour.
    3. Conv-BN-ReLU-MaxPool blocks over frames (the bands are the input channels), global
       average and max pooling, dropout, a linear layer.

    Shape:
        ``(batch, 1, time)`` -> ``(batch, n_genres)`` logits
    """

    def __init__(self, config: BandGenreCNNConfig) -> None:
        super().__init__()
        self.config = config
        import torchaudio.functional as AF

        bins = config.frame_taps // 2 + 1
        mel = AF.melscale_fbanks(
            bins, config.f_min, config.sample_rate / 2, config.bands, int(config.sample_rate)
        )
        self.register_buffer("mel", mel, persistent=False)  # (bins, bands)
        self.register_buffer("window", torch.hann_window(config.frame_taps), persistent=False)
        widths = (config.bands, *config.channels)
        self.features = nn.Sequential(
            nn.BatchNorm1d(config.bands), *conv_blocks(widths, kernel=3, pool=2)
        )
        self.dropout = nn.Dropout(config.dropout)
        self.classifier = nn.Linear(2 * config.channels[-1], config.n_genres)

    def band_energies(self, x: torch.Tensor) -> torch.Tensor:
        """``(batch, 1, time)`` -> ``(batch, bands, frames)`` log band energies."""
        c = self.config
        if x.shape[-1] < c.frame_taps:
            x = nn.functional.pad(x, (0, c.frame_taps - x.shape[-1]))
        frames = x[:, 0].unfold(-1, c.frame_taps, c.hop) * self.window
        power = torch.fft.rfft(frames).abs().square()  # (batch, frames, bins)
        energies = torch.log(power @ self.mel + 1e-6).transpose(1, 2)
        if c.normalize:
            energies = energies - energies.mean(-1, keepdim=True)
        return energies

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = self.features(self.band_energies(x))
        pooled = torch.cat([z.mean(-1), z.amax(-1)], dim=1)
        return self.classifier(self.dropout(pooled))
