"""Fast tensor paths for causal FIR and MIMO FIR filters: ``conv1d`` and block FFT convolution,
batched and differentiable, channels-first ``(batch, features, time)``, each tested equal to its
loop reference; and :func:`mimo_fir_rows`, the same filter on time-major ``(batch, time,
features)`` signals as one matrix product per tap."""

from __future__ import annotations

import math
from typing import Literal

import torch
import torch.nn.functional as F
import torchaudio.functional as AF

Method = Literal["auto", "conv", "fft"]
RowsMethod = Literal["auto", "taps", "unfold", "conv"]

# Where the block-FFT path starts to beat the direct conv1d path, in samples spanned by the filter
# ((n_taps - 1) * dilation + 1). Measured with `python bench/dsp.py --crossover` on a 2-core x86
# CPU for 1->5, 5->1, 8->8 and 32->32 features: conv1d wins below ~16 taps, FFT from ~32 taps.
FFT_MIN_SPAN = 32
# FFT size per block, as a multiple of the filter's span: 8x spent the least time in that sweep.
FFT_SIZE_FACTOR = 8
# Where mimo_fir_rows's single product over unfolded rows beats one product per tap: filters of
# at least UNFOLD_MIN_TAPS taps whose unfolded copy (batch * time * F * n_taps values) is at most
# UNFOLD_MAX_VALUES. Without gradients on a 2-core x86 CPU, 128 taps x 32 features: 0.16 against
# 1.9-2.1 ms for 1-20 rows (a streamed frame), 0.9 against 2.7 ms for 188 rows, 2.2 against
# 4.1 ms for 600, but 14 against 5.6 ms for 1250; 3 taps x 256 features: 10-40% slower at any
# length (docs/speed.md). Longer than that, such filters go through conv1d on a channels-first
# copy: 128 taps x 32 features on 1250 rows (the CLI's 10 s block), 2 threads, session 41:
# 4.8 ms, against 7.4 unfolded and 16.4 one product per tap.
UNFOLD_MIN_TAPS = 16
UNFOLD_MAX_VALUES = 1 << 21


def _check_mimo(x: torch.Tensor, H: torch.Tensor) -> None:
    if H.dim() != 3:
        raise ValueError(f"H must have shape (n_taps, F, G), got {tuple(H.shape)}")
    if x.dim() != 3 or x.shape[1] != H.shape[1]:
        raise ValueError(f"x must have shape (batch, F={H.shape[1]}, time), got {tuple(x.shape)}")


def mimo_fir_conv(
    x: torch.Tensor, H: torch.Tensor, dilation: int = 1, history: torch.Tensor | None = None
) -> torch.Tensor:
    """MIMO FIR filter with ``torch.nn.functional.conv1d`` and left padding (short filters).

    conv1d is a cross-correlation, so the taps are reversed and the input is padded on the left
    with ``(n_taps - 1) * dilation`` samples: zeros, or ``history`` when streaming.

    Shape:
        x ``(batch, F, time)``, H ``(n_taps, F, G)``,
        history ``(batch, F, (n_taps - 1) * dilation)`` -> ``(batch, G, time)``
    """
    weight = H.permute(2, 1, 0).flip(-1)  # (G, F, n_taps)
    padded = _left_context(x, (H.shape[0] - 1) * dilation, history)
    return F.conv1d(padded, weight, dilation=dilation)


def mimo_fir_fft(
    x: torch.Tensor,
    H: torch.Tensor,
    dilation: int = 1,
    history: torch.Tensor | None = None,
    n_fft: int | None = None,
) -> torch.Tensor:
    """MIMO FIR filter by block FFT convolution (overlap-save; long filters).

    Each input feature is transformed once and each output feature inverse-transformed once, so
    the cost is ``F + G`` FFTs plus an ``F x G`` complex product per block, whatever the taps.

    Args:
        n_fft: FFT size; default: the power of two at least ``FFT_SIZE_FACTOR`` x the span.

    Shape:
        x ``(batch, F, time)``, H ``(n_taps, F, G)`` -> ``(batch, G, time)``
    """
    span = (H.shape[0] - 1) * dilation + 1
    if H.shape[1] == 1 and H.shape[2] == 1 and history is None:
        return fir_filter_fft(x, _dilate(H[:, 0, 0], dilation))
    n_fft = n_fft or 1 << max(6, math.ceil(math.log2(FFT_SIZE_FACTOR * span)))
    if n_fft < span:
        raise ValueError(f"n_fft={n_fft} is shorter than the filter's span of {span} samples")
    block = n_fft - span + 1
    time = x.shape[-1]
    n_blocks = max(1, math.ceil(time / block))
    # Overlap-save: block m sees samples [m*block - (span-1), m*block + block) of the input.
    padded = _left_context(x, span - 1, history)
    padded = F.pad(padded, (0, n_blocks * block + span - 1 - padded.shape[-1]))
    frames = padded.unfold(-1, n_fft, block)  # (batch, F, n_blocks, n_fft)
    spectrum = torch.fft.rfft(frames, n=n_fft)  # (batch, F, blocks, bins)
    response = mimo_fir_response(H, n_fft, dilation)  # (F, G, bins)
    if H.shape[2] == 1:
        # One output feature: a broadcast product summed over F is ~4x faster than einsum here.
        product = (spectrum * response[:, 0, None, :]).sum(1, keepdim=True)
    else:
        product = torch.einsum("bfmk,fgk->bgmk", spectrum, response)
    out = torch.fft.irfft(product, n=n_fft)
    out = out[..., span - 1 :].reshape(x.shape[0], H.shape[2], -1)
    return out[..., :time]


def fir_filter_fft(x: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
    """Causal SISO FIR filter with ``torchaudio.functional.fftconvolve`` (full length FFT).

    Shape:
        x ``(..., time)``, h ``(n_taps,)`` -> ``(..., time)``
    """
    return AF.fftconvolve(x, h.expand(*x.shape[:-1], h.shape[-1]))[..., : x.shape[-1]]


def mimo_fir(
    x: torch.Tensor,
    H: torch.Tensor,
    *,
    dilation: int = 1,
    history: torch.Tensor | None = None,
    method: Method = "auto",
) -> torch.Tensor:
    """Causal MIMO FIR filter ``y = sum_k S^(k*dilation) x H[k]``, batched and differentiable.

    ``method="auto"`` takes the direct conv1d path for filters of fewer than ``FFT_MIN_SPAN``
    taps and the block-FFT path from there on; both equal :func:`mimo_fir_reference`.

    On a batch this follows the equation for every item. The lab's ``MIMO_convolution_1D`` does
    not: it zeroes ``signal[:, 0]``, which on a ``(batch, 1, time)`` batch wipes the whole first
    channel after the first tap; on a single ``(F, time)`` signal the two agree.

    Args:
        x: input features.
        H: filter taps; ``H[k]`` maps the ``F`` input features to the ``G`` output features.
        dilation: spacing between taps, in samples (1: the lab's filter).
        history: the last ``(n_taps - 1) * dilation`` input samples before ``x``, for streaming
            a long signal in blocks; zeros (a signal starting at rest) when ``None``.
        method: ``"auto"``, ``"conv"`` or ``"fft"``.

    Shape:
        x ``(batch, F, time)``, H ``(n_taps, F, G)`` -> ``(batch, G, time)``
    """
    _check_mimo(x, H)
    if x.shape[-1] == 0:  # an empty block while streaming
        return x.new_zeros(x.shape[0], H.shape[2], 0)
    if method == "auto":
        # conv1d's cost grows with the taps it multiplies, FFT's with the span it covers: a few
        # widely dilated taps stay on conv1d.
        method = "fft" if H.shape[0] >= FFT_MIN_SPAN else "conv"
    if method == "conv":
        return mimo_fir_conv(x, H, dilation, history)
    if method == "fft":
        return mimo_fir_fft(x, H, dilation, history)
    raise ValueError(f"method must be 'auto', 'conv' or 'fft', got {method!r}")


def side_by_side_taps(H: torch.Tensor) -> torch.Tensor:
    """The taps ``(n_taps, F, G)`` as one ``(F * n_taps, G)`` matrix for rows whose ``n_taps``
    shifted copies lie side by side, oldest first (``padded.unfold(1, context + 1, 1)[...,
    ::dilation]``): row (f, j) meets the copy ``S^(k d) x`` with ``k = n_taps - 1 - j``, so
    the taps come in reverse order. :func:`mimo_fir_rows` ``method="unfold"`` uses it
    (:class:`~audiocnn.layers.Int8MIMOFIR` lays whole rows side by side instead, taps first)."""
    return H.flip(0).permute(1, 0, 2).reshape(-1, H.shape[2])


def mimo_fir_rows(
    x: torch.Tensor,
    H: torch.Tensor,
    *,
    dilation: int = 1,
    history: torch.Tensor | None = None,
    bias: torch.Tensor | None = None,
    method: RowsMethod = "auto",
) -> torch.Tensor:
    """Causal MIMO FIR filter ``y = sum_k S^(k*dilation) x H[k]`` with time along the rows.

    This is the lab's equation as written: ``x`` holds one row of ``F`` features per sample,
    ``S`` shifts the rows down, and each tap is one matrix product of the shifted rows with
    ``H[k]`` (``method="taps"``). For signals that are made row by row (the spectral denoiser's
    features, one row per frame) it skips the two transposed copies that :func:`mimo_fir` needs
    and ``conv1d``'s slow path for some dilated filters (figures in ``docs/speed.md``). Without
    gradients it was faster than :func:`mimo_fir`'s FFT path for a 128-tap, 35-feature filter
    too (1.6-2.6 against 9-15 ms for 125 rows); with gradients, ``MIMOFIR.rows`` keeps the FFT
    path. Without gradients, each tap's product is added in place to the rows it reaches, the
    block's own rows and the history's taken apart: no padded copy of the input, and the
    ``bias`` is the first product's starting value. ``method="unfold"`` lays the ``n_taps``
    shifted copies side by side (``F * n_taps`` columns) and takes one product with all taps at
    once: one call instead of ``n_taps``, which ``"auto"`` takes for long filters on few rows
    (``UNFOLD_MIN_TAPS``, ``UNFOLD_MAX_VALUES``), as when a stream is fed a frame at a time; on
    more rows it takes ``method="conv"`` (:func:`mimo_fir_conv` on a channels-first copy).

    Args:
        history: the last ``(n_taps - 1) * dilation`` rows before ``x`` (streaming); zeros
            when ``None``.
        bias: ``(G,)``, added to every output row.

    Shape:
        x ``(batch, time, F)``, H ``(n_taps, F, G)``, history ``(batch, context, F)``
        -> ``(batch, time, G)``
    """
    if H.dim() != 3:
        raise ValueError(f"H must have shape (n_taps, F, G), got {tuple(H.shape)}")
    if x.dim() != 3 or x.shape[-1] != H.shape[1]:
        raise ValueError(f"x must have shape (batch, time, F={H.shape[1]}), got {tuple(x.shape)}")
    n_taps, n_in, n_out = H.shape
    context, time = (n_taps - 1) * dilation, x.shape[1]
    if method == "auto":
        small = x.shape[0] * time * n_in * n_taps <= UNFOLD_MAX_VALUES
        long = n_taps >= UNFOLD_MIN_TAPS
        method = ("unfold" if small else "conv") if long else "taps"
    if method not in ("taps", "unfold", "conv"):
        raise ValueError(f"method must be 'auto', 'taps', 'unfold' or 'conv', got {method!r}")
    if method == "taps" and not torch.is_grad_enabled():
        return _taps_in_place(x, H, dilation, history, bias)
    if method == "conv" and time:  # channels first; mimo_fir_conv pads and checks history
        past = None if history is None else history.transpose(1, 2)
        y = mimo_fir_conv(x.transpose(1, 2), H, dilation, past).transpose(1, 2)
        return y if bias is None else y + bias
    padded = _left_context(x, context, history, dim=1)
    if method == "taps":
        y = x @ H[0]  # S^0 x
        for k in range(1, n_taps):
            start = context - k * dilation  # row t of S^(k d) x is row t + start of padded
            # y + (S^(k d) x) H[k], the sum taken inside the product (baddbmm)
            y = torch.baddbmm(y, padded[:, start : start + time], H[k].expand(x.shape[0], -1, -1))
    elif time == 0:
        y = x.new_zeros(x.shape[0], 0, n_out)
    else:  # unfold
        shifted = padded.unfold(1, context + 1, 1)[..., ::dilation]  # (batch, time, F, n_taps)
        y = shifted.reshape(x.shape[0], time, n_in * n_taps) @ side_by_side_taps(H)
    return y if bias is None else y + bias


def _taps_in_place(
    x: torch.Tensor,
    H: torch.Tensor,
    dilation: int,
    history: torch.Tensor | None,
    bias: torch.Tensor | None,
) -> torch.Tensor:
    """:func:`mimo_fir_rows` ``method="taps"`` without gradients: one product per tap added in
    place to the output rows it reaches, from the block's rows and from the ``history``'s
    apart. On the spectral denoiser's gain network (1250 rows of 320 features, a 10 s block)
    this skips a padded copy and an output copy per tap and the bias's own pass
    (``docs/speed.md``)."""
    (batch, time, n_in), (n_taps, _, n_out) = x.shape, H.shape
    context = (n_taps - 1) * dilation
    check_history(history, (batch, context, n_in))
    if bias is None:
        y = x @ H[0]  # S^0 x
    else:  # the bias as the product's starting value
        y = torch.addmm(bias.to(x.dtype), x.reshape(batch * time, n_in), H[0])
        y = y.view(batch, time, n_out)
    for k in range(1, n_taps):
        shift, tap = k * dilation, H[k].expand(batch, -1, -1)
        if shift < time:  # output row t >= shift meets input row t - shift
            y[:, shift:].baddbmm_(x[:, : time - shift], tap)
        if history is not None:  # the earlier rows meet the history's last ones
            rows = min(shift, time)
            y[:, :rows].baddbmm_(
                history[:, context - shift : context - shift + rows].to(x.dtype), tap
            )
    return y


def mimo_fir_response(H: torch.Tensor, n_fft: int, dilation: int = 1) -> torch.Tensor:
    """The frequency response of the filter ``H (n_taps, F, G)`` at ``n_fft // 2 + 1`` bins,
    ``(F, G, bins)``, for :func:`mimo_fir_rows_fft` (which a layer may keep: it costs more
    than the filtering, 17 ms for 128 taps x 32 x 32 features at 2048 points)."""
    return torch.fft.rfft(_dilate_mimo(H, dilation).permute(1, 2, 0), n=n_fft)


def mimo_fir_rows_fft(
    x: torch.Tensor,
    response: torch.Tensor,
    n_fft: int,
    context: int,
    history: torch.Tensor | None = None,
) -> torch.Tensor:
    """:func:`mimo_fir_rows` by one FFT of the whole block per feature, given the filter's
    ``response`` at ``n_fft`` points (:func:`mimo_fir_response`): the block's rows after the
    ``context`` rows before it (``history``, or zeros) are transformed once, multiplied by the
    response and summed over the input features, and transformed back. The circular
    convolution wraps only onto the first ``context`` outputs, which are dropped, so ``n_fft``
    must be at least ``context + time``. For the spectral denoiser's context branch (128 taps x
    32 bands, 1250 rows: a 10 s block, caches flushed before each call) it took 2.3-2.9 ms
    against 5.2-6.0 for ``conv1d``, on one thread or two (``docs/speed.md``).

    Shape:
        x ``(batch, time, F)``, response ``(F, G, n_fft // 2 + 1)``, history
        ``(batch, context, F)`` -> ``(batch, time, G)``
    """
    time = x.shape[1]
    if response.dim() != 3 or response.shape[0] != x.shape[-1]:
        raise ValueError(
            f"response must have shape (F={x.shape[-1]}, G, bins), got {tuple(response.shape)}"
        )
    if response.shape[-1] != n_fft // 2 + 1 or n_fft < context + time:
        raise ValueError(
            f"n_fft {n_fft} must be at least context + time = {context + time} and match the "
            f"response's {response.shape[-1]} bins"
        )
    padded = _left_context(x, context, history, dim=1)
    spectrum = torch.fft.rfft(padded.transpose(1, 2), n=n_fft)  # (batch, F, bins)
    # summed over the input features 8 at a time: the whole (batch, F, G, bins) product at
    # once held 8 MB for the context branch and was slower
    product = sum(
        (spectrum[:, f : f + 8, None] * response[f : f + 8]).sum(1)
        for f in range(0, spectrum.shape[1], 8)
    )  # (batch, G, bins)
    return torch.fft.irfft(product, n=n_fft)[..., context : context + time].transpose(1, 2)


def fir_filter(x: torch.Tensor, h: torch.Tensor, *, method: Method = "auto") -> torch.Tensor:
    """Causal SISO FIR filter ``y = sum_k h[k] S^k x`` along the last axis.

    Shape:
        x ``(..., time)``, h ``(n_taps,)`` -> ``(..., time)``
    """
    if h.dim() != 1:
        raise ValueError(f"h must have shape (n_taps,), got {tuple(h.shape)}")
    if method == "auto":
        method = "fft" if h.shape[0] >= FFT_MIN_SPAN else "conv"
    if method == "fft":
        return fir_filter_fft(x, h)
    flat = x.reshape(-1, 1, x.shape[-1])
    return mimo_fir_conv(flat, h[:, None, None]).reshape(x.shape)


def depthwise_fir(
    x: torch.Tensor,
    h: torch.Tensor,
    *,
    history: torch.Tensor | None = None,
    stride: int = 1,
    start: int = 0,
) -> torch.Tensor:
    """A causal FIR filter per feature, no mixing: ``y_f = sum_k h[k, f] S^k x_f``.

    Args:
        stride, start: compute only outputs ``start, start + stride, ...`` (decimation without
            the wasted work).

    Shape:
        x ``(batch, F, time)``, h ``(n_taps, F)``, history ``(batch, F, n_taps - 1)``
        -> ``(batch, F, ceil((time - start) / stride))``
    """
    if h.dim() != 2 or x.dim() != 3 or h.shape[1] != x.shape[1]:
        raise ValueError(
            f"need x (batch, F, time) and h (n_taps, F); got {tuple(x.shape)}, {tuple(h.shape)}"
        )
    if x.shape[-1] <= start:
        return x.new_zeros(*x.shape[:2], 0)
    padded = _left_context(x, h.shape[0] - 1, history)[..., start:]
    return F.conv1d(padded, h.T.flip(-1)[:, None, :], stride=stride, groups=x.shape[1])


def _left_context(
    x: torch.Tensor, n: int, history: torch.Tensor | None, dim: int = -1
) -> torch.Tensor:
    """``x`` with the ``n`` samples before it along ``dim`` (time): ``history``, or zeros."""
    shape = list(x.shape)
    shape[dim] = n
    if history is None:
        return torch.cat([x.new_zeros(shape), x], dim=dim)
    check_history(history, shape)
    return torch.cat([history.to(x.dtype), x], dim=dim)


def check_history(history: torch.Tensor | None, shape) -> None:
    """Raise a ValueError unless ``history`` (a streaming filter's past input, or None) has
    ``shape``."""
    if history is not None and tuple(history.shape) != tuple(shape):
        raise ValueError(f"history must have shape {tuple(shape)}, got {tuple(history.shape)}")


def _dilate(h: torch.Tensor, dilation: int) -> torch.Tensor:
    if dilation == 1:
        return h
    out = h.new_zeros((h.shape[0] - 1) * dilation + 1)
    out[::dilation] = h
    return out


def _dilate_mimo(H: torch.Tensor, dilation: int) -> torch.Tensor:
    if dilation == 1:
        return H
    out = H.new_zeros((H.shape[0] - 1) * dilation + 1, *H.shape[1:])
    out[::dilation] = H
    return out
