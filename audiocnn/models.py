"""The networks: GenreCNN (raw-waveform Conv1d classifier) and FIRDenoiser (MIMO FIR CNN).

Each has a frozen config dataclass, the single source of its defaults; checkpoints store the
config as a plain dict and :func:`build_model` rebuilds the network from it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import torch
from torch import nn

from audiocnn.layers import MIMOFIRCNN


@dataclass(frozen=True)
class GenreCNNConfig:
    arch: str = "default"  # "seed": the notebook's network; "default": ours
    n_genres: int = 4
    channels: tuple[int, ...] = (32, 48, 64, 96, 128)  # default: front end, then each block
    front_kernel: int = 64  # default: taps of the strided front-end convolution
    front_stride: int = 8  # default: its stride, in samples
    dropout: float = 0.3  # default: before the classifier

    @classmethod
    def seed(cls, n_genres: int = 4) -> GenreCNNConfig:
        """The genre notebook's network: 4 x [Conv1d(k=9) -> ReLU -> MaxPool1d(16)], 10 channels."""
        return cls(arch="seed", n_genres=n_genres, channels=(10, 10, 10, 10))


class SeedGenreCNN(nn.Module):
    """The notebook's ``Net``: 4 x [Conv1d(k=9, padding=4) -> ReLU -> MaxPool1d(16, padding=4)]
    with 10 channels, then Linear(10, n_genres). Built for 2**16-sample inputs, which the four
    poolings reduce to one step.

    Shape:
        ``(batch, 1, 2**16)`` -> ``(batch, n_genres)`` logits
    """

    def __init__(self, config: GenreCNNConfig) -> None:
        super().__init__()
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
        z = self.features(x)
        if z.shape[-1] != 1:
            raise ValueError(
                f"the seed network needs windows its four poolings reduce to one step "
                f"(2**16 samples, as in the notebook); got {x.shape[-1]} samples"
            )
        return self.classifier(z[..., 0])


class GenreCNN(nn.Module):
    """Raw-waveform Conv1d classifier: a strided front end, Conv-BN-ReLU-MaxPool blocks, global
    average + max pooling, dropout and a linear layer. Any input length.

    Shape:
        ``(batch, 1, time)`` -> ``(batch, n_genres)`` logits
    """

    def __init__(self, config: GenreCNNConfig) -> None:
        super().__init__()
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


@dataclass(frozen=True)
class FIRDenoiserConfig:
    arch: str = "default"
    n_taps: tuple[int, ...] = (40, 40)
    n_features: tuple[int, ...] = (1, 5, 1)
    dilations: tuple[int, ...] = field(default=())  # empty: all 1
    bias: bool = False

    @classmethod
    def seed(cls) -> FIRDenoiserConfig:
        """The MIMO FIR lab's network: features [1, 5, 1], taps [40, 40], tanh between."""
        return cls(arch="seed")


class FIRDenoiser(nn.Module):
    """Causal MIMO FIR CNN mapping a noisy waveform to a clean one.

    Shape:
        ``(batch, 1, time)`` -> ``(batch, 1, time)``
    """

    def __init__(self, config: FIRDenoiserConfig) -> None:
        super().__init__()
        self.net = MIMOFIRCNN(
            config.n_taps, config.n_features, dilations=config.dilations or None, bias=config.bias
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def build_model(name: str, config: dict) -> nn.Module:
    """Rebuild a model from its class name and config dict (as stored in a checkpoint)."""
    if name == "GenreCNN":
        cfg = GenreCNNConfig(
            **{k: tuple(v) if isinstance(v, list) else v for k, v in config.items()}
        )
        return SeedGenreCNN(cfg) if cfg.arch == "seed" else GenreCNN(cfg)
    if name == "FIRDenoiser":
        return FIRDenoiser(
            FIRDenoiserConfig(
                **{k: tuple(v) if isinstance(v, list) else v for k, v in config.items()}
            )
        )
    raise ValueError(f"unknown model {name!r}")


def genre_model(config: GenreCNNConfig) -> nn.Module:
    return SeedGenreCNN(config) if config.arch == "seed" else GenreCNN(config)


def config_dict(config) -> dict:
    return asdict(config)


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
