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
        for c_in, c_out in zip(c[:-1], c[1:], strict=True):
            layers += [
                nn.Conv1d(c_in, c_out, 9, padding=4, bias=False),
                nn.BatchNorm1d(c_out),
                nn.ReLU(),
                nn.MaxPool1d(4, ceil_mode=True),
            ]
        self.features = nn.Sequential(*layers)
        self.dropout = nn.Dropout(config.dropout)
        self.classifier = nn.Linear(2 * c[-1], config.n_genres)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = self.features(x)
        pooled = torch.cat([z.mean(-1), z.amax(-1)], dim=1)
        return self.classifier(self.dropout(pooled))
