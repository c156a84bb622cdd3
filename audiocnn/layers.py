"""Modules that hold filter taps and call :mod:`audiocnn.dsp`; the lab's Tasks 1-3.

Every layer is causal, so a network of them can be run on a long signal in blocks: pass the
``state`` a previous call returned and the output equals processing the whole signal at once.
"""

from __future__ import annotations

import copy
import math
import warnings
from collections.abc import Sequence

import torch
from torch import nn

from audiocnn import dsp

# Streaming state of a network: for each layer, the last input samples it saw.
State = list[torch.Tensor]


class FIRFilter(nn.Module):
    """Single-channel causal FIR filter ``y = sum_k h[k] S^k x`` (the lab's Task 1 layer).

    Taps start at ones, as in the lab.

    Shape:
        ``(..., time)`` -> ``(..., time)``
    """

    def __init__(self, n_taps: int) -> None:
        super().__init__()
        if n_taps < 1:
            raise ValueError(f"n_taps must be >= 1, got {n_taps}")
        self.taps = nn.Parameter(torch.ones(n_taps))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return dsp.fir_filter(x, self.taps)

    def extra_repr(self) -> str:
        return f"n_taps={self.taps.shape[0]}"


class MIMOFIR(nn.Module):
    """Causal MIMO FIR filter ``y = sum_k S^(k*d) x H[k]`` (the lab's Task 2 layer).

    Taps are stored as ``(n_taps, F, G)``, the equation's layout. ``init="lab"`` draws them as
    the lab does (``xavier_normal_`` on a ``(n_taps, G, F)`` tensor), which counts ``G * F`` as
    the fan-in: 0.011 standard deviation for 128 x 128 filters, too small for a deep wide stack
    to learn through. ``init="fan"`` draws from N(0, 2 / (n_taps * (F + G))), a filter's real
    fan-in and fan-out.

    Args:
        in_features: ``F``, features of the input.
        out_features: ``G``, features of the output.
        n_taps: taps per filter.
        dilation: spacing between taps, in samples.
        bias: add a learned constant per output feature (the lab has none).
        init: ``"lab"`` (the default) or ``"fan"``, see above.

    Shape:
        ``(batch, F, time)`` -> ``(batch, G, time)``
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        n_taps: int,
        *,
        dilation: int = 1,
        bias: bool = False,
        init: str = "lab",
    ) -> None:
        super().__init__()
        if min(in_features, out_features, n_taps, dilation) < 1:
            raise ValueError("in_features, out_features, n_taps and dilation must all be >= 1")
        taps = torch.empty(n_taps, out_features, in_features)
        if init == "lab":
            nn.init.xavier_normal_(taps)
        elif init == "fan":
            nn.init.normal_(taps, 0.0, math.sqrt(2.0 / (n_taps * (in_features + out_features))))
        else:
            raise ValueError(f"init must be 'lab' or 'fan', not {init!r}")
        self.taps = nn.Parameter(taps.transpose(1, 2).contiguous())
        self.bias = nn.Parameter(torch.zeros(out_features)) if bias else None
        self.dilation = dilation
        self._responses: dict = {}  # kept frequency responses (rows on long blocks)

    @property
    def context(self) -> int:
        """Past input samples the layer needs: ``(n_taps - 1) * dilation``."""
        return (self.taps.shape[0] - 1) * self.dilation

    def forward(self, x: torch.Tensor, history: torch.Tensor | None = None) -> torch.Tensor:
        y = dsp.mimo_fir(x, self.taps, dilation=self.dilation, history=history)
        return y if self.bias is None else y + self.bias[:, None]

    def rows(self, x: torch.Tensor, history: torch.Tensor | None = None) -> torch.Tensor:
        """The same filter on time-major ``(batch, time, F)`` rows -> ``(batch, time, G)``
        (``history``: ``(batch, context, F)``). Long filters go through :meth:`forward`'s FFT
        path while training. Without gradients (inference, streaming) a long filter on a block
        of at least half as many rows as it has taps goes by one FFT a block, with its
        frequency response kept from call to call (:meth:`_response`): for the spectral
        denoiser's 1 s context branch (128 taps x 32 features, one thread) 0.7 against 2.3 ms
        for 190 rows (a 1.5 s file) and 3.4 against 6.1 for 1250 (a 10 s block); at 32 rows
        the two were even (``docs/speed.md``). Other blocks and filters go through
        :func:`dsp.mimo_fir_rows`."""
        n_taps = self.taps.shape[0]
        if n_taps >= dsp.FFT_MIN_SPAN and torch.is_grad_enabled():
            past = None if history is None else history.transpose(1, 2)
            return self(x.transpose(1, 2), past).transpose(1, 2)
        if n_taps >= dsp.UNFOLD_MIN_TAPS and x.shape[1] >= n_taps // 2:
            n_fft = 1 << math.ceil(math.log2(self.context + x.shape[1]))
            response = self._response(n_fft, x.dtype)
            y = dsp.mimo_fir_rows_fft(x, response, n_fft, self.context, history)
            return y if self.bias is None else y + self.bias
        return dsp.mimo_fir_rows(
            x, self.taps, dilation=self.dilation, history=history, bias=self.bias
        )

    def _response(self, n_fft: int, dtype: torch.dtype) -> torch.Tensor:
        """The taps' frequency response at ``n_fft`` points (:func:`dsp.mimo_fir_response`),
        kept until the taps change (an optimiser step or loading weights changes their
        version): computing it took longer than filtering a 10 s block with it."""
        key = (n_fft, dtype, self.taps.device)
        version = (self.taps._version, self.taps.data_ptr())
        kept = self._responses.get(key)
        if kept is None or kept[0] != version:
            if len(self._responses) >= 6:  # FFT sizes are powers of two: few of them
                self._responses.clear()
            taps = self.taps.detach().to(dtype)
            self._responses[key] = kept = (
                version,
                dsp.mimo_fir_response(taps, n_fft, self.dilation),
            )
        return kept[1]

    def extra_repr(self) -> str:
        n_taps, in_features, out_features = self.taps.shape
        return f"{in_features}, {out_features}, n_taps={n_taps}, dilation={self.dilation}"


class Int8MIMOFIR(nn.Module):
    """A trained :class:`MIMOFIR` for inputs within [-1, 1] (a tanh's outputs) with int8
    products, for inference on a CPU: its taps as int8 (one scale per output feature) and its
    inputs quantised to 7 bits per call (``torch.ao``'s dynamic quantisation, fbgemm on x86).

    The ``n_taps`` shifted copies of the rows are laid side by side, oldest first, and taken
    through one int8 product; each copy is a block of whole rows, written straight from the
    input and the history (no padded copy). Dynamic quantisation scales each
    call's inputs by their own range, which would make a row's output depend on the rows it
    came with; a first row holding 1 and -1 pins that range to [-1, 1], so each output row
    depends on its own inputs alone and streaming in blocks still equals the whole signal.
    Its output differs from the float32 layer's by the 7-bit rounding: about 1% of its range
    on random inputs (``python bench/dsp.py --int8``); what a trained network loses is
    measured in ``docs/speed.md``.

    Shape:
        ``(batch, time, F)`` rows -> ``(batch, time, G)``; needs ``F >= 2``
    """

    def __init__(self, layer: MIMOFIR) -> None:
        super().__init__()
        from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

        taps = layer.taps.detach().float()
        n_taps, n_in, n_out = taps.shape
        if n_in < 2:
            raise ValueError(f"int8 products need at least 2 input features, got {n_in}")
        self.register_buffer("taps", taps, persistent=False)  # its shape, for the state
        self.dilation = layer.dilation
        linear = nn.Linear(n_in * n_taps, n_out, bias=layer.bias is not None)
        with torch.no_grad():
            # column block j meets the copy delayed by k d, k = n_taps - 1 - j
            linear.weight.copy_(taps.flip(0).reshape(n_taps * n_in, n_out).T)
            if layer.bias is not None:
                linear.bias.copy_(layer.bias.detach())
        with warnings.catch_warnings():  # eager-mode quantisation is moving to torchao
            warnings.simplefilter("ignore")
            self.product = quantize_dynamic(
                nn.Sequential(linear), {nn.Linear: per_channel_dynamic_qconfig}, torch.qint8
            )

    @property
    def context(self) -> int:
        return (self.taps.shape[0] - 1) * self.dilation

    def rows(self, x: torch.Tensor, history: torch.Tensor | None = None) -> torch.Tensor:
        batch, time, features = x.shape
        n_taps, context = self.taps.shape[0], self.context
        dsp.check_history(history, (batch, context, features))
        side = x.new_empty(batch, time + 1, n_taps * features, dtype=torch.float32)
        side[:, 0] = 0.0
        side[:, 0, 0], side[:, 0, 1] = 1.0, -1.0  # the pin row; its output row is dropped
        for j in range(n_taps):
            shift = (n_taps - 1 - j) * self.dilation  # row t holds input row t - shift
            block = side[:, 1:, j * features : (j + 1) * features]
            block[:, shift:] = x[:, : max(0, time - shift)]
            rows = min(shift, time)  # the earlier rows: the history's last ones, or silence
            if history is None:
                block[:, :rows] = 0.0
            else:
                block[:, :rows] = history[:, context - shift : context - shift + rows]
        return self.product(side)[:, 1:].to(x.dtype)

    def forward(self, x: torch.Tensor, history: torch.Tensor | None = None) -> torch.Tensor:
        past = None if history is None else history.transpose(1, 2)
        return self.rows(x.transpose(1, 2), past).transpose(1, 2)

    def extra_repr(self) -> str:
        n_taps, in_features, out_features = self.taps.shape
        return f"{in_features}, {out_features}, n_taps={n_taps}, dilation={self.dilation}, int8"


class FIRCNN(nn.Module):
    """Single-channel FIR CNN: FIR filters with tanh between layers (the lab's Task 1).

    Shape:
        ``(..., time)`` -> ``(..., time)``
    """

    def __init__(self, n_taps: Sequence[int]) -> None:
        super().__init__()
        if not n_taps:
            raise ValueError("n_taps needs one entry per layer")
        self.layers = nn.ModuleList(FIRFilter(k) for k in n_taps)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < len(self.layers) - 1:
                x = torch.tanh(x)
        return x


class MIMOFIRCNN(nn.Module):
    """MIMO FIR CNN: MIMO FIR filters, tanh between layers, none after the last (the lab's Task 3).

    Args:
        n_taps: ``[K1, ..., KL]``, taps of each layer.
        n_features: ``[F0, ..., FL]``, features entering the first layer and leaving each layer.
        dilations: spacing between taps per layer; all 1 (the lab) by default.
        bias: give each layer a bias.
        init: how every layer draws its taps (:class:`MIMOFIR`).

    Shape:
        ``(batch, F0, time)`` -> ``(batch, FL, time)``
    """

    def __init__(
        self,
        n_taps: Sequence[int],
        n_features: Sequence[int],
        *,
        dilations: Sequence[int] | None = None,
        bias: bool = False,
        init: str = "lab",
    ) -> None:
        super().__init__()
        dilations = list(dilations) if dilations is not None else [1] * len(n_taps)
        if not n_taps or len(n_features) != len(n_taps) + 1 or len(dilations) != len(n_taps):
            raise ValueError(
                f"{len(n_taps)} layers need {len(n_taps) + 1} n_features and {len(n_taps)} "
                f"dilations, got {len(n_features)} and {len(dilations)}"
            )
        self.layers = nn.ModuleList(
            MIMOFIR(
                n_features[i],
                n_features[i + 1],
                n_taps[i],
                dilation=dilations[i],
                bias=bias,
                init=init,
            )
            for i in range(len(n_taps))
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.stream(x, None)[0]

    def initial_state(
        self, batch: int, *, dtype: torch.dtype = torch.float32, rows: bool = False
    ) -> State:
        """Silence before the signal: zeros of each layer's input context (``rows``: laid out
        as :meth:`stream` with ``rows=True`` keeps it)."""
        shapes = [(layer.taps.shape[1], layer.context) for layer in self.layers]
        return [torch.zeros(batch, *(s[::-1] if rows else s), dtype=dtype) for s in shapes]

    def stream(
        self, x: torch.Tensor, state: State | None, *, rows: bool = False
    ) -> tuple[torch.Tensor, State]:
        """Filter one block of a longer signal.

        Args:
            x: the next block, ``(batch, F0, time)``; with ``rows``, ``(batch, time, F0)``
                (:meth:`MIMOFIR.rows`: one matrix product per tap, no transposed copies).
            state: what the previous call returned (with the same ``rows``); ``None`` for the
                first block.

        Returns:
            The output block, laid out as ``x``, and the state to pass with the next block.
        """
        new_state: State = []
        for i, layer in enumerate(self.layers):
            history = None if state is None else state[i]
            new_state.append(next_history(x, history, layer.context, dim=1 if rows else -1))
            x = layer.rows(x, history) if rows else layer(x, history)
            if i < len(self.layers) - 1:
                x = torch.tanh(x) if torch.is_grad_enabled() else tanh_in_place(x)
        return x, new_state


def tanh_in_place(x: torch.Tensor) -> torch.Tensor:
    """``tanh(x)`` written over ``x``, as ``2 sigmoid(2 x) - 1``: torch's vectorised sigmoid
    is about 3.5x faster than its tanh on a CPU (AVX2), and the four passes together took 0.48
    against 0.96 ms for 1250 x 320 values on 2 threads. It differs from ``torch.tanh`` by
    at most 2e-7. For inference: autograd would keep the sigmoid form's intermediates."""
    return x.mul_(2).sigmoid_().mul_(2).sub_(1)


def int8_products(cnn: MIMOFIRCNN) -> MIMOFIRCNN:
    """A copy of a trained :class:`MIMOFIRCNN` whose layers after the first (their inputs are
    tanh outputs, within [-1, 1]) take int8 products (:class:`Int8MIMOFIR`); the first, whose
    inputs have no such bound, stays as it is. For inference only."""
    quantised = copy.deepcopy(cnn)
    for i in range(1, len(cnn.layers)):
        quantised.layers[i] = Int8MIMOFIR(cnn.layers[i])
    return quantised


def next_history(
    x: torch.Tensor, previous: torch.Tensor | None, n: int, *, dim: int = -1
) -> torch.Tensor:
    """The last ``n`` samples (along ``dim``, time) of ``previous`` followed by ``x``: the
    history a causal filter of context ``n`` needs for the next block (zeros before the start
    of the signal)."""
    # (x alone holds the last n samples when it is that long: no copy)
    length = x.shape[dim]
    joined = x if previous is None or length >= n else torch.cat([previous, x], dim=dim)
    have = joined.shape[dim]
    if have >= n:
        return joined.narrow(dim, have - n, n)
    shape = list(joined.shape)
    shape[dim] = n - have
    return torch.cat([joined.new_zeros(shape), joined], dim=dim)
