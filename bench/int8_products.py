"""Would int8 products pay for a wider gain network? One hidden layer's product, float32 and int8.

    python bench/int8_products.py [--widths 256 320 384] [--frames 32 1250] [--threads 1]
                                  [--rounds 20] [--busy N]

The denoiser's gain network spends most of its time in the products of its four dilated
hidden layers: per frame, ``taps * width`` inputs (the layer's taps side by side) times a
``(taps * width, width)`` matrix. This times that product for each width and block length
(``--frames``: 32 frames is a quarter of a second at 16 kHz, 1250 is the CLI's 10 s block),
in float32 (``torch.nn.Linear``, as the network runs now) and with int8 weights and
activations quantised per call (``quantize_dynamic``, fbgemm), interleaved round by round;
best and median ms. The reference is float32 at the first width (today's network), timed in
the same run: every row prints its median as a multiple of it. ``error`` is the int8 output's
largest difference from float32's, over the float32 output's largest magnitude, on random
inputs and taps drawn as the network's are (``1/sqrt(fan-in)``): what quantising costs before
any training, not what it costs a trained network's SI-SDR.

A probe for issue 16 (session 40): it changes nothing in the package.
"""

from __future__ import annotations

import audiocnn  # noqa: F401  (first: sets OpenMP's wait policy before torch loads)

# isort: split
import argparse
import statistics
import time
import warnings

import torch
from busy import add_busy_option, each_condition
from torch.ao.quantization import quantize_dynamic

TAPS = 3  # the dilated hidden layers' taps


def layer_pair(width: int) -> tuple[torch.nn.Module, torch.nn.Module]:
    """A float32 layer of this width and its int8 copy (same taps)."""
    fan_in = TAPS * width
    linear = torch.nn.Linear(fan_in, width)
    with torch.no_grad():
        linear.weight.uniform_(-(fan_in**-0.5), fan_in**-0.5)
    with warnings.catch_warnings():  # eager-mode quantisation says it will move to torchao
        warnings.simplefilter("ignore")
        int8 = quantize_dynamic(torch.nn.Sequential(linear), {torch.nn.Linear}, torch.qint8)
    return linear, int8


def time_ms(layer: torch.nn.Module, rows: torch.Tensor, calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        layer(rows)
    return (time.perf_counter() - start) / calls * 1e3


def measure(widths: list[int], frames: list[int], rounds: int) -> None:
    generator = torch.Generator().manual_seed(0)
    for n in frames:
        calls = max(1, 2000 // n)  # about the same work a round at every length
        cases = {}
        for width in widths:
            linear, int8 = layer_pair(width)
            rows = torch.randn(n, TAPS * width, generator=generator).tanh()
            with torch.no_grad():
                exact, quantised = linear(rows), int8(rows)
            error = float((quantised - exact).abs().max() / exact.abs().max())
            cases[width] = (linear, int8, rows, error)
        times: dict[tuple[int, str], list[float]] = {}
        with torch.no_grad():
            for _ in range(rounds):  # interleaved: a slow moment hits every case alike
                for width, (linear, int8, rows, _) in cases.items():
                    for kind, layer in (("float32", linear), ("int8", int8)):
                        times.setdefault((width, kind), []).append(time_ms(layer, rows, calls))
        reference = statistics.median(times[(widths[0], "float32")])
        print(f"\n{n} frames a call; reference: float32 at width {widths[0]}")
        header = ("width", "kind", "best ms", "median ms", "x ref", "error")
        print(" ".join(f"{h:>{w}}" for h, w in zip(header, (6, 8, 9, 10, 7, 9), strict=True)))
        for (width, kind), values in times.items():
            median = statistics.median(values)
            error = f"{cases[width][3]:.2e}" if kind == "int8" else ""
            print(
                f"{width:>6} {kind:>8} {min(values):>9.3f} {median:>10.3f} "
                f"{median / reference:>7.2f} {error:>9}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--widths", type=int, nargs="+", default=[256, 320, 384])
    parser.add_argument("--frames", type=int, nargs="+", default=[32, 1250])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=20)
    add_busy_option(parser)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"one hidden layer's product ({TAPS} taps), {args.threads} thread(s)")
    each_condition(args.busy, lambda: measure(args.widths, args.frames, args.rounds))


if __name__ == "__main__":
    main()
