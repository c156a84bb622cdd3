"""The networks: GenreCNN (raw-waveform Conv1d classifier) and FIRDenoiser (MIMO FIR CNN).

Each has a frozen config dataclass, the single source of its defaults; checkpoints store the
config as a plain dict and :func:`build_model` rebuilds the network from it.
"""

from __future__ import annotations

import math
import typing
from dataclasses import asdict, dataclass

import torch
import torchaudio.functional as AF
from torch import nn

from audiocnn import dsp
from audiocnn.config import check, check_choice
from audiocnn.layers import MIMOFIR, MIMOFIRCNN, next_history


@dataclass(frozen=True)
class GenreCNNConfig:
    arch: str = "default"  # "seed": the notebook's network; "default": ours
    n_genres: int = 4
    channels: tuple[int, ...] = (32, 48, 64, 96, 128)  # default: front end, then each block
    front_kernel: int = 64  # default: taps of the strided front-end convolution
    front_stride: int = 8  # default: its stride, in samples
    dropout: float = 0.3  # default: before the classifier

    def __post_init__(self) -> None:
        check_choice("arch", self.arch, ("default", "seed"))
        check(self.n_genres >= 2, f"n_genres must be at least 2, got {self.n_genres}")
        check(
            bool(self.channels) and min(self.channels) >= 1,
            f"channels must be positive counts, got {list(self.channels)}",
        )
        _positive(self, "front_kernel", "front_stride")
        check(0 <= self.dropout < 1, f"dropout must be in [0, 1), got {self.dropout}")

    @classmethod
    def seed(cls, n_genres: int = 4) -> GenreCNNConfig:
        """The genre notebook's network: 4 x [Conv1d(k=9) -> ReLU -> MaxPool1d(16)], 10 channels."""
        return cls(arch="seed", n_genres=n_genres, channels=(10, 10, 10, 10))


def _positive(config, *names: str) -> None:
    for name in names:
        value = getattr(config, name)
        check(value >= 1, f"{name} must be at least 1, got {value}")


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
    # "seed": the lab's MIMO FIR CNN; "spectral": decimated windowed-DFT FIR bank -> MIMO FIR CNN
    # over frames -> gain per band -> overlap-add FIR bank (the default); "mask": full-rate FIR
    # bank -> gains per band -> FIR bank (the first shipped design)
    arch: str = "spectral"
    n_taps: tuple[int, ...] = (40, 40)  # seed: taps per layer
    n_features: tuple[int, ...] = (1, 5, 1)  # seed: features entering and leaving each layer
    bands: int = 24  # mask: filters in the analysis bank
    analysis_taps: int = 128  # mask: taps of each analysis filter (8 ms at 16 kHz)
    envelope_taps: int = 64  # mask: taps of the per-band energy smoother
    hidden: int = 32  # mask: features of the mask network's hidden layers
    mask_stride: int = 16  # mask: a new gain every this many samples (1 ms at 16 kHz)
    mask_taps: tuple[int, ...] = (8, 8, 8)  # mask: taps of the mask network's layers
    mask_dilations: tuple[int, ...] = (1, 4, 16)  # mask: their spacing, in strides (0.15 s)
    synthesis_taps: int = 128  # mask: taps of each synthesis filter
    delay: int = 127  # mask/seed latency in samples: the output estimates the clean input
    # this much ago (spectral: always frame_taps - 1 + hop * spectral_lookahead)
    learn_banks: bool = False  # mask: train the analysis/synthesis banks too (Adam steps are
    # large next to their small taps and break the exact reconstruction: off by default)
    frame_taps: int = 512  # spectral: taps of the analysis and synthesis filters (32 ms at 16 kHz)
    hop: int = 128  # spectral: a new frame every this many samples (8 ms at 16 kHz)
    spectral_hidden: int = 256  # spectral: features of the gain network's hidden layers
    # (256 beat 128 by 0.2-0.3 dB at every SNR; see recipes/denoise/README.md)
    spectral_bands: int = 32  # spectral: gains on this many mel bands (laid out for 16 kHz),
    # spread over the bins by the bands' own triangles; 0: one gain per bin
    spectral_inputs: str = "bands"  # spectral: the gain network sees the log-power of each
    # band ("bands") or of each bin ("bins": finer, e.g. the harmonics of a voice)
    spectral_context: int = 0  # spectral: taps (frames) of a learned long FIR over the
    # network's inputs whose outputs join them (a slow summary, e.g. of the noise); 0: none
    deep_filter_bins: int = 64  # spectral: the lowest this many bins (2 kHz at 16 kHz) also
    # get a complex FIR over their last frames, its taps given by the network per frame (0:
    # gains only; 64 bins took 0 dB from +3.5 to +3.9 dB, see recipes/denoise/README.md)
    deep_filter_taps: int = 5  # spectral: taps of that FIR, in frames (the newest ones: with a
    # look-ahead of L frames they run from frame t + L back to t + L - taps + 1: t - 2 .. t + 2)
    spectral_lookahead: int = 2  # spectral: frame t's gains and deep filter come from the
    # network's output at frame t + this many (it has seen that far ahead), at the cost of
    # this many hops of extra latency (DeepFilterNet3 looks 2 frames ahead; 0: none)
    spectral_taps: tuple[int, ...] = (1, 3, 3, 3, 3, 1)  # spectral: taps per layer, in frames
    spectral_dilations: tuple[int, ...] = (1, 1, 2, 4, 8, 1)  # spectral: spacing, in frames

    def __post_init__(self) -> None:
        check_choice("arch", self.arch, ("spectral", "mask", "seed"))
        check_choice("spectral_inputs", self.spectral_inputs, ("bands", "bins"))
        _positive(self, "bands", "analysis_taps", "envelope_taps", "hidden", "mask_stride")
        _positive(self, "synthesis_taps", "frame_taps", "hop", "spectral_hidden")
        _positive(self, "deep_filter_taps")
        for name in ("delay", "spectral_bands", "spectral_context", "deep_filter_bins"):
            check(getattr(self, name) >= 0, f"{name} must be >= 0, got {getattr(self, name)}")
        check(self.spectral_lookahead >= 0, "spectral_lookahead must be >= 0")
        check(
            len(self.n_features) == len(self.n_taps) + 1,
            f"n_features needs one more entry than n_taps ({len(self.n_taps)} layers)",
        )
        for taps, dilations in (
            ("mask_taps", "mask_dilations"),
            ("spectral_taps", "spectral_dilations"),
        ):
            check(
                len(getattr(self, taps)) == len(getattr(self, dilations)),
                f"{taps} and {dilations} need one entry per layer each",
            )
        for name in ("n_taps", "n_features", "mask_taps", "mask_dilations", "spectral_taps"):
            check(min(getattr(self, name), default=1) >= 1, f"{name} must be positive counts")
        check(min(self.spectral_dilations, default=1) >= 1, "spectral_dilations must be >= 1")

    @classmethod
    def seed(cls) -> FIRDenoiserConfig:
        """The MIMO FIR lab's network: features [1, 5, 1], taps [40, 40], tanh between, and
        no latency (it estimates the clean sample at the same time)."""
        return cls(arch="seed", delay=0)


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


class SeedFIRDenoiser(nn.Module):
    """The lab's Task 4 network: ``MIMOFIRCNN(taps=[40, 40], features=[1, 5, 1])``.

    Shape:
        ``(batch, 1, time)`` -> ``(batch, 1, time)``
    """

    def __init__(self, config: FIRDenoiserConfig) -> None:
        super().__init__()
        self.net = MIMOFIRCNN(config.n_taps, config.n_features)
        self.delay = config.delay

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)

    def stream(self, x: torch.Tensor, state: list | None) -> tuple[torch.Tensor, list]:
        return self.net.stream(x, state)


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

    def __init__(self, config: FIRDenoiserConfig) -> None:
        super().__init__()
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


class SpectralMaskDenoiser(nn.Module):
    """A decimated FIR filter bank, a MIMO FIR CNN that gives a gain per band, and the FIR
    synthesis bank that undoes the first.

    1. Analysis: ``frame_taps // 2 + 1`` complex FIR band-pass filters (a periodic
       square-root-Hann window times the DFT's complex exponentials: each is a pair of real FIR
       filters), evaluated every ``hop`` samples. This is a causal MIMO FIR layer, 1 -> 2
       x bins, kept at one output in ``hop``; the fast path is an ``rfft`` of each frame.
    2. Gains: the log-power of ``spectral_bands`` mel bands (or of every bin:
       ``spectral_inputs="bins"``, or ``spectral_bands=0``), per frame,
       through a dilated MIMO FIR CNN over frames (``spectral_taps`` x ``spectral_dilations``;
       tanh between layers, sigmoid after): a gain in [0, 1] per band and frame, from the last
       ~0.25 s, spread over the bins by the bands' own triangles. Options:
       ``spectral_context`` frames of a learned long FIR over those log-powers join the inputs
       (a slow summary); ``deep_filter_bins`` adds, to each of the lowest bins, a complex FIR
       over that bin's last ``deep_filter_taps`` frames whose taps the network gives per frame
       (it then also sees those bins' complex values, normalised per frame): finer than a gain
       per band, for the harmonics of a voice under loud noise (DeepFilterNet's deep filter).
       ``spectral_lookahead`` frames of look-ahead: frame t is gated (and deep-filtered) by the
       network's output at frame t + L, so it has heard L hops past the frame it cleans; the
       deep filter's taps then reach from frame t + L back (the newest ``deep_filter_taps``).
    3. Synthesis: each gated frame through the synthesis filters (``irfft`` and the same
       window) and overlap-added: the FIR synthesis bank. With gains of 1 the chain is an exact
       delay of ``frame_taps - 1 + hop * spectral_lookahead`` samples (the latency).

    Every stage is causal and finite, so :meth:`stream` over blocks equals the whole signal.

    Shape:
        ``(batch, 1, time)`` -> ``(batch, 1, time)``, delayed by :attr:`delay` samples.
    """

    def __init__(self, config: FIRDenoiserConfig) -> None:
        super().__init__()
        c = config
        if c.frame_taps % c.hop:
            raise ValueError(f"frame_taps {c.frame_taps} must be a multiple of hop {c.hop}")
        if c.spectral_lookahead < 0:
            raise ValueError(f"spectral_lookahead must be >= 0 frames, got {c.spectral_lookahead}")
        self.frame_taps, self.hop, self.lookahead = c.frame_taps, c.hop, c.spectral_lookahead
        self.delay = c.frame_taps - 1 + c.hop * c.spectral_lookahead
        bins = c.frame_taps // 2 + 1
        window = torch.hann_window(c.frame_taps, periodic=True, dtype=torch.float64).sqrt()
        # The overlapping squared windows sum to frame_taps / (2 hop): scale the synthesis by
        # its inverse so that gains of 1 give back the input exactly. (float64 buffers, cast
        # to the signal's precision where used.)
        self.register_buffer("window", window, persistent=False)
        self.register_buffer(
            "synthesis_window", window * 2 * c.hop / c.frame_taps, persistent=False
        )
        if c.spectral_inputs not in ("bands", "bins"):
            raise ValueError(
                f"spectral_inputs must be 'bands' or 'bins', not {c.spectral_inputs!r}"
            )
        self.register_buffer("band_weights", None, persistent=False)  # pools bins into bands
        self.register_buffer("band_spread", None, persistent=False)  # spreads gains over bins
        inputs = outputs = bins
        if c.spectral_bands:
            # Triangular mel bands pool the bins' powers into the network's inputs, and the
            # same triangles, normalised per bin, spread its gains back over the bins.
            bands = AF.melscale_fbanks(bins, 0.0, 8000.0, c.spectral_bands, 16000).double()
            spread = bands.clone()
            spread[spread.sum(1) == 0, 0] = 1.0  # DC, below the first band's centre
            spread = spread / spread.sum(1, keepdim=True)  # (bins, bands), rows sum to 1
            if c.spectral_inputs == "bands":
                self.register_buffer("band_weights", bands, persistent=False)
                inputs = c.spectral_bands
            self.register_buffer("band_spread", spread.T.contiguous(), persistent=False)
            outputs = c.spectral_bands
        self.context_fir = None
        if c.spectral_context:
            # A long MIMO FIR over the features, starting as each feature's moving average
            self.context_fir = MIMOFIR(inputs, inputs, c.spectral_context)
            with torch.no_grad():
                self.context_fir.taps.zero_()
                self.context_fir.taps[:, range(inputs), range(inputs)] = 1 / c.spectral_context
        first = 2 * inputs if self.context_fir is not None else inputs
        self.df_bins, self.df_taps = c.deep_filter_bins, c.deep_filter_taps
        if not 0 <= self.df_bins <= bins or self.df_taps < 1:
            raise ValueError(
                f"deep_filter_bins must be 0..{bins} (frame_taps {c.frame_taps} gives {bins} "
                f"bins) and deep_filter_taps >= 1, got {self.df_bins} and {self.df_taps}"
            )
        self.gain_outputs = outputs
        if self.df_bins:
            # The network also sees those bins' complex values (normalised per frame) and
            # gives a real and an imaginary tap per bin and frame of the filter.
            first += 2 * self.df_bins
            outputs += 2 * self.df_bins * self.df_taps
        widths = (first, *([c.spectral_hidden] * (len(c.spectral_taps) - 1)), outputs)
        # Taps drawn with each filter's real fan-in ("fan"): the lab's draw starves a stack
        # this deep and wide, and only the last layer would learn.
        self.gains = MIMOFIRCNN(
            c.spectral_taps, widths, dilations=c.spectral_dilations, bias=True, init="fan"
        )
        # Log-powers of speech at ordinary levels span about -25 to +5 (natural log); centre
        # and scale them like that for the tanh layers; the first layer learns the rest.
        self.register_buffer("feature_shift", torch.tensor(10.0), persistent=False)
        self.register_buffer("feature_scale", torch.tensor(1 / 8), persistent=False)
        with torch.no_grad():
            # Start open: every gain sigmoid(3) = 0.95, whatever the input.
            self.gains.layers[-1].taps.zero_()
            self.gains.layers[-1].bias.fill_(3.0)
            self.gains.layers[-1].bias[self.gain_outputs :] = 0.0  # the deep filter adds 0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.stream(x, None)[0]

    def stream(self, x: torch.Tensor, state: list | None) -> tuple[torch.Tensor, list]:
        """Denoise one block; ``state`` from the previous block (``None`` at the start)."""
        n, hop = self.frame_taps, self.hop
        batch, length = x.shape[0], x.shape[-1]
        if state is None:  # silence before the signal; the first frame ends at sample hop - 1
            complex_type = torch.promote_types(x.dtype, torch.complex64)  # float64: complex128
            past = x.new_zeros(batch, self.df_taps - 1, self.df_bins, dtype=complex_type)
            ahead = x.new_zeros(batch, self.lookahead, n // 2 + 1, dtype=complex_type)
            state = [x.new_zeros(batch, n - 1), None, x.new_zeros(batch, n - 1), 0, past, ahead]
        history, gain_state, pending, position, past, ahead = state
        signal = torch.cat([history, x[:, 0]], dim=-1)  # sample i is position - (n - 1) + i
        first = (hop - 1 - position) % hop  # block offset of the first frame's last sample
        if signal.shape[-1] - first >= n:
            frames = signal[:, first:].unfold(-1, n, hop)  # (batch, frames, n)
        else:  # a short block that completes no frame
            frames = signal.new_zeros(batch, 0, n)
        # Output sample j of this block estimates input position + j - delay; frame k covers
        # output samples first + k * hop + [0, n), so no frame reaches past length + n - 1.
        out = nn.functional.pad(pending, (0, length))
        if frames.shape[1]:
            windowed = frames * self.window.to(x.dtype)
            spectrum = torch.fft.rfft(windowed, dim=-1)  # (batch, frames, bins)
            power = spectrum.real.square() + spectrum.imag.square()
            if self.band_weights is not None:
                power = power @ self.band_weights.to(x.dtype)
            features = (torch.log(power + 1e-10) + self.feature_shift) * self.feature_scale
            low = spectrum[..., : self.df_bins]
            if self.df_bins:  # unit mean power per frame over the low bins
                scale = (low.real.square() + low.imag.square()).mean(-1, keepdim=True)
                unit = low * torch.rsqrt(scale + 1e-10)
                features = torch.cat([features, unit.real, unit.imag], -1)
            logits, gain_state = self._gain_logits(features.transpose(1, 2), gain_state)
            logits = logits.transpose(1, 2)  # (batch, frames, outputs)
            gains = torch.sigmoid(logits[..., : self.gain_outputs])  # per band or bin
            if self.band_spread is not None:
                gains = gains @ self.band_spread.to(x.dtype)
            # Look-ahead: the frames still waiting for the network's outputs L frames later
            waiting = torch.cat([ahead, spectrum], 1)
            ahead = waiting[:, frames.shape[1] :]
            gated = waiting[:, : frames.shape[1]] * gains
            if self.df_bins:
                gated, past = self._deep_filter(gated, low, logits[..., self.gain_outputs :], past)
            pieces = torch.fft.irfft(gated, n=n, dim=-1) * self.synthesis_window.to(x.dtype)
            added = nn.functional.fold(  # overlap-add
                pieces.transpose(1, 2),
                output_size=(1, (frames.shape[1] - 1) * hop + n),
                kernel_size=(1, n),
                stride=(1, hop),
            )[:, 0, 0]
            out[:, first : first + added.shape[-1]] += added
        y = out[:, :length]
        new_state = [
            signal[:, signal.shape[-1] - (n - 1) :],
            gain_state,
            out[:, length:],
            position + length,
            past,
            ahead,
        ]
        return y[:, None], new_state

    def _deep_filter(self, gated, low, taps, past):
        """Add ``sum_i C_i(t) X(t - i)`` to the lowest bins of the gated frames: a complex FIR
        over each bin's newest ``df_taps`` frames of the input spectrum ``X``, with taps ``C``
        from the network (frame by frame). With a look-ahead of L frames the gated frame it
        lands on is t - L. ``past`` holds the frames before this block."""
        k, n = self.df_bins, self.df_taps
        joined = torch.cat([past, low], 1)  # (batch, n - 1 + frames, k)
        window = joined.unfold(1, n, 1)  # (batch, frames, k, n): frame t - n + 1 .. t
        taps = taps.reshape(*taps.shape[:2], k, n, 2)
        taps = torch.complex(taps[..., 0], taps[..., 1]).to(window.dtype)
        filtered = (taps * window.flip(-1)).sum(-1)  # tap i meets frame t - i
        gated = torch.cat([gated[..., :k] + filtered, gated[..., k:]], -1)
        return gated, joined[:, joined.shape[1] - (n - 1) :]

    def _gain_logits(self, features: torch.Tensor, state):
        """The gain network on ``(batch, inputs, frames)``, after the context branch if any."""
        if self.context_fir is None:
            return self.gains.stream(features, state)
        history, gain_state = (None, None) if state is None else state
        powers = features[:, : self.context_fir.taps.shape[1]]  # not the deep filter's inputs
        summary = self.context_fir(powers, history)
        logits, gain_state = self.gains.stream(torch.cat([features, summary], 1), gain_state)
        return logits, (next_history(powers, history, self.context_fir.context), gain_state)


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


LOG_ENERGY_CENTRE = 8.0
LOG_ENERGY_SCALE = 3.0


def denoiser_model(config: FIRDenoiserConfig) -> nn.Module:
    if config.arch == "seed":
        return SeedFIRDenoiser(config)
    if config.arch == "mask":
        return MaskFIRDenoiser(config)
    if config.arch == "spectral":
        return SpectralMaskDenoiser(config)
    raise ValueError(f"denoiser arch must be 'seed', 'spectral' or 'mask', got {config.arch!r}")


def build_model(name: str, config: dict) -> nn.Module:
    """Rebuild a model from its class name and config dict (as stored in a checkpoint)."""
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in config.items()}
    if name == "GenreCNN":
        return genre_model(GenreCNNConfig(**values))
    if name == "FIRDenoiser":
        return denoiser_model(FIRDenoiserConfig(**values))
    raise ValueError(f"unknown model {name!r}")


def genre_model(config: GenreCNNConfig) -> nn.Module:
    return SeedGenreCNN(config) if config.arch == "seed" else GenreCNN(config)


def config_dict(config) -> dict:
    return asdict(config)


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
