"""Loop references, written exactly as the course notebooks define them, in plain Python so a
reader can check them by eye. They are slow on purpose and exist to prove the fast paths right."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F


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
