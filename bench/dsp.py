"""Benchmark the MIMO FIR paths on 60 s of 16 kHz audio, all timed in one run.

    python bench/dsp.py               # the lab's shape and a wide shape
    python bench/dsp.py --crossover   # conv1d vs FFT over filter lengths (sets dsp.FFT_MIN_SPAN)
    python bench/dsp.py --busy 1      # every table idle, then with one core taken
    python bench/dsp.py --rows        # the denoiser's gain network: channels-first vs rows
    python bench/dsp.py --int8        # one hidden layer of it: float32 against int8, by width

Prints seconds per call (best of --repeat) and ratios against the lab's per-tap roll loop, the
reference timed in the same run. Targets (issue 2): auto >= 5x faster than the roll loop, and
within 10% of the faster of conv1d / FFT on each shape.

``--rows`` times the shipped denoiser's gain network on 10 s of frames (1250 rows of its
inputs) as it ran until session 22 (``conv1d`` on a channels-first copy, the output copied back
to rows) and as it runs now (``MIMOFIRCNN.stream(rows=True)``: one matrix product per tap),
interleaved, best and median of 3 x --repeat rounds.

``--int8`` asks whether int8 products would pay for a wider gain network (issue 16, sessions
40-41). For one hidden layer (3 taps, ``width`` features in and out) at widths 256 (the
shipped network), 320 and 384, on 32 frames (a quarter of a second at 16 kHz) and 1250 (the
CLI's 10 s block), it times ``dsp.mimo_fir_rows`` in float32, as the network runs it, against
``layers.Int8MIMOFIR``, as ``--int8`` runs it: the three shifted copies laid side by side and
one product with int8 taps (one scale per output feature) and 7-bit inputs pinned to [-1, 1]
(``quantize_dynamic``, fbgemm). Medians of 3 x --repeat interleaved rounds, each as a multiple
of float32 at width 256 timed in the same run. ``error``: the int8 output's largest difference
from float32's over float32's largest magnitude, on random rows and taps drawn as the
network's are: what quantising costs before any training (what it costs a trained network's
SI-SDR: ``docs/speed.md``).
"""

from __future__ import annotations

import audiocnn  # noqa: F401  (first: sets OpenMP's wait policy before torch loads)

# isort: split
import argparse
import statistics
import time
from collections.abc import Callable

import torch
from busy import add_busy_option, each_condition

from audiocnn import dsp, runtime

SAMPLE_RATE = 16_000
SECONDS = 60


def lab_roll_loop(signal: torch.Tensor, filter: torch.Tensor) -> torch.Tensor:
    """The lab's MIMO_convolution_1D on one (F, time) signal; filter (K, G, F)."""
    z = torch.zeros((filter.shape[1], signal.shape[-1]))
    for k in range(filter.shape[0]):
        z = z + torch.matmul(filter[k], signal)
        signal = signal.roll(1)
        signal[:, 0] = 0
    return z


def interleaved_times(
    fns: dict[str, Callable[[], torch.Tensor]], rounds: int
) -> dict[str, list[float]]:
    """Seconds per call of each candidate over ``rounds`` rounds, the candidates interleaved
    round by round so that a slow spell of the machine hits all of them alike."""
    for fn in fns.values():
        fn()  # warm-up
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return times


def best_times(fns: dict[str, Callable[[], torch.Tensor]], repeat: int) -> dict[str, float]:
    """Best-of-``repeat`` seconds per call, interleaved (:func:`interleaved_times`)."""
    return {name: min(ts) for name, ts in interleaved_times(fns, repeat).items()}


def bench_network(n_features: list[int], n_taps: int, repeat: int) -> dict[str, float]:
    """Time a stack of MIMO FIR layers (tanh between them) on 60 s of one signal."""
    g = torch.Generator().manual_seed(0)
    x = torch.randn(1, n_features[0], SAMPLE_RATE * SECONDS, generator=g)
    taps = [
        torch.randn(n_taps, f, g_, generator=g) / (n_taps * f) ** 0.5
        for f, g_ in zip(n_features[:-1], n_features[1:], strict=True)
    ]
    lab_filters = [H.transpose(1, 2).contiguous() for H in taps]  # the lab's (K, G, F) layout

    def lab() -> torch.Tensor:
        y = x[0].clone()
        for i, H in enumerate(lab_filters):
            y = lab_roll_loop(y, H)
            y = torch.tanh(y) if i < len(lab_filters) - 1 else y
        return y

    def ours(method: dsp.Method) -> torch.Tensor:
        y = x
        for i, H in enumerate(taps):
            y = dsp.mimo_fir(y, H, method=method)
            y = torch.tanh(y) if i < len(taps) - 1 else y
        return y

    with torch.no_grad():
        torch.testing.assert_close(lab(), ours("auto")[0], rtol=1e-3, atol=1e-4)
        candidates = {
            "roll loop (lab)": lab,
            "conv1d": lambda: ours("conv"),
            "fft": lambda: ours("fft"),
            "auto": lambda: ours("auto"),
        }
        return best_times(candidates, repeat)


def gain_network(repeat: int) -> None:
    from audiocnn.denoise.pipeline import load_denoiser

    net = load_denoiser()[0].gains
    g = torch.Generator().manual_seed(0)
    rows = torch.randn(1, 1250, net.layers[0].taps.shape[1], generator=g)

    def channels_first() -> torch.Tensor:
        y, _ = net.stream(rows.transpose(1, 2), None)
        return y.transpose(1, 2).contiguous()

    def time_major() -> torch.Tensor:
        return net.stream(rows, None, rows=True)[0]

    fns = {"channels-first (before)": channels_first, "rows (now)": time_major}
    with torch.no_grad():
        torch.testing.assert_close(time_major(), channels_first(), rtol=1e-4, atol=1e-4)
        times = interleaved_times(fns, 3 * repeat)
    frames, inputs = rows.shape[1:]
    print(f"\nthe shipped denoiser's gain network, 10 s ({frames} frames x {inputs} inputs)")
    print(f"  {'path':<26}{'best ms':>9}{'median ms':>11}")
    for name, ts in times.items():
        ts.sort()
        print(f"  {name:<26}{1e3 * ts[0]:>9.1f}{1e3 * ts[len(ts) // 2]:>11.1f}")


def int8_products(repeat: int, widths=(256, 320, 384), frames=(32, 1250), taps=3) -> None:
    from audiocnn.layers import MIMOFIR, Int8MIMOFIR

    g = torch.Generator().manual_seed(0)
    print(f"\none hidden layer of the gain network ({taps} taps), float32 against int8")
    for n in frames:
        calls = max(1, 2000 // n)  # about the same work a round at every length
        fns, errors = {}, {}
        for width in widths:
            layer = MIMOFIR(width, width, taps, init="fan")  # drawn as the network's are
            int8 = Int8MIMOFIR(layer)  # as SpectralMaskDenoiser.int8 runs it
            H = layer.taps.detach()
            x = torch.randn(1, n, width, generator=g).tanh()

            def exact(x=x, H=H) -> torch.Tensor:
                return dsp.mimo_fir_rows(x, H)

            def quantised(x=x, int8=int8) -> torch.Tensor:
                return int8.rows(x)

            with torch.no_grad():
                y = exact()
                errors[width] = float((quantised() - y).abs().max() / y.abs().max())
            for kind, fn in (("float32", exact), ("int8", quantised)):
                fns[(width, kind)] = lambda fn=fn, calls=calls: [fn() for _ in range(calls)]
        with torch.no_grad():
            times = interleaved_times(fns, 3 * repeat)
        reference = statistics.median(times[(widths[0], "float32")])
        print(f"  {n} frames a call: median ms, x float32 at width {widths[0]}, error")
        for (width, kind), ts in times.items():
            median = statistics.median(ts)
            error = f"{errors[width]:.1e}" if kind == "int8" else ""
            print(
                f"  {width:>5} {kind:<8}{1e3 * median / calls:>8.3f}"
                f"{median / reference:>7.2f}{error:>10}"
            )


def report(title: str, times: dict[str, float]) -> None:
    reference = times["roll loop (lab)"]
    fastest = min(times["conv1d"], times["fft"])
    print(f"\n{title}")
    print(f"  {'path':<16}{'seconds':>10}{'x vs roll loop':>16}")
    for name, seconds in times.items():
        print(f"  {name:<16}{seconds:>10.4f}{reference / seconds:>16.1f}")
    print(
        f"  auto / faster of conv1d,fft = {times['auto'] / fastest:.3f} (target <= 1.10); "
        f"roll loop / auto = {reference / times['auto']:.1f} (target >= 5)"
    )


def crossover(repeat: int) -> None:
    g = torch.Generator().manual_seed(0)
    print(f"{'F->G':>7}{'taps':>6}{'conv1d s':>10}{'fft s':>10}   (20 s at 16 kHz)")
    with torch.no_grad():
        for n_in, n_out in [(1, 5), (5, 1), (8, 8), (32, 32)]:
            x = torch.randn(1, n_in, SAMPLE_RATE * 20, generator=g)
            for n_taps in (4, 8, 16, 32, 64, 128, 512):
                H = torch.randn(n_taps, n_in, n_out, generator=g)
                times = best_times(
                    {
                        m: lambda x=x, H=H, m=m: dsp.mimo_fir(x, H, method=m)
                        for m in ("conv", "fft")
                    },
                    repeat,
                )
                print(
                    f"{f'{n_in}->{n_out}':>7}{n_taps:>6}{times['conv']:>10.4f}{times['fft']:>10.4f}"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--crossover", action="store_true")
    parser.add_argument("--rows", action="store_true", help="the denoiser's gain network")
    parser.add_argument("--int8", action="store_true", help="a hidden layer: float32 vs int8")
    add_busy_option(parser)
    args = parser.parse_args()
    runtime.configure()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    each_condition(args.busy, lambda: measure(args))


def measure(args) -> None:
    if args.crossover:
        crossover(args.repeat)
        return
    if args.rows:
        gain_network(args.repeat)
        return
    if args.int8:
        int8_products(args.repeat)
        return
    report(
        "lab network: features [1, 5, 1], taps [40, 40], 60 s @ 16 kHz",
        bench_network([1, 5, 1], 40, args.repeat),
    )
    report(
        "wide layer: 32 -> 32 features, 64 taps, 60 s @ 16 kHz",
        bench_network([32, 32], 64, max(1, args.repeat // 2)),
    )


if __name__ == "__main__":
    main()
