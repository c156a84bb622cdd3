"""The default denoiser: a decimated FIR filter bank, a MIMO FIR CNN over its frames that gives
a gain per band, and the FIR synthesis bank that undoes the first."""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import torch
import torchaudio.functional as AF
from torch import nn

from audiocnn.config import check, check_choice
from audiocnn.dsp.noise_floor import noise_floor, running_level
from audiocnn.layers import MIMOFIR, MIMOFIRCNN, int8_products, next_history
from audiocnn.models.denoise import DenoiseModelConfig, positive
from audiocnn.models.registry import register


@dataclass(frozen=True)
class SpectralMaskDenoiserConfig(DenoiseModelConfig):
    """Decimated windowed-DFT FIR bank -> MIMO FIR CNN over frames -> gain per band ->
    overlap-add FIR bank. Its latency is ``frame_taps - 1 + hop * spectral_lookahead``."""

    frame_taps: int = 512  # taps of the analysis and synthesis filters (32 ms at 16 kHz)
    hop: int = 128  # a new frame every this many samples (8 ms at 16 kHz)
    spectral_hidden: int = 256  # features of the gain network's hidden layers
    # (256 beat 128 by 0.2-0.3 dB at every SNR; see recipes/denoise/README.md)
    spectral_bands: int = 32  # gains on this many mel bands (laid out for 16 kHz), spread over
    # the bins by the bands' own triangles; 0: one gain per bin
    spectral_inputs: str = "bands"  # the gain network sees the log-power of each band
    # ("bands") or of each bin ("bins": finer, e.g. the harmonics of a voice)
    spectral_context: int = 0  # taps (frames) of a learned long FIR over the network's inputs
    # whose outputs join them (a slow summary, e.g. of the noise); 0: none
    deep_filter_bins: int = 64  # the lowest this many bins (2 kHz at 16 kHz) also get a
    # complex FIR over their last frames, its taps given by the network per frame (0: gains
    # only; 64 bins took 0 dB from +3.5 to +3.9 dB, see recipes/denoise/README.md)
    deep_filter_scale_bins: int = 0  # the network sees those bins divided by the RMS of
    # the lowest this many (0: of all of them); a filter widened from the weights of a narrower
    # one keeps that one's count, so that it starts out exactly as they did
    deep_filter_taps: int = 5  # taps of that FIR, in frames (the newest ones: with a
    # look-ahead of L frames they run from frame t + L back to t + L - taps + 1: t - 2 .. t + 2)
    spectral_lookahead: int = 2  # frame t's gains and deep filter come from the network's
    # output at frame t + this many (it has seen that far ahead), at the cost of this many hops
    # of extra latency (DeepFilterNet3 looks 2 frames ahead; 0: none)
    spectral_recurrent: int = 0  # hidden size of a GRU over the network's inputs whose
    # output, through a linear layer that starts at zero, is added to the gain network's: a
    # summary of everything heard so far (RNNoise's memory of the noise); 0: none
    noise_floor_features: bool = False  # also give the network each band's noise floor
    # (streaming minimum tracking, dsp.noise_floor) and a-posteriori SNR (power over floor)
    noise_floor_rise_db: float = 5.0  # how fast that floor may rise, dB per second
    level_normalise: bool = False  # log-powers relative to the level heard so far
    # (dsp.running_level) instead of absolute: the same speech louder or quieter looks alike
    gain_floor_db: float = 0.0  # lowest gain, e.g. -25 (no band is wiped out); 0: none
    pitch_features: bool = False  # also give the network, per band, how well the frame matches
    # itself one pitch period earlier (RNNoise's pitch correlation: voiced speech near 1 in the
    # bands its harmonics fill, whatever the voice), and that best match itself
    pitch_lags: tuple[int, ...] = (32, 256)  # [shortest, longest] period searched, in samples
    # (500 and 62.5 Hz at 16 kHz)
    spectral_taps: tuple[int, ...] = (1, 3, 3, 3, 3, 1)  # taps per layer, in frames
    spectral_dilations: tuple[int, ...] = (1, 1, 2, 4, 8, 1)  # spacing, in frames

    def __post_init__(self) -> None:
        check_choice("spectral_inputs", self.spectral_inputs, ("bands", "bins"))
        positive(self, "frame_taps", "hop", "spectral_hidden", "deep_filter_taps")
        positive(self, "spectral_taps", "spectral_dilations")
        lags = self.pitch_lags
        check(
            len(lags) == 2 and 1 <= lags[0] <= lags[1],
            f"pitch_lags must be [shortest, longest], 1 <= shortest <= longest: {list(lags)}",
        )
        rise = self.noise_floor_rise_db
        check(0 < rise <= 100, f"noise_floor_rise_db must be in (0, 100] dB/s, got {rise}")
        check(
            -100 <= self.gain_floor_db <= 0,
            f"gain_floor_db must be in [-100, 0] (0: none), got {self.gain_floor_db}",
        )
        for name in (
            "spectral_bands",
            "spectral_context",
            "deep_filter_bins",
            "deep_filter_scale_bins",
            "spectral_lookahead",
            "spectral_recurrent",
        ):
            check(getattr(self, name) >= 0, f"{name} must be >= 0, got {getattr(self, name)}")
        check(
            self.deep_filter_scale_bins <= self.deep_filter_bins,
            f"deep_filter_scale_bins must be 0..deep_filter_bins ({self.deep_filter_bins}), "
            f"got {self.deep_filter_scale_bins}",
        )
        check(
            len(self.spectral_taps) == len(self.spectral_dilations),
            "spectral_taps and spectral_dilations need one entry per layer each",
        )


@register(SpectralMaskDenoiserConfig)
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
       (a slow summary); ``spectral_recurrent`` adds the output of a GRU over the inputs (a
       summary of all that came before; the one part that is not an FIR);
       ``deep_filter_bins`` adds, to each of the lowest bins, a complex FIR over that bin's
       last ``deep_filter_taps`` frames whose taps the network gives per frame (it then sees
       those bins' complex values, normalised per frame): finer than a gain per band, for the
       harmonics of a voice under loud noise (DeepFilterNet's deep filter).
       ``spectral_lookahead`` frames of look-ahead: frame t is gated (and deep-filtered) by the
       network's output at frame t + L, so it has heard L hops past the frame it cleans; the
       deep filter's taps then reach from frame t + L back (the newest ``deep_filter_taps``).
       ``pitch_features`` adds RNNoise's pitch correlation to the inputs: each frame's best
       normalised correlation with the frame one period earlier (a period in ``pitch_lags``),
       and per band the correlation of the two frames' spectra (voiced speech: near 1).
    3. Synthesis: each gated frame through the synthesis filters (``irfft`` and the same
       window) and overlap-added: the FIR synthesis bank. With gains of 1 the chain is an exact
       delay of ``frame_taps - 1 + hop * spectral_lookahead`` samples (the latency).

    Every stage is causal (and finite, but for the optional GRU, whose state is carried from
    block to block), so :meth:`stream` over blocks equals the whole signal.

    Shape:
        ``(batch, 1, time)`` -> ``(batch, 1, time)``, delayed by :attr:`delay` samples.
    """

    def __init__(self, config: SpectralMaskDenoiserConfig) -> None:
        super().__init__()
        self.config = config
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
        first = inputs  # the gain network's inputs, counted in the order they are joined
        self.floor_features, self.level_normalise = c.noise_floor_features, c.level_normalise
        if self.floor_features:
            first += 2 * inputs  # the floor and the a-posteriori SNR of each band
        # natural-log units of power per frame
        self.floor_rise = c.noise_floor_rise_db * math.log(10) / 10 * c.hop / 16000
        self.gain_floor = 10 ** (c.gain_floor_db / 20) if c.gain_floor_db < 0 else 0.0
        self.df_bins, self.df_taps = c.deep_filter_bins, c.deep_filter_taps
        if not 0 <= self.df_bins <= bins or self.df_taps < 1:
            raise ValueError(
                f"deep_filter_bins must be 0..{bins} (frame_taps {c.frame_taps} gives {bins} "
                f"bins) and deep_filter_taps >= 1, got {self.df_bins} and {self.df_taps}"
            )
        self.df_scale_bins = c.deep_filter_scale_bins or self.df_bins
        self.pitch = c.pitch_features
        self.min_lag, self.max_lag = c.pitch_lags if self.pitch else (0, 0)
        if self.pitch and self.band_weights is None:
            raise ValueError("pitch_features needs spectral_bands > 0 and spectral_inputs 'bands'")
        self.gain_outputs = outputs
        self.df_inputs_at = first  # where the deep filter's inputs start (see fit_weights)
        if self.df_bins:
            # The network also sees those bins' complex values (normalised per frame) and
            # gives a real and an imaginary tap per bin and frame of the filter.
            first += 2 * self.df_bins
            outputs += 2 * self.df_bins * self.df_taps
        if self.pitch:  # after the deep filter's inputs: the weights of a network without
            first += inputs + 1  # them fit the same places (see fit_weights)
        self.recurrent = self.recurrent_out = None
        if c.spectral_recurrent:
            # It sees the features, not the context branch's summary of them; its output
            # starts at zero, so the network starts as it would without it (and can start
            # from the weights of one trained without it).
            self.recurrent = nn.GRU(first, c.spectral_recurrent, batch_first=True)
            self.recurrent_out = nn.Linear(c.spectral_recurrent, outputs)
            nn.init.zeros_(self.recurrent_out.weight)
            nn.init.zeros_(self.recurrent_out.bias)
        if self.context_fir is not None:
            first += inputs  # the context branch's summary, after the features (_gain_logits)
        widths = (first, *([c.spectral_hidden] * (len(c.spectral_taps) - 1)), outputs)
        # Taps drawn with each filter's real fan-in ("fan"): the lab's draw starves a stack
        # this deep and wide, and only the last layer would learn.
        self.gains = MIMOFIRCNN(
            c.spectral_taps, widths, dilations=c.spectral_dilations, bias=True, init="fan"
        )
        self.int8_products = False  # True in the copies int8() makes
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
            history = x.new_zeros(batch, n - 1 + self.max_lag)  # the pitch search's reach too
            state = [history, None, x.new_zeros(batch, n - 1), 0, past, ahead]
            state += [None, None]  # the noise floor's and the level's
        history, gain_state, pending, position, past, ahead, floor_state, level_state = state
        # sample i is position - (n - 1) - max_lag + i (max_lag: 0 without pitch features)
        signal = torch.cat([history, x[:, 0]], dim=-1)
        lag = self.max_lag
        first = (hop - 1 - position) % hop  # block offset of the first frame's last sample
        if signal.shape[-1] - lag - first >= n:
            frames = signal[:, lag + first :].unfold(-1, n, hop)  # (batch, frames, n)
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
            features, floor_state, level_state = self._features(power, floor_state, level_state)
            low = spectrum[..., : self.df_bins]
            if self.df_bins:  # unit mean power per frame over the low bins
                scaled = low[..., : self.df_scale_bins]
                scale = (scaled.real.square() + scaled.imag.square()).mean(-1, keepdim=True)
                unit = low * torch.rsqrt(scale + 1e-10)
                features = torch.cat([features, unit.real, unit.imag], -1)
            if self.pitch:
                with torch.no_grad():  # a function of the input alone
                    match = self._pitch_match(signal[:, first:], spectrum, power)
                    features = torch.cat([features, match], -1)
            # (batch, frames, outputs): the network runs on rows, one per frame
            logits, gain_state = self._gain_logits(features, gain_state)
            gains = torch.sigmoid(logits[..., : self.gain_outputs])  # per band or bin
            if self.gain_floor:
                gains = self.gain_floor + (1 - self.gain_floor) * gains
            if self.band_spread is not None:
                gains = gains @ self.band_spread.to(x.dtype)
            # Look-ahead: the frames still waiting for the network's outputs L frames later
            waiting = torch.cat([ahead, spectrum], 1)
            ahead = waiting[:, frames.shape[1] :]
            gated = waiting[:, : frames.shape[1]] * gains
            if self.df_bins:
                gated, past = self._deep_filter(gated, low, logits[..., self.gain_outputs :], past)
            pieces = torch.fft.irfft(gated, n=n, dim=-1) * self.synthesis_window.to(x.dtype)
            added = _overlap_add(pieces, hop)
            out[:, first : first + added.shape[-1]] += added
        y = out[:, :length]
        new_state = [
            signal[:, signal.shape[-1] - (n - 1 + lag) :],
            gain_state,
            out[:, length:],
            position + length,
            past,
            ahead,
            floor_state,
            level_state,
        ]
        return y[:, None], new_state

    def _features(self, power, floor_state, level_state):
        """The gain network's inputs from band (or bin) powers ``(batch, frames, inputs)``:
        log-powers, absolute or relative to the level so far, and optionally each band's
        noise floor and a-posteriori SNR."""
        log_power = torch.log(power + 1e-10)
        if self.level_normalise:
            level, level_state = running_level(power.mean(-1), level_state)
            reference = level[..., None] - 5.0  # loud speech bands come out near +5
        else:
            reference = -self.feature_shift
        parts = [log_power - reference]
        if self.floor_features:
            with torch.no_grad():  # a function of the input alone
                floor, floor_state = noise_floor(power, floor_state, rise=self.floor_rise)
            parts += [floor - reference, log_power - floor]
        features = torch.cat(parts, -1) * self.feature_scale
        return features, floor_state, level_state

    def _pitch_match(
        self, signal: torch.Tensor, spectrum: torch.Tensor, band_power: torch.Tensor
    ) -> torch.Tensor:
        """Per band, the normalised correlation of each frame's spectrum with that of the
        samples one pitch period earlier, and the best normalised correlation itself.

        Frame k is ``signal[:, max_lag + k * hop :][:, :n]``, with the ``max_lag`` samples
        before it; ``spectrum (batch, frames, bins)`` is its windowed spectrum and
        ``band_power`` that spectrum's power per band. The period is the lag in ``pitch_lags``
        whose earlier n samples correlate best with the frame (the whole frame, as RNNoise's
        pitch search).

        The frames overlap, so the correlations are summed from those of hop-long chunks, each
        computed once (by FFT); the energies come from one cumulative sum of squares.
        """
        n, hop, lag, low = self.frame_taps, self.hop, self.max_lag, self.min_lag
        count, chunks, span = spectrum.shape[1], n // hop, lag - low  # shifts s = lag - period
        end = lag + (count - 1) * hop + n  # one past the last frame's last sample
        near = signal[:, lag:end].unflatten(-1, (-1, hop))  # (batch, count + chunks - 1, hop)
        # chunk c's samples and the lag to low samples before them: c[s] = sum_i near[i] far[s + i]
        far = signal[:, : end - low].unfold(-1, hop + span, hop)
        size = _fft_size(hop + span)  # no wrap-around: s + i < hop + span
        products = torch.fft.rfft(near, size).conj() * torch.fft.rfft(far, size)
        correlation = torch.fft.irfft(products, size)[..., : span + 1]
        correlation = correlation.unfold(1, chunks, 1).sum(-1)  # over each frame's chunks
        # Energies of the frames and of their earlier samples, from the squares summed in
        # float64 (differences of large sums, which float32 would round by the block's length)
        squares = torch.nn.functional.pad(signal[:, :end].double().square().cumsum(-1), (1, 0))
        ends = squares[:, n:].unfold(-1, span + 1, hop)[:, :count]
        energy = (ends - squares.unfold(-1, span + 1, hop)[:, :count]).to(signal.dtype)
        own = (squares[:, lag + n :: hop] - squares[:, lag:-n:hop])[:, :count, None]
        own = own.to(signal.dtype)
        # index j: period low + j
        normalised = correlation.flip(-1) / torch.sqrt(own * energy.flip(-1) + 1e-10)
        best, index = normalised.max(-1)
        begin = lag - low - index + hop * torch.arange(count, device=signal.device)
        # the n samples from each begin: rows of the signal's every n-long window (a view)
        batch = torch.arange(signal.shape[0], device=signal.device)[:, None]
        earlier = signal.unfold(-1, n, 1)[batch, begin]  # (batch, count, n)
        delayed = torch.fft.rfft(earlier * self.window.to(signal.dtype), dim=-1)
        weights = self.band_weights.to(signal.dtype)
        cross = (spectrum.real * delayed.real + spectrum.imag * delayed.imag) @ weights
        powers = band_power * ((delayed.real.square() + delayed.imag.square()) @ weights)
        return torch.cat([cross * torch.rsqrt(powers + 1e-20), best[..., None]], -1)

    def int8(self) -> SpectralMaskDenoiser:
        """A copy for inference on a CPU whose gain network takes int8 products after its first
        layer (:func:`~audiocnn.layers.int8_products`): nine tenths of its multiply-adds, each
        layer at 0.8-1.2 of float32's time since session 42 (``python bench/dsp.py --int8``). Its
        output is not bit for bit the float32 network's (``docs/speed.md`` measures what that
        costs); streaming still equals the whole signal."""
        quantised = copy.deepcopy(self).eval()
        quantised.gains = int8_products(self.gains)
        quantised.int8_products = True
        return quantised

    def fit_weights(self, weights: dict) -> dict:
        """``weights`` of a narrower design made to fit this one: without pitch features, with
        a deep filter over fewer of the lowest bins, without the context branch, or with
        fewer hidden features (``[train] init``), or several of these. The gain network's
        first layer gets zero taps from the new inputs and its last layer zero taps and bias
        for the new bins' filter taps; new hidden features get zero taps out (see
        :meth:`_widen_hidden`); so it starts out giving exactly what the weights gave (with
        ``deep_filter_scale_bins`` set to the weights' bins). A new context branch starts as
        its moving average (its taps are not in ``weights``)."""
        first, last = "gains.layers.0.taps", f"gains.layers.{len(self.gains.layers) - 1}"
        own = self.state_dict()
        if self.recurrent is not None or first not in weights or f"{last}.taps" not in weights:
            return weights  # nothing this knows how to widen; the shape check will say
        weights = self._widen_hidden(weights)
        old_in, old_out = weights[first], weights[f"{last}.taps"]
        context = 0 if self.context_fir is None else self.context_fir.taps.shape[1]
        was_context = context if "context_fir.taps" in weights else 0
        if was_context and not context:
            return weights  # a branch this design lacks; the key check will say
        width = own[first].shape[1] - context  # the features', before the branch's summary
        n, k = self.df_taps, self.df_bins
        pitch = width - self.df_inputs_at - 2 * k
        was_k = (old_out.shape[2] - self.gain_outputs) // (2 * n)
        was_pitch = old_in.shape[1] - was_context - self.df_inputs_at - 2 * was_k
        if not (0 <= was_k <= k and was_pitch in (0, pitch)):
            return weights
        if (was_k, was_pitch, was_context) == (k, pitch, context):
            return weights
        # inputs: [features before the filter's | real (k) | imag (k) | pitch | context]
        base = self.df_inputs_at
        grown = old_in.new_zeros(own[first].shape)
        grown[:, :base] = old_in[:, :base]
        grown[:, base : base + was_k] = old_in[:, base : base + was_k]
        grown[:, base + k : base + k + was_k] = old_in[:, base + was_k : base + 2 * was_k]
        old_pitch = slice(base + 2 * was_k, base + 2 * was_k + was_pitch)
        grown[:, base + 2 * k : base + 2 * k + was_pitch] = old_in[:, old_pitch]
        if was_context:
            grown[:, width:] = old_in[:, old_in.shape[1] - was_context :]
        weights = {**weights, first: grown}
        # outputs: [gains | (bin, tap, re/im) for the lowest was_k bins, then the new ones]
        kept = self.gain_outputs + 2 * n * was_k
        for name in (f"{last}.taps", f"{last}.bias"):
            if name in weights:
                value = weights[name].new_zeros(own[name].shape)
                value[..., :kept] = weights[name][..., :kept]
                weights[name] = value
        return weights

    def _widen_hidden(self, weights: dict) -> dict:
        """``weights`` of a gain network with fewer hidden features (``spectral_hidden``) given
        this one's: the old features keep their taps and biases; each new one gets taps in
        from the old features drawn as :class:`MIMOFIR`'s ``init="fan"`` draws them, and zero
        taps out and zero bias, so that the network gives exactly what the weights gave while
        the new features' outgoing taps still get gradients. The draws come from a generator
        seeded with 0: a soup (``recipes/denoise/soup.py``) widens the narrower weights to the
        very point a run from them started."""
        layers = self.gains.layers
        old = [weights.get(f"gains.layers.{i}.taps") for i in range(len(layers))]
        if any(t is None for t in old) or old[0].shape[2] >= layers[0].taps.shape[2]:
            return weights
        generator = torch.Generator().manual_seed(0)
        weights = dict(weights)
        for i, layer in enumerate(layers):
            name, taps = f"gains.layers.{i}", old[i]
            n_taps, n_in, n_out = layer.taps.shape
            rows, columns = taps.shape[1:]  # the first layer's rows (inputs): fit_weights
            if i == len(layers) - 1:
                n_out = columns  # the outputs (gains, deep filter taps): fit_weights
            if taps.shape[0] != n_taps or (i and rows > n_in) or columns > n_out:
                return weights  # another design; the shape check will say
            spread = math.sqrt(2.0 / (n_taps * (n_in + n_out)))  # MIMOFIR's "fan" draw
            drawn = torch.randn(n_taps, rows, n_out - columns, generator=generator)
            grown = torch.cat([taps, spread * drawn.to(taps.dtype)], 2)  # taps in: drawn
            if i:  # the new features of the layer below: zero taps out of them
                grown = torch.cat([grown, grown.new_zeros(n_taps, n_in - rows, n_out)], 1)
            weights[f"{name}.taps"] = grown
            bias = weights.get(f"{name}.bias")
            if bias is not None and bias.shape[0] < n_out:
                weights[f"{name}.bias"] = torch.cat([bias, bias.new_zeros(n_out - bias.shape[0])])
        return weights

    def _deep_filter(self, gated, low, taps, past):
        """Add ``sum_i C_i(t) X(t - i)`` to the lowest bins of the gated frames (in place): a
        complex FIR over each bin's newest ``df_taps`` frames of the input spectrum ``X``, with
        taps ``C`` from the network (frame by frame). With a look-ahead of L frames the gated
        frame it lands on is t - L. ``past`` holds the frames before this block."""
        k, n = self.df_bins, self.df_taps
        joined = torch.cat([past, low], 1)  # (batch, n - 1 + frames, k)
        frames = low.shape[1]
        # (real, imaginary) pairs side by side, read as complex numbers (a view where the
        # pairs' layout allows one)
        taps = taps.reshape(*taps.shape[:2], k, n, 2)
        steps = taps.stride()
        if steps[-1] != 1 or taps.storage_offset() % 2 or any(step % 2 for step in steps[:-1]):
            taps = taps.contiguous()
        taps = torch.view_as_complex(taps).to(joined.dtype)
        for i in range(n):  # tap i meets frame t - i: joined[n - 1 - i + t]
            gated[..., :k] += taps[..., i] * joined[:, n - 1 - i : n - 1 - i + frames]
        return gated, joined[:, joined.shape[1] - (n - 1) :]

    def _gain_logits(self, features: torch.Tensor, state):
        """The gain network on ``(batch, frames, inputs)`` rows (one per frame, as they are
        made; ``MIMOFIRCNN.stream(rows=True)``), with the context branch's summary of them
        beside them and the recurrent branch's output added, if there are those."""
        gain_state, history, hidden = (None, None, None) if state is None else state
        inputs = features
        if self.context_fir is not None:
            powers = features[..., : self.context_fir.taps.shape[1]]  # not the deep filter's
            inputs = torch.cat([features, self.context_fir.rows(powers, history)], -1)
            history = next_history(powers, history, self.context_fir.context, dim=1)
        logits, gain_state = self.gains.stream(inputs, gain_state, rows=True)
        if self.recurrent is not None:
            memory, hidden = self.recurrent(features, hidden)
            logits = logits + self.recurrent_out(memory)
        return logits, (gain_state, history, hidden)


def _overlap_add(pieces: torch.Tensor, hop: int) -> torch.Tensor:
    """Frames ``(batch, frames, n)`` (n a multiple of ``hop``), each ``hop`` after the last,
    summed where they overlap: ``(batch, (frames - 1) * hop + n)``. One slice-add per hop of
    a frame (four for the default 512 / 128): 0.9 ms for 1250 frames on one CPU thread,
    against 15.6 ms for ``nn.functional.fold`` (both measured beside a training run)."""
    count, parts = pieces.shape[1], pieces.shape[-1] // hop
    split = pieces.unflatten(-1, (parts, hop))
    added = pieces.new_zeros(pieces.shape[0], count + parts - 1, hop)
    for j in range(parts):
        added[:, j : j + count] += split[:, :, j]
    return added.flatten(1)


def _fft_size(length: int) -> int:
    """The smallest FFT size of at least ``length`` with no prime factor above 5 (fast)."""
    size = length
    while True:
        rest = size
        for prime in (2, 3, 5):
            while rest % prime == 0:
                rest //= prime
        if rest == 1:
            return size
        size += 1
