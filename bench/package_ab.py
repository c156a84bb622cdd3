"""The denoiser's stream in the working tree against the whole package at a commit, in one process.

    python bench/package_ab.py --against HEAD~1 [--checkpoint PT] [--int8] [--blocks 16]
                               [--seconds 10] [--busy 1]

Machine speed drifts by 10-30% from one run to the next here (``docs/speed.md``), and from one
process to the next. ``bench/stream_ab.py`` holds ``audiocnn/denoise/stream.py`` still; this
compares everything under ``audiocnn/`` (layers, ``dsp``, the models): the package as it was at
``--against`` is unpacked (``git archive``) as a package of its own, ``audiocnn_at_commit``,
beside today's, and both load the same weights (the shipped default, or ``--checkpoint``).
Each streams the same ``--seconds`` block of noise (after two blocks of warm-up), block by
block, alternating which goes first, ``--blocks`` times. It prints the largest difference
between their outputs, each one's best and median milliseconds per block, the median of the
paired ratios (working tree / commit), and the real-time factor of the medians.
"""

from __future__ import annotations

import audiocnn  # noqa: F401  (first: sets OpenMP's wait policy before torch loads)

# isort: split
import argparse
import importlib
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from busy import add_busy_option, each_condition

from audiocnn import runtime
from audiocnn.denoise.pipeline import load_denoiser

PACKAGE = "audiocnn_at_commit"


def package_at(commit: str, folder: Path):
    """``audiocnn`` as it was at ``commit``, imported as ``audiocnn_at_commit`` from ``folder``."""
    archive = subprocess.run(
        ["git", "archive", commit, "audiocnn"], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    (folder / "audiocnn").rename(folder / PACKAGE)
    for path in (folder / PACKAGE).rglob("*.py"):
        source = path.read_text()
        path.write_text(re.sub(r"\b(from|import) audiocnn\b", rf"\1 {PACKAGE}", source))
    sys.path.insert(0, str(folder))
    return importlib.import_module(f"{PACKAGE}.denoise.pipeline")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", default="HEAD", help="the commit to compare with (HEAD)")
    parser.add_argument("--checkpoint", type=Path, help="weights (default: the shipped ones)")
    parser.add_argument("--int8", action="store_true", help="both with int8 products")
    parser.add_argument("--blocks", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0, help="block length (10: the CLI's)")
    add_busy_option(parser)
    args = parser.parse_args()
    runtime.configure()
    with tempfile.TemporaryDirectory() as tmp:  # kept while the old package runs
        before = package_at(args.against, Path(tmp))
        models = {
            args.against: before.load_denoiser(args.checkpoint, int8=args.int8),
            "working tree": load_denoiser(args.checkpoint, int8=args.int8),
        }
        compare(models, args)


def compare(models: dict, args: argparse.Namespace) -> None:
    rate = models["working tree"][1]
    block = torch.randn(1, 1, int(args.seconds * rate), generator=torch.Generator().manual_seed(0))
    block *= 0.1
    states, outputs = {}, {}
    with torch.no_grad():
        for name, (model, _) in models.items():
            _, states[name] = model.stream(block, None)
            outputs[name], states[name] = model.stream(block, states[name])
    first, second = outputs.values()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    print(f"{args.blocks} blocks of {args.seconds:g} s, {'int8' if args.int8 else 'float32'}")
    print(
        f"largest difference between the outputs: {float((first - second).abs().max()):.1e} "
        f"(largest output sample {float(first.abs().max()):.3f})"
    )

    def measure() -> None:
        times = {name: [] for name in models}
        order = list(models)
        with torch.no_grad():
            for i in range(args.blocks):
                for name in order if i % 2 == 0 else order[::-1]:
                    started = time.perf_counter()
                    models[name][0].stream(block, states[name])
                    times[name].append(time.perf_counter() - started)
        for name, spent in times.items():
            median = np.median(spent)
            print(
                f"{name:<14} best {1000 * min(spent):6.1f} ms   median {1000 * median:6.1f} ms"
                f"   RTF {median / args.seconds:.4f}"
            )
        paired = np.median(np.array(times["working tree"]) / np.array(times[args.against]))
        print(f"working tree / {args.against}: {paired:.3f}x (median of the paired ratios)")

    each_condition(args.busy, measure)


if __name__ == "__main__":
    main()
