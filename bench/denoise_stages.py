"""Where one block of the spectral denoiser's stream spends its time, stage by stage.

    python bench/denoise_stages.py [--checkpoint PT] [--seconds 10] [--rounds 12]
                                   [--threads N] [--int8] [--busy 1]

A ``--seconds`` block of noise (10 s: the CLI's file path; 1.5 s: one of ``val_ood``'s short
files, which ``compare`` and the API denoise in one call) is streamed through the network
``--rounds`` times after two blocks of warm-up. The stages are the model's own methods, timed
where they are called: the features (log-powers, noise floor, level), the pitch search, the
gain network (the context branch and every layer; its products are counted in multiply-adds
and shown as the rate they ran at), and the deep filter; "the rest" is the block's time less
theirs (framing, the analysis and synthesis FFTs, the gains spread over the bins, overlap-add).
Medians in milliseconds. ``--threads 1`` is about what a block gets with a core busy
(``docs/speed.md``); ``--busy N`` measures it that way too.
"""

from __future__ import annotations

import audiocnn  # noqa: F401  (first: sets OpenMP's wait policy before torch loads)

# isort: split
import argparse
import time
from pathlib import Path

import numpy as np
import torch
from busy import add_busy_option, each_condition

from audiocnn import runtime
from audiocnn.denoise.pipeline import load_denoiser

STAGES = {
    "_features": "features",
    "_pitch_match": "pitch search",
    "_gain_logits": "gain network",
    "_deep_filter": "deep filter",
}


def timed(model, times: dict[str, list[float]]) -> None:
    """Wrap each of ``model``'s stage methods so that every call adds its seconds to ``times``."""
    for method, name in STAGES.items():
        inner = getattr(model, method)

        def wrapper(*args, _inner=inner, _name=name):
            started = time.perf_counter()
            result = _inner(*args)
            times[_name].append(time.perf_counter() - started)
            return result

        setattr(model, method, wrapper)


def multiply_adds(model, frames: int) -> int:
    """Multiply-adds of the gain network's products (its layers' taps) for ``frames`` rows."""
    return frames * sum(layer.taps.numel() for layer in model.gains.layers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", type=Path, help="weights (default: the shipped ones)")
    parser.add_argument("--seconds", type=float, default=10.0, help="block length (10: the CLI's)")
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--threads", type=int, help="intra-op threads (default: audiocnn's)")
    parser.add_argument("--int8", action="store_true", help="int8 products in the gain network")
    add_busy_option(parser)
    args = parser.parse_args()
    runtime.configure()
    if args.threads:
        torch.set_num_threads(args.threads)
    model, rate = load_denoiser(args.checkpoint, int8=args.int8)
    if not all(hasattr(model, method) for method in STAGES):
        parser.error(f"{type(model).__name__} has no such stages (the spectral denoiser has)")
    length = int(args.seconds * rate)
    block = 0.1 * torch.randn(1, 1, length, generator=torch.Generator().manual_seed(0))
    frames = length // model.hop
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    print(f"a {args.seconds:g} s block ({frames} frames), {'int8' if args.int8 else 'float32'}")

    def measure() -> None:
        times: dict[str, list[float]] = {name: [] for name in [*STAGES.values(), "block"]}
        timed(model, times)
        try:
            with torch.no_grad():
                _, state = model.stream(block, None)
                _, state = model.stream(block, state)
                for values in times.values():
                    values.clear()  # the warm-up's calls
                for _ in range(args.rounds):
                    started = time.perf_counter()
                    model.stream(block, state)
                    times["block"].append(time.perf_counter() - started)
        finally:
            for method in STAGES:  # the wrappers were set on the instance: the class's again
                delattr(model, method)
        whole = float(np.median(times["block"]))
        medians = {name: float(np.median(v)) for name, v in times.items() if v and name != "block"}
        medians["the rest"] = whole - sum(medians.values())
        print(f"{'stage':<16}{'ms':>8}{'share':>8}")
        for name, seconds in medians.items():
            print(f"{name:<16}{1e3 * seconds:>8.2f}{seconds / whole:>8.0%}")
        print(f"{'block':<16}{1e3 * whole:>8.2f}   real-time factor {whole / args.seconds:.4f}")
        if not args.int8:  # (int8 layers keep no float taps)
            rate_gflops = 2 * multiply_adds(model, frames) / medians["gain network"] / 1e9
            print(
                f"gain network: {multiply_adds(model, frames) / 1e6:.0f} M multiply-adds, "
                f"{rate_gflops:.0f} GFLOP/s over the whole of its time"
            )

    each_condition(args.busy, measure)


if __name__ == "__main__":
    main()
