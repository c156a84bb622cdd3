"""The denoiser in the working tree against the whole package at a commit, in one process.

    python bench/package_ab.py --against HEAD~1 [--checkpoint PT] [--int8] [--rounds 16]
                               [--seconds 10] [--folder DIR] [--busy 1]

Machine speed drifts by 10-30% from one run to the next here (``docs/speed.md``), and from one
process to the next. ``bench/stream_ab.py`` holds all but ``audiocnn/denoise/stream.py`` still;
this compares everything under ``audiocnn/`` (layers, ``dsp``, the models, the stream): the
package as it was at ``--against`` is unpacked (``git archive``) as a package of its own,
``audiocnn_at_commit``, beside today's, and both load the same weights (the shipped default,
or ``--checkpoint``). Each streams the same ``--seconds`` block of noise through the network
(after two blocks of warm-up: the CLI's file path, 10 s blocks), or with ``--folder`` denoises
every audio file under DIR offline (``denoise_array``, 16 kHz mono, as ``compare`` runs
them), alternating which goes first, ``--rounds`` times. It prints the largest difference
between their outputs, each one's best and median real-time factor, and the median of the
paired ratios (working tree / commit). ``--int8`` needs a commit from session 41 on, when
``load_denoiser`` took it.
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
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from busy import add_busy_option, each_condition

from audiocnn import runtime
from audiocnn.audio import load_audio
from audiocnn.data import list_audio_files
from audiocnn.denoise import pipeline, stream
from audiocnn.denoise.compare import RATE

PACKAGE = "audiocnn_at_commit"


def package_at(commit: str, folder: Path):
    """``audiocnn.denoise`` as it was at ``commit``: its ``pipeline`` and ``stream`` modules,
    imported from ``folder`` as ``audiocnn_at_commit``."""
    archive = subprocess.run(
        ["git", "archive", commit, "audiocnn"], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    (folder / "audiocnn").rename(folder / PACKAGE)
    for path in (folder / PACKAGE).rglob("*.py"):
        source = path.read_text()
        path.write_text(re.sub(r"\b(from|import) audiocnn\b", rf"\1 {PACKAGE}", source))
    sys.path.insert(0, str(folder))
    return [importlib.import_module(f"{PACKAGE}.denoise.{name}") for name in ("pipeline", "stream")]


def runners(modules, args: argparse.Namespace) -> tuple[Callable[[], torch.Tensor], float]:
    """A call that denoises the benchmark's audio once with these modules, and its seconds."""
    loaded, streaming = modules
    # int8 only when asked: commits before session 41 take no such argument
    options = {"int8": True} if args.int8 else {}
    model, rate = loaded.load_denoiser(args.checkpoint, **options)
    if args.folder:
        clips = [load_audio(path, RATE)[0] for path in list_audio_files(args.folder)]
        seconds = sum(clip.shape[-1] for clip in clips) / RATE
        return lambda: torch.cat(
            [streaming.denoise_array(model, c, RATE, rate) for c in clips], 1
        ), seconds
    block = torch.randn(1, 1, int(args.seconds * rate), generator=torch.Generator().manual_seed(0))
    block *= 0.1
    with torch.no_grad():
        _, state = model.stream(block, None)
        _, state = model.stream(block, state)  # warm-up: two blocks

    def run() -> torch.Tensor:
        with torch.no_grad():
            return model.stream(block, state)[0]

    return run, args.seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", default="HEAD", help="the commit to compare with (HEAD)")
    parser.add_argument("--checkpoint", type=Path, help="weights (default: the shipped ones)")
    parser.add_argument("--int8", action="store_true", help="both with int8 products")
    parser.add_argument("--rounds", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0, help="block length (10: the CLI's)")
    parser.add_argument("--folder", type=Path, help="time the offline path on these files")
    add_busy_option(parser)
    args = parser.parse_args()
    if args.folder and not list_audio_files(args.folder):
        parser.error(f"--folder {args.folder}: no audio files there")
    runtime.configure()
    with tempfile.TemporaryDirectory() as tmp:  # kept while the old package runs
        runs = {
            args.against: runners(package_at(args.against, Path(tmp)), args),
            "working tree": runners((pipeline, stream), args),
        }
        compare(runs, args)


def compare(runs: dict, args: argparse.Namespace) -> None:
    first, second = (run() for run, _ in runs.values())
    seconds = runs["working tree"][1]
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    what = f"the files under {args.folder}" if args.folder else f"a {args.seconds:g} s block"
    print(f"{what}, {seconds:.1f} s, {'int8' if args.int8 else 'float32'}, {args.rounds} rounds")
    print(
        f"largest difference between the outputs: {float((first - second).abs().max()):.1e} "
        f"(largest output sample {float(first.abs().max()):.3f})"
    )

    def measure() -> None:
        times = {name: [] for name in runs}
        order = list(runs)
        for i in range(args.rounds):
            for name in order if i % 2 == 0 else order[::-1]:
                started = time.perf_counter()
                runs[name][0]()
                times[name].append((time.perf_counter() - started) / seconds)
        for name, rtf in times.items():
            print(f"{name:<14} RTF best {min(rtf):.4f}   median {np.median(rtf):.4f}")
        paired = np.median(np.array(times["working tree"]) / np.array(times[args.against]))
        print(f"working tree / {args.against}: {paired:.3f}x (median of the paired ratios)")

    each_condition(args.busy, measure)


if __name__ == "__main__":
    main()
