"""The signal-processing core both tasks share: pure functions, no state, nothing of ours imported.

Two families live here:

* **Loop references**, written exactly as the course notebooks define them, in plain Python so a
  reader can check them by eye. They are slow on purpose and exist to prove the fast paths right.
* **Fast tensor paths** (``torch.nn.functional.conv1d`` and FFT convolution) for the same maths,
  batched and differentiable, channels-first ``(batch, features, time)``.

The filters follow the MIMO FIR lab's shift-operator notation. ``S`` is a one-sample delay that
shifts in a zero, so ``(S x)[n] = x[n - 1]`` and ``(S x)[0] = 0``: every filter here is causal.

* SISO FIR filter:  ``y = sum_k h[k] S^k x``
* MIMO FIR filter:  ``y = sum_k S^k x H[k]`` with ``x`` of ``F`` input features,
  ``H[k]`` an ``F x G`` matrix and ``y`` of ``G`` output features.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
import torch
import torch.nn.functional as F
import torchaudio.functional as AF

Method = Literal["auto", "conv", "fft"]

# Where the block-FFT path starts to beat the direct conv1d path, in samples spanned by the filter
# ((n_taps - 1) * dilation + 1). Measured with `python bench/dsp.py --crossover` on a 2-core x86
# CPU for 1->5, 5->1, 8->8 and 32->32 features: conv1d wins below ~16 taps, FFT from ~32 taps.
FFT_MIN_SPAN = 32
# FFT size per block, as a multiple of the filter's span: 8x spent the least time in that sweep.
FFT_SIZE_FACTOR = 8


# ----------------------------------------------------------------------------------------------
# Loop references (the course notebooks' definitions)
# ----------------------------------------------------------------------------------------------


def conv1d_reference(x: Sequence[float], kernel: Sequence[float], stride: int = 1) -> list[float]:
    """Valid sliding dot product of ``kernel`` over ``x`` (the Topic 9 notebook's loop).

    This is cross-correlation, as in every deep-learning library: the kernel is not flipped.

    Args:
        x: input samples.
        kernel: kernel taps; at most ``len(x)`` of them.
        stride: step between output positions, in samples.

    Returns:
        ``len(x) - len(kernel)) // stride + 1`` outputs; ``[1, 3, 5, 3, 1]`` with ``[1/3] * 3``
        gives ``[3.0, 3.667, 3.0]``.
    """
    if stride < 1:
        raise ValueError(f"stride must be >= 1, got {stride}")
    out = []
    for i in range(0, len(x) - len(kernel) + 1, stride):
        total = 0.0
        for j in range(len(kernel)):
            total += kernel[j] * x[i + j]
        out.append(total)
    return out


def max_pool1d_reference(x: Sequence[float], stride: int = 1) -> list[float]:
    """Max over consecutive windows of ``stride`` samples; a short last window is kept.

    ``[1, 3, 5, 7, 9, 11]`` with stride 3 gives ``[5, 11]`` (the Topic 9 notebook's loop).
    """
    if stride < 1:
        raise ValueError(f"stride must be >= 1, got {stride}")
    return [max(x[i : i + stride]) for i in range(0, len(x), stride)]


def conv2d_reference(W: np.ndarray, b: np.ndarray, data: np.ndarray) -> np.ndarray:
    """Multi-channel valid 2D convolution with bias (the FashionMNIST notebook's loop).

    Args:
        W: weights, shape ``(out_channels, in_channels, kernel_width, kernel_height)``.
        b: bias, shape ``(out_channels,)``.
        data: input, shape ``(in_channels, width, height)``.

    Returns:
        Array of shape ``(out_channels, width - kernel_width + 1, height - kernel_height + 1)``.
    """
    out_channels, in_channels, kernel_width, kernel_height = W.shape
    if data.shape[0] != in_channels:
        raise ValueError(f"data has {data.shape[0]} channels, W expects {in_channels}")
    _, width, height = data.shape
    out = np.zeros((out_channels, width - kernel_width + 1, height - kernel_height + 1))
    for i in range(width - kernel_width + 1):
        for j in range(height - kernel_height + 1):
            patch = data[:, i : i + kernel_width, j : j + kernel_height]
            for o in range(out_channels):
                out[o, i, j] = np.sum(patch * W[o]) + b[o]
    return out


def conv_output_length(
    n: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1
) -> int:
    """Output length of a convolution or pooling layer (PyTorch's formula).

    ``floor((n + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1)``
    """
    span = dilation * (kernel - 1) + 1
    if n + 2 * padding < span:
        raise ValueError(f"input of {n} samples (+2*{padding} padding) is shorter than {span}")
    return (n + 2 * padding - span) // stride + 1


def conv1d_max_pool(
    x: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None,
    *,
    padding: int,
    pool: int,
    pool_padding: int = 0,
) -> torch.Tensor:
    """``max_pool1d(conv1d(x, weight, bias, padding=padding), pool, padding=pool_padding)``
    with a backward pass that only visits the pooled maxima.

    The result and its gradients equal PyTorch's two layers (the same maxima, ties to the
    first); ``relu`` commutes with the max, so ``relu(conv1d_max_pool(...))`` is the genre
    notebook's ``pool(relu(conv(x)))``. Through the max, only one convolution output in
    ``pool`` gets a gradient, so the weight gradient is summed over those positions alone
    instead of the whole signal: 16x less work in the notebook's first layer, whose 65536-sample
    weight gradient is most of a training step.

    Shape:
        x ``(batch, in_channels, time)``, weight ``(out_channels, in_channels, taps)`` ->
        ``(batch, out_channels, pooled)``, pooled as ``max_pool1d`` gives it.
    """
    return _ConvMaxPool.apply(x, weight, bias, padding, pool, pool_padding)


class _ConvMaxPool(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, weight, bias, padding, pool, pool_padding):
        # The pool's padding is taken into the convolution's: its outputs there are set to
        # -inf, then each pool window is one row of a view, and its max (with the index) a
        # reduction over that row. This is max_pool1d's result, about 1.4x faster than its
        # CPU kernel on the notebook's first layer (64 x 10 x 65536 outputs).
        padding += pool_padding
        padded = F.pad(x, (padding, padding))
        convolved = F.conv1d(padded, weight, bias)
        if pool_padding:
            convolved[..., :pool_padding] = -math.inf
            convolved[..., -pool_padding:] = -math.inf
        n_pooled = (convolved.shape[-1] - pool) // pool + 1
        values, index = convolved[..., : n_pooled * pool].unflatten(-1, (n_pooled, pool)).max(-1)
        index += torch.arange(0, n_pooled * pool, pool, device=index.device)
        ctx.save_for_backward(padded, weight, index)
        ctx.padding = padding
        ctx.has_bias = bias is not None
        return values

    @staticmethod
    def backward(ctx, grad):
        padded, weight, index = ctx.saved_tensors
        grad_x = grad_w = grad_b = None
        batch, out_channels, taps = grad.shape[0], weight.shape[0], weight.shape[-1]
        if ctx.needs_input_grad[1]:
            # dW[c, i, k] = sum over the maxima (b, c, j) of grad * padded[b, i, index + k]:
            # the taps-long rows of the input at the maxima, picked as rows (one index_select)
            # from a view in which row r is padded.flatten()[r : r + taps].
            in_channels, length = padded.shape[1], padded.shape[-1]
            flat = padded.contiguous().reshape(-1)
            rows = flat.as_strided((flat.numel() - taps + 1, taps), (1, 1))
            starts = torch.arange(batch * in_channels, device=grad.device) * length
            starts = index[..., None] + starts.view(batch, 1, 1, in_channels)
            picked = rows.index_select(0, starts.reshape(-1)).view(*index.shape, in_channels, taps)
            grad_w = torch.einsum("bcj,bcjik->cik", grad, picked)
        if ctx.has_bias and ctx.needs_input_grad[2]:
            grad_b = grad.sum((0, 2))
        if ctx.needs_input_grad[0]:
            # The maxima are distinct positions of the convolution's output: scatter, then
            # the convolution's own input gradient.
            dense = grad.new_zeros(batch, out_channels, padded.shape[-1] - taps + 1)
            dense.scatter_(2, index, grad)
            grad_padded = F.conv_transpose1d(dense, weight)
            grad_x = grad_padded[..., ctx.padding : padded.shape[-1] - ctx.padding]
        return grad_x, grad_w, grad_b, None, None, None


def shift(x: torch.Tensor, k: int = 1) -> torch.Tensor:
    """Apply the delay operator ``S^k`` along the last axis: shift right, zeros in.

    Shape:
        ``(..., time)`` -> ``(..., time)``
    """
    if k == 0:
        return x
    if k >= x.shape[-1]:
        return torch.zeros_like(x)
    return F.pad(x[..., : x.shape[-1] - k], (k, 0))


def fir_filter_reference(x: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
    """``y = sum_k h[k] S^k x``, one shifted copy per tap (the lab's Task 1 loop).

    Shape:
        x ``(..., time)``, h ``(n_taps,)`` -> ``(..., time)``
    """
    y = torch.zeros_like(x)
    for k in range(h.shape[0]):
        y = y + h[k] * shift(x, k)
    return y


def mimo_fir_reference(x: torch.Tensor, H: torch.Tensor, dilation: int = 1) -> torch.Tensor:
    """``y = sum_k S^(k*dilation) x H[k]``, one shifted copy per tap (the lab's Task 2 loop).

    Unlike the lab's ``MIMO_convolution_1D``, which zeroes ``signal[:, 0]`` and so on a batch of
    shape ``(batch, 1, time)`` wipes the whole channel after the first tap, the delay here acts on
    the time axis only, so every item of a batch follows the equation.

    Shape:
        x ``(batch, F, time)``, H ``(n_taps, F, G)`` -> ``(batch, G, time)``
    """
    y = x.new_zeros(x.shape[0], H.shape[2], x.shape[-1])
    for k in range(H.shape[0]):
        y = y + torch.einsum("bft,fg->bgt", shift(x, k * dilation), H[k])
    return y


# ----------------------------------------------------------------------------------------------
# Fast paths
# ----------------------------------------------------------------------------------------------


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
    taps = _dilate_mimo(H, dilation)  # (span, F, G)
    spectrum = torch.fft.rfft(frames, n=n_fft)  # (batch, F, blocks, bins)
    response = torch.fft.rfft(taps.permute(1, 2, 0), n=n_fft)  # (F, G, bins)
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


def _left_context(x: torch.Tensor, n: int, history: torch.Tensor | None) -> torch.Tensor:
    if history is None:
        return F.pad(x, (n, 0))
    if history.shape[-1] != n or history.shape[:-1] != x.shape[:-1]:
        raise ValueError(
            f"history must have shape {(*x.shape[:-1], n)}, got {tuple(history.shape)}"
        )
    return torch.cat([history.to(x.dtype), x], dim=-1)


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
