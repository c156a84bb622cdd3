"""Resampling: torchaudio's windowed-sinc (Hann) resampler, with one kernel kept per rate pair,
computed without its zero taps, and a streaming form with the same result.
"""

from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass
from fractions import Fraction

import torch
import torchaudio

from audiocnn import runtime

# torchaudio's kernel holds about new * (orig + 2 * width) floats for the reduced ratio
# orig:new; past this many, the ratio is approximated (e.g. 22051 Hz -> 16 kHz, a 45 ppm error).
MAX_RATIO_PRODUCT = 2_000_000


def rate_ratio(orig_rate: float, new_rate: float) -> tuple[int, int]:
    """The rates' ratio as two coprime integers: what the resampling kernel depends on.

    Ratios whose terms would need a kernel of millions of taps are approximated by the nearest
    ratio with smaller terms, with a warning giving the rate error.
    """
    if orig_rate <= 0 or new_rate <= 0:
        raise ValueError(f"sample rates must be positive, got {orig_rate} and {new_rate}")
    exact = Fraction(orig_rate).limit_denominator(10**6) / Fraction(new_rate).limit_denominator(
        10**6
    )
    ratio, limit = exact, 10**6
    while ratio.numerator * ratio.denominator > MAX_RATIO_PRODUCT and limit > 1:
        limit //= 2
        ratio = exact.limit_denominator(limit)
    if ratio.numerator * ratio.denominator > MAX_RATIO_PRODUCT or ratio == 0:
        raise ValueError(f"cannot resample {orig_rate} Hz to {new_rate} Hz (ratio too extreme)")
    if ratio != exact:
        error_ppm = abs(float(ratio / exact) - 1) * 1e6
        warnings.warn(
            f"resampling {orig_rate} Hz -> {new_rate} Hz approximated as {ratio.numerator}:"
            f"{ratio.denominator} ({error_ppm:.0f} ppm rate error)",
            stacklevel=3,
        )
    return ratio.numerator, ratio.denominator


# torchaudio slides its (new, 1, taps) kernel with stride orig: one output channel per phase.
# For integer decimation (new = 1, e.g. 22.05 kHz -> 11.025 or 2.756 kHz) that is a convolution
# with a single output channel, which runs far below the CPU's speed. Instead, the signal is
# split into its orig phases (sample j * orig + p is phase p's j-th), which makes the decimating
# filter a stride-1 convolution with orig input channels and taps / orig taps each, and this
# many consecutive outputs are stacked as output channels of one convolution (the same taps;
# 1.1-1.4x faster than stacking frames of the undivided signal, which was ~5x faster than
# torchaudio's own convolution, on a 2-core x86 CPU).
OUTPUTS_PER_CONVOLUTION = 16
# For other ratios (e.g. 22.05 -> 16 kHz, 441:320) each phase's row of taps is zero but for
# about 2 * width + 1 of them: 19 of 459 at 441:320, so the convolution spends 24 of every 25
# multiplications on zeros. Phases are taken this many at a time instead, each group a matrix
# product over just the input span its rows cover (same nonzero taps, summed in another order).
PHASES_PER_GROUP = 32


@dataclass(frozen=True)
class _PhaseGroup:
    start: int  # first input sample of the frame this group's rows reach
    taps: torch.Tensor  # (span, phases): the group's rows, transposed, zeros outside the span


@dataclass(frozen=True)
class _SincKernel:
    kernel: torch.Tensor  # torchaudio's (new, 1, taps), float64
    blocked: torch.Tensor  # integer decimation only: (block, orig, block - 1 + ceil(taps / orig))
    groups: tuple[_PhaseGroup, ...]  # the phases in groups; () where that saves little
    orig: int
    new: int
    width: int  # torchaudio's zero padding in front of the signal
    block: int

    def frames(self, padded: torch.Tensor) -> torch.Tensor:
        """Every complete frame of an already padded signal: ``(channels, L)`` ->
        ``(channels, n_frames * new)``, in torchaudio's order."""
        channels, length = padded.shape
        taps = self.kernel.shape[-1]
        n_frames = (length - taps) // self.orig + 1
        if n_frames <= 0:
            return padded.new_zeros(channels, 0)
        with runtime.one_thread():  # faster than two, idle or busy (bench/loading.py --busy 1)
            if self.new == 1:
                return self._blocked_frames(padded, n_frames)
            if self.groups:
                return self._grouped_frames(padded, n_frames)
            return self._plain_frames(padded, n_frames)

    def _plain_frames(self, padded: torch.Tensor, n_frames: int) -> torch.Tensor:
        # torchaudio's own convolution: one output channel per phase, stride orig.
        with torch.no_grad():
            y = torch.nn.functional.conv1d(
                padded[:, None], self.kernel.to(padded.dtype), stride=self.orig
            )
        return y[..., :n_frames].transpose(1, 2).reshape(padded.shape[0], -1)

    def length_needed(self, length: int) -> int:
        """How long :meth:`frames` wants a padded signal of ``length`` samples to be (it pads
        a shorter one itself, at the cost of a copy)."""
        n_frames = (length - self.kernel.shape[-1]) // self.orig + 1
        if self.new > 1 or n_frames <= 0:
            return length
        n_blocks = -(-n_frames // self.block)
        return max(length, ((n_blocks - 1) * self.block + self.blocked.shape[-1]) * self.orig)

    def _blocked_frames(self, padded: torch.Tensor, n_frames: int) -> torch.Tensor:
        # Integer decimation (new = 1): y[f] = sum_p sum_m h[m * orig + p] x[(f + m) * orig + p].
        channels, length = padded.shape
        n_blocks = -(-n_frames // self.block)
        n_phase = (n_blocks - 1) * self.block + self.blocked.shape[-1]  # samples per phase
        need = n_phase * self.orig
        if need > length:
            padded = torch.nn.functional.pad(padded, (0, need - length))
        phases = padded[:, :need].view(channels, n_phase, self.orig).transpose(1, 2)
        weight = self.blocked.to(padded.dtype)
        with torch.no_grad():
            y = torch.nn.functional.conv1d(phases.contiguous(), weight, stride=self.block)
        return y.transpose(1, 2).reshape(channels, -1)[:, :n_frames]

    def _grouped_frames(self, padded: torch.Tensor, n_frames: int) -> torch.Tensor:
        # (channels, n_frames, taps): frame f starts at input sample f * orig, a view, no copy.
        framed = padded.unfold(-1, self.kernel.shape[-1], self.orig)[:, :n_frames]
        with torch.no_grad():
            parts = [
                framed[..., g.start : g.start + g.taps.shape[0]] @ g.taps.to(padded.dtype)
                for g in self.groups
            ]
        return torch.cat(parts, dim=-1).reshape(padded.shape[0], -1)


def _phase_groups(kernel: torch.Tensor, per_group: int) -> tuple[_PhaseGroup, ...]:
    """The rows of ``kernel`` ``(new, 1, taps)`` in groups of consecutive phases, each cut to
    the taps where one of its rows is not zero; () when that saves less than half the work
    (then torchaudio's convolution is used as it is)."""
    rows = kernel[:, 0]
    nonzero = rows.abs() > 1e-12 * rows.abs().max()  # torchaudio's window is ~1e-33 at its edges
    groups, work = [], 0
    for first in range(0, rows.shape[0], per_group):
        part = nonzero[first : first + per_group].any(0).nonzero()
        start, stop = int(part[0]), int(part[-1]) + 1
        group_rows = rows[first : first + per_group]
        taps = torch.where(nonzero[first : first + per_group], group_rows, 0)[:, start:stop]
        groups.append(_PhaseGroup(start, taps.T.contiguous()))
        work += taps.numel()
    return tuple(groups) if 2 * work < rows.numel() else ()


@functools.lru_cache(maxsize=16)
def _sinc_kernel(orig: int, new: int) -> _SincKernel:
    # The kernel depends only on the reduced ratio, so it is built once per pair and reused;
    # in float64, cast to the signal's precision when used.
    transform = torchaudio.transforms.Resample(orig, new, dtype=torch.float64)
    kernel = transform.kernel
    taps = kernel.shape[-1]
    block = OUTPUTS_PER_CONVOLUTION
    blocked, groups = kernel.new_zeros(0), ()
    if new == 1:  # tap m * orig + p of the kernel is tap m of phase p
        per_phase = -(-taps // orig)
        phased = torch.nn.functional.pad(kernel[0, 0], (0, per_phase * orig - taps))
        phased = phased.view(per_phase, orig).T
        blocked = kernel.new_zeros(block, orig, block - 1 + per_phase)
        for m in range(block):
            blocked[m, :, m : m + per_phase] = phased
    else:
        groups = _phase_groups(kernel, PHASES_PER_GROUP)
    return _SincKernel(kernel, blocked, groups, orig, new, transform.width, block)


def resample(wav: torch.Tensor, orig_rate: float, new_rate: float) -> torch.Tensor:
    """Resample along the last axis with torchaudio's windowed-sinc (Hann) resampler.

    The result equals ``torchaudio.functional.resample`` (same kernel, padding and length);
    integer decimation runs several frames per convolution, which is faster on a CPU.

    Shape:
        ``(..., time)`` -> ``(..., ceil(time * new_rate / orig_rate))``
    """
    orig, new = rate_ratio(orig_rate, new_rate)
    if orig == new:
        return wav
    sinc = _sinc_kernel(orig, new)
    wav = wav if wav.dtype == torch.float64 else wav.float()
    length = wav.shape[-1]
    flat = wav.reshape(-1, length)
    # torchaudio's padding, and at once whatever more zeros the frames need (one copy, not
    # two); frames past torchaudio's last are cut off with the rest past its length.
    tail = sinc.length_needed(length + 2 * sinc.width + orig) - length - sinc.width
    padded = _pad_zeros(flat, sinc.width, tail)
    out = sinc.frames(padded)[:, : math.ceil(new * length / orig)]
    return out.reshape(*wav.shape[:-1], -1)


def _pad_zeros(x: torch.Tensor, left: int, right: int) -> torch.Tensor:
    """``F.pad(x, (left, right))`` along the last axis, zero-filling only the new samples
    (``F.pad`` zero-fills the whole output first: on 30 s at 22.05 kHz that fill took as long
    as the decimating convolution itself)."""
    out = x.new_empty(*x.shape[:-1], left + x.shape[-1] + right)
    out[..., :left] = 0
    out[..., left : left + x.shape[-1]] = x
    out[..., left + x.shape[-1] :] = 0
    return out


class StreamingResampler:
    """torchaudio's resampler applied to a signal that arrives in blocks, with the same result.

    torchaudio pads the whole signal with ``width`` zeros in front and ``width + orig`` behind,
    then slides its ``(new, 1, taps)`` kernel with stride ``orig``. Here the padded signal is
    consumed as it arrives: every frame whose input is complete is computed, the rest waits for
    the next block, and :meth:`flush` adds the tail padding and trims to torchaudio's length.

    Shape:
        blocks ``(channels, time)`` -> blocks ``(channels, time')``
    """

    def __init__(self, orig_rate: float, new_rate: float, channels: int) -> None:
        self.orig, self.new = rate_ratio(orig_rate, new_rate)
        self.channels = channels
        self.pushed = 0
        self.emitted = 0
        if self.orig != self.new:
            self.sinc = _sinc_kernel(self.orig, self.new)
            self.width = self.sinc.width
            self.buffer = torch.zeros(channels, self.width)

    def push(self, block: torch.Tensor) -> torch.Tensor:
        self.pushed += block.shape[-1]
        if self.orig == self.new:
            return block
        self.buffer = torch.cat([self.buffer, block.float()], dim=-1)
        return self._frames()

    def flush(self) -> torch.Tensor:
        """The last samples, once the input has ended."""
        if self.orig == self.new:
            return torch.zeros(self.channels, 0)
        self.buffer = torch.cat(
            [self.buffer, torch.zeros(self.channels, self.width + self.orig)], dim=-1
        )
        out = self._frames()
        total = math.ceil(self.new * self.pushed / self.orig)
        return out[..., : max(0, total - self.emitted + out.shape[-1])]

    def _frames(self) -> torch.Tensor:
        out = self.sinc.frames(self.buffer)
        n_frames = out.shape[-1] // self.new
        self.buffer = self.buffer[:, n_frames * self.orig :]
        self.emitted += out.shape[-1]
        return out
