"""The genre seed network's block, fused: a Conv1d and the max-pool after it, with a backward
pass that visits only the pooled maxima."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F


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
