"""Denoisers: causal MIMO FIR filter networks, each with its config dataclass, and the contract
the streaming code relies on (:class:`StreamingDenoiser`).

``SeedFIRDenoiser`` is the lab's network, ``MaskFIRDenoiser`` the first shipped design (a
full-rate FIR bank with a gain per band); the default, ``SpectralMaskDenoiser``, is in
:mod:`audiocnn.models.spectral`.
"""

from __future__ import annotations

import math
import typing
from dataclasses import dataclass

import torch
from torch import nn

from audiocnn import dsp
from audiocnn.config import check
from audiocnn.layers import MIMOFIR, MIMOFIRCNN, next_history
from audiocnn.models.registry import ModelConfig, register

LOG_ENERGY_CENTRE = 8.0
LOG_ENERGY_SCALE = 3.0


@dataclass(frozen=True)
class DenoiseModelConfig(ModelConfig):
    """Base of every denoiser's config."""

    task = "denoise"


def positive(config, *names: str) -> None:
    """Refuse (``ConfigError``) a config whose named counts are below 1, or whose named lists
    hold one."""
    for name in names:
        value = getattr(config, name)
        low = min(value, default=1) if isinstance(value, tuple) else value
        check(low >= 1, f"{name} must be at least 1, got {value}")


@dataclass(frozen=True)
class SeedFIRDenoiserConfig(DenoiseModelConfig):
    """The MIMO FIR lab's network: features [1, 5, 1], taps [40, 40], tanh between, and no
    latency (it estimates the clean sample at the same time)."""

    n_taps: tuple[int, ...] = (40, 40)  # taps per layer
    n_features: tuple[int, ...] = (1, 5, 1)  # features entering and leaving each layer
    delay: int = 0  # latency in samples: the output estimates the clean input this much ago

    def __post_init__(self) -> None:
        positive(self, "n_taps", "n_features")
        check(self.delay >= 0, f"delay must be >= 0, got {self.delay}")
        check(
            len(self.n_features) == len(self.n_taps) + 1,
            f"n_features needs one more entry than n_taps ({len(self.n_taps)} layers)",
        )


@dataclass(frozen=True)
class MaskFIRDenoiserConfig(DenoiseModelConfig):
    """Full-rate FIR bank -> gains per band -> FIR bank (the first shipped design)."""

    bands: int = 24  # filters in the analysis bank
    analysis_taps: int = 128  # taps of each analysis filter (8 ms at 16 kHz)
    envelope_taps: int = 64  # taps of the per-band energy smoother
    hidden: int = 32  # features of the mask network's hidden layers
    mask_stride: int = 16  # a new gain every this many samples (1 ms at 16 kHz)
    mask_taps: tuple[int, ...] = (8, 8, 8)  # taps of the mask network's layers
    mask_dilations: tuple[int, ...] = (1, 4, 16)  # their spacing, in strides (0.15 s)
    synthesis_taps: int = 128  # taps of each synthesis filter
    delay: int = 127  # latency in samples: the output estimates the clean input this much ago
    learn_banks: bool = False  # train the analysis/synthesis banks too (Adam steps are large
    # next to their small taps and break the exact reconstruction: off by default)

    def __post_init__(self) -> None:
        positive(self, "bands", "analysis_taps", "envelope_taps", "hidden", "mask_stride")
        positive(self, "mask_taps", "mask_dilations", "synthesis_taps")
        check(self.delay >= 0, f"delay must be >= 0, got {self.delay}")
        check(
            len(self.mask_taps) == len(self.mask_dilations),
            "mask_taps and mask_dilations need one entry per layer each",
        )


@typing.runtime_checkable
class StreamingDenoiser(typing.Protocol):
    """What the streaming code (``denoise/stream.py``) needs from a denoiser, and what every
    denoiser here provides.

    ``stream`` filters a block of a longer signal: the state it returns, given back with the
    next block, makes the blocks' outputs together equal one call on the whole signal. The
    output lags the input by ``delay`` samples (the latency: the output's sample ``t``
    estimates the clean input at ``t - delay``), which the caller drops from the start.

    Shape:
        ``stream``: ``(batch, 1, time)`` -> ``(batch, 1, time)``; ``state`` is ``None`` at the
        start of a signal.
    """

    delay: int

    def stream(self, x: torch.Tensor, state) -> tuple[torch.Tensor, typing.Any]: ...


class AttenuationLimit(nn.Module):
    """A denoiser that takes at most ``limit_db`` dB away: its output mixed with its input
    (delayed to line up), ``(1 - a) * denoised + a * input``, ``a = 10 ** (-limit_db / 20)``.

    Where the network removes everything (noise alone) what comes out is the input ``limit_db``
    dB down; where it keeps everything, the input itself. Less noise is removed and less of the
    speech goes with it (DeepFilterNet's ``--atten-lim``). It streams exactly as the network
    does, with the same :attr:`delay`.

    Raises:
        ConfigError: (a ValueError) ``limit_db`` not a finite number above 0.
    """

    def __init__(self, model: StreamingDenoiser, limit_db: float) -> None:
        super().__init__()
        check(
            math.isfinite(limit_db) and limit_db > 0,
            f"the attenuation limit must be a number of dB above 0, got {limit_db}",
        )
        self.model, self.limit_db = model, float(limit_db)
        self.delay = model.delay
        self.mix = 10 ** (-self.limit_db / 20)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.stream(x, None)[0]

    def stream(self, x: torch.Tensor, state: tuple | None) -> tuple[torch.Tensor, tuple]:
        """Denoise one block; ``state`` from the previous block (``None`` at the start)."""
        inner, past = state if state is not None else (None, x.new_zeros(*x.shape[:-1], self.delay))
        y, inner = self.model.stream(x, inner)
        joined = torch.cat([past, x], -1)  # the input, ``delay`` samples late
        n = x.shape[-1]
        return (1 - self.mix) * y + self.mix * joined[..., :n], (inner, joined[..., n:])


@register(SeedFIRDenoiserConfig)
class SeedFIRDenoiser(nn.Module):
    """The lab's Task 4 network: ``MIMOFIRCNN(taps=[40, 40], features=[1, 5, 1])``.

    Shape:
        ``(batch, 1, time)`` -> ``(batch, 1, time)``
    """

    def __init__(self, config: SeedFIRDenoiserConfig) -> None:
        super().__init__()
        self.config = config
        self.net = MIMOFIRCNN(config.n_taps, config.n_features)
        self.delay = config.delay

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)

    def stream(self, x: torch.Tensor, state: list | None) -> tuple[torch.Tensor, list]:
        return self.net.stream(x, state)


@register(MaskFIRDenoiserConfig)
class MaskFIRDenoiser(nn.Module):
    """A causal FIR filter bank, a gain per band, and a FIR synthesis bank.

    1. ``bands`` learned analysis FIR filters split the input (a MIMO FIR layer 1 -> bands);
    2. each band's energy is smoothed by its own FIR filter, sampled every ``mask_stride``
       samples and log-compressed;
    3. a dilated MIMO FIR CNN on those log-energies (tanh between layers, sigmoid after) gives a
       gain in [0, 1] per band, held until the next one (so it runs at 1/``mask_stride`` rate);
    4. the gated bands are summed back by learned synthesis FIR filters (bands -> 1).

    Every stage is a causal FIR filter, a pointwise function or a causal sample-and-hold, so
    blocks streamed with :meth:`stream` give exactly the offline output.

    Shape:
        ``(batch, 1, time)`` -> ``(batch, 1, time)``
    """

    def __init__(self, config: MaskFIRDenoiserConfig) -> None:
        super().__init__()
        self.config = config
        c = config
        self.delay = c.delay
        self.stride = c.mask_stride
        self.analysis = MIMOFIR(1, c.bands, c.analysis_taps)
        self.envelope = nn.Parameter(torch.full((c.envelope_taps, c.bands), 1 / c.envelope_taps))
        widths = (c.bands, *([c.hidden] * (len(c.mask_taps) - 1)), c.bands)
        self.mask = MIMOFIRCNN(c.mask_taps, widths, dilations=c.mask_dilations, bias=True)
        self.synthesis = MIMOFIR(c.bands, 1, c.synthesis_taps)
        with torch.no_grad():  # start near "pass everything": a filter bank, gates open
            analysis, synthesis = filter_bank(c.bands, c.analysis_taps, c.synthesis_taps, c.delay)
            self.analysis.taps.copy_(analysis[:, None, :])
            self.synthesis.taps.copy_(synthesis[:, :, None])
            self.mask.layers[-1].taps.zero_()  # every gate starts at sigmoid(3) = 0.95,
            self.mask.layers[-1].bias.fill_(3.0)  # whatever the input: a near-identity chain
        self.analysis.taps.requires_grad_(c.learn_banks)
        self.synthesis.taps.requires_grad_(c.learn_banks)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.stream(x, None)[0]

    def stream(self, x: torch.Tensor, state: list | None) -> tuple[torch.Tensor, list]:
        """Denoise one block; ``state`` from the previous block (``None`` at the start)."""
        if state is None:  # before the first gain is computed: the gain of "no information"
            neutral = torch.sigmoid(self.mask.layers[-1].bias)
            held = neutral.to(x.dtype)[None, :, None].expand(x.shape[0], -1, 1)
            state = [None, None, None, None, held, 0]
        history_x, history_power, mask_state, history_gated, held, position = state
        bands = self.analysis(x, history_x)
        power = bands.square()
        # Smoothed energies, computed only where the global sample index is k * stride - 1.
        first = (self.stride - 1 - position) % self.stride
        energy = dsp.depthwise_fir(
            power, self.envelope, history=history_power, stride=self.stride, start=first
        )
        # Band energies of speech at ordinary levels have logarithms of about -11 (the floor)
        # to -4; shift and scale them to about [-1, 1] for the tanh layers.
        features = (torch.log(energy.abs() + 1e-5) + LOG_ENERGY_CENTRE) / LOG_ENERGY_SCALE
        gain, mask_state = self.mask.stream(features, mask_state)
        steps = torch.cat([held, torch.sigmoid(gain)], dim=-1)
        # Sample j of the block uses the newest gain computed at or before it.
        j = torch.arange(x.shape[-1], device=x.device)
        which = torch.div(j - first, self.stride, rounding_mode="floor") + 1
        gated = bands * steps.index_select(-1, which.clamp(min=0))
        y = self.synthesis(gated, history_gated)
        new_state = [
            next_history(x, history_x, self.analysis.context),
            next_history(power, history_power, self.envelope.shape[0] - 1),
            mask_state,
            next_history(gated, history_gated, self.synthesis.context),
            steps[..., -1:],
            position + x.shape[-1],
        ]
        return y, new_state


def filter_bank(bands: int, analysis_taps: int, synthesis_taps: int, delay: int):
    """Hann-windowed cosine band-pass analysis filters evenly spaced up to Nyquist, and the
    minimum-norm synthesis filters that make the chain an exact delay of ``delay`` samples.

    Summing ``synthesis_b * analysis_b`` over bands is linear in the synthesis taps, so the
    synthesis filters solve a small least-squares problem (exactly, when there are more taps
    than output samples to match).

    Returns:
        analysis taps ``(analysis_taps, bands)``, synthesis taps ``(synthesis_taps, bands)``.
    """
    centres = (torch.arange(bands, dtype=torch.float64) + 0.5) / bands * math.pi
    n = torch.arange(analysis_taps, dtype=torch.float64)
    window = torch.hann_window(analysis_taps, periodic=False, dtype=torch.float64)
    analysis = window[:, None] * torch.cos(centres[None, :] * n[:, None])
    analysis /= analysis.abs().sum(0, keepdim=True)
    length = analysis_taps + synthesis_taps - 1
    if not 0 <= delay < length:
        raise ValueError(
            f"delay {delay} must be below analysis_taps + synthesis_taps - 1 = {length}"
        )
    # Column (b, k) of the system: analysis filter b delayed by k samples.
    system = torch.zeros(length, bands, synthesis_taps, dtype=torch.float64)
    for k in range(synthesis_taps):
        system[k : k + analysis_taps, :, k] = analysis
    target = torch.zeros(length, dtype=torch.float64)
    target[delay] = 1.0
    flat = system.reshape(length, -1)
    solution = torch.linalg.pinv(flat) @ target
    synthesis = solution.reshape(bands, synthesis_taps).T
    return analysis.float(), synthesis.float()
