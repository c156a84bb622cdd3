"""The signal-processing core both tasks share: pure functions, no state, nothing of ours imported.

Five modules, one import (``from audiocnn import dsp``):

* :mod:`~audiocnn.dsp.reference`: **loop references**, written exactly as the course notebooks
  define them, in plain Python so a reader can check them by eye. They are slow on purpose and
  exist to prove the fast paths right.
* :mod:`~audiocnn.dsp.fir`: **fast tensor paths** (``torch.nn.functional.conv1d`` and FFT
  convolution) for the same maths, batched and differentiable, channels-first
  ``(batch, features, time)``; and the MIMO FIR filter on time-major ``(batch, time,
  features)`` rows, one matrix product per tap (the lab's ``S^k x H[k]`` as written).
* :mod:`~audiocnn.dsp.pool`: the genre seed network's Conv1d + max-pool, fused.
* :mod:`~audiocnn.dsp.noise_floor`: streaming trackers of each band's noise floor and of the
  level so far (what a classical noise suppressor knows), for the denoiser's inputs.
* :mod:`~audiocnn.dsp.voicing`: how much of a recording has a pitch (a voice, a call, an
  alarm), for the rule that keeps clean speech.

The filters follow the MIMO FIR lab's shift-operator notation. ``S`` is a one-sample delay that
shifts in a zero, so ``(S x)[n] = x[n - 1]`` and ``(S x)[0] = 0``: every filter here is causal.

* SISO FIR filter:  ``y = sum_k h[k] S^k x``
* MIMO FIR filter:  ``y = sum_k S^k x H[k]`` with ``x`` of ``F`` input features,
  ``H[k]`` an ``F x G`` matrix and ``y`` of ``G`` output features.
"""

from audiocnn.dsp.fir import (
    FFT_MIN_SPAN,
    FFT_SIZE_FACTOR,
    UNFOLD_MIN_TAPS,
    Method,
    check_history,
    depthwise_fir,
    fir_filter,
    fir_filter_fft,
    mimo_fir,
    mimo_fir_conv,
    mimo_fir_fft,
    mimo_fir_response,
    mimo_fir_rows,
    mimo_fir_rows_fft,
    side_by_side_taps,
)
from audiocnn.dsp.noise_floor import noise_floor, running_level
from audiocnn.dsp.pool import conv1d_max_pool, conv_output_length
from audiocnn.dsp.reference import (
    conv1d_reference,
    conv2d_reference,
    fir_filter_reference,
    max_pool1d_reference,
    mimo_fir_reference,
    shift,
)
from audiocnn.dsp.voicing import pitch_strength, voiced_share

__all__ = [
    "FFT_MIN_SPAN",
    "FFT_SIZE_FACTOR",
    "UNFOLD_MIN_TAPS",
    "Method",
    "check_history",
    "conv1d_max_pool",
    "conv1d_reference",
    "conv2d_reference",
    "conv_output_length",
    "depthwise_fir",
    "fir_filter",
    "fir_filter_fft",
    "fir_filter_reference",
    "max_pool1d_reference",
    "mimo_fir",
    "mimo_fir_conv",
    "mimo_fir_fft",
    "mimo_fir_reference",
    "mimo_fir_response",
    "mimo_fir_rows",
    "mimo_fir_rows_fft",
    "noise_floor",
    "pitch_strength",
    "running_level",
    "shift",
    "side_by_side_taps",
    "voiced_share",
]
