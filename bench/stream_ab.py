"""The offline denoising path of the working tree against the same path at a commit, interleaved.

    python bench/stream_ab.py --against HEAD~1 --folder data/denoise_broad/val_ood/noisy [--busy 1]

Machine speed drifts by 10-30% from one benchmark run to the next (``docs/speed.md``), more than
a change to ``audiocnn/denoise/stream.py`` may be worth. This loads that file as it was at
``--against`` (``git show``) beside today's, with the same shipped weights, and times
``denoise_array`` over every audio file under ``--folder`` (16 kHz mono, back to back, as
``compare`` runs them) with each, alternating which goes first, ``--rounds`` times. It checks
that both give the same output (within float rounding) and prints each round's real-time factor
and the medians.
"""

from __future__ import annotations

import audiocnn  # noqa: F401  (first: sets OpenMP's wait policy before torch loads)

# isort: split
import argparse
import importlib.util
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from busy import add_busy_option, each_condition

from audiocnn import runtime
from audiocnn.audio import load_audio
from audiocnn.data import list_audio_files
from audiocnn.denoise import stream
from audiocnn.denoise.compare import RATE
from audiocnn.denoise.pipeline import load_denoiser

STREAM = "audiocnn/denoise/stream.py"


def stream_at(commit: str, folder: Path):
    """``audiocnn.denoise.stream`` as it was at ``commit``, loaded as a module of its own."""
    source = subprocess.run(
        ["git", "show", f"{commit}:{STREAM}"], capture_output=True, text=True, check=True
    ).stdout
    path = folder / "stream_at_commit.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("audiocnn.denoise._stream_at_commit", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", default="HEAD", help="the commit to compare with (HEAD)")
    parser.add_argument("--folder", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=6)
    add_busy_option(parser)
    args = parser.parse_args()
    runtime.configure()
    files = list_audio_files(args.folder)
    if not files:
        parser.error(f"--folder {args.folder}: no audio files there")
    model, model_rate = load_denoiser()
    clips = [load_audio(path, RATE)[0] for path in files]
    seconds = sum(clip.shape[-1] for clip in clips) / RATE
    with tempfile.TemporaryDirectory() as tmp:
        before = stream_at(args.against, Path(tmp))
    paths = {args.against: before, "working tree": stream}
    outputs = [
        [m.denoise_array(model, clips[0], RATE, model_rate) for m in paths.values()],
        [m.denoise_array(model, clips[-1], RATE, model_rate) for m in paths.values()],
    ]
    gap = max(float((a - b).abs().max()) for a, b in outputs)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    print(f"{len(clips)} files under {args.folder}, {seconds:.1f} s, offline (denoise_array)")
    print(f"largest difference between the two paths' outputs: {gap:.1e}")

    def measure() -> None:
        times = {name: [] for name in paths}
        for round_ in range(args.rounds):
            order = list(paths.items())
            for name, module in order if round_ % 2 == 0 else order[::-1]:
                started = time.perf_counter()
                for clip in clips:
                    module.denoise_array(model, clip, RATE, model_rate)
                times[name].append((time.perf_counter() - started) / seconds)
        for name, rtf in times.items():
            rounds = " ".join(f"{x:.4f}" for x in rtf)
            print(f"{name:<14} median RTF {np.median(rtf):.4f}   rounds: {rounds}")
        ratio = np.median(times["working tree"]) / np.median(times[args.against])
        print(f"working tree / {args.against}: {ratio:.2f}x")

    each_condition(args.busy, measure)


if __name__ == "__main__":
    main()
