"""Benchmark decoding + resampling, ours against librosa.load, and cached against decoding epochs.

    python bench/loading.py [--files 12] [--busy N]

On generated 30 s files at 22.05 kHz (16-bit WAV), measured in one run:
  * throughput (seconds of audio per second) of ``load_audio(path, rate)`` and of
    ``librosa.load(path, sr=rate)`` at 16 kHz, 11.025 kHz and 2.756 kHz (22050 / 8, the genre
    notebook's rate). Target: ours >= librosa.
  * one epoch of random 3 s windows, read through ``decode_files`` (memory-mapped cache) against
    the same epoch decoding every file. Target: cached >= 20x faster.
``--busy N`` prints both tables again with N cores kept busy by other processes.
"""

from __future__ import annotations

import audiocnn  # noqa: F401  (first: sets OpenMP's wait policy before torch loads)

# isort: split
import argparse
import os
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import soundfile as sf
from busy import add_busy_option, each_condition

FILE_RATE = 22050
SECONDS = 30


def make_files(folder: Path, n_files: int) -> list[Path]:
    rng = np.random.default_rng(0)
    paths = []
    for i in range(n_files):
        t = np.arange(FILE_RATE * SECONDS) / FILE_RATE
        wav = 0.3 * np.sin(2 * np.pi * (110 + 20 * i) * t) + 0.05 * rng.standard_normal(t.size)
        path = folder / f"track{i:03d}.wav"
        sf.write(path, wav.astype(np.float32), FILE_RATE, subtype="PCM_16")
        paths.append(path)
    return paths


def throughput(loads, paths: list[Path], rate: float, rounds: int = 7) -> list[float]:
    """Seconds of audio decoded per wall-clock second by each loader, best of ``rounds``.

    The loaders take turns within every round, so a slow spell of a shared machine hits them
    alike instead of whichever happened to run then."""
    for load in loads:
        load(paths[0], rate)  # warm-up: kernels, imports, caches
    best = [float("inf")] * len(loads)
    for _ in range(rounds):
        for i, load in enumerate(loads):
            start = time.perf_counter()
            for path in paths:
                load(path, rate)
            best[i] = min(best[i], time.perf_counter() - start)
    return [len(paths) * SECONDS / b for b in best]


def epoch(read_track, n_tracks: int, window: int) -> float:
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    for i in rng.permutation(n_tracks):
        track = read_track(int(i))
        offset = int(rng.integers(0, len(track) - window))
        np.asarray(track[offset : offset + window]).sum()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=12)
    add_busy_option(parser)
    args = parser.parse_args()
    from audiocnn import runtime

    runtime.configure()  # as every audiocnn command does
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["AUDIOCNN_CACHE"] = str(Path(tmp) / "cache")
        paths = make_files(Path(tmp), args.files)
        print(f"{args.files} files x {SECONDS} s at {FILE_RATE} Hz, 16-bit WAV")
        each_condition(args.busy, lambda: measure(paths))


def measure(paths: list[Path]) -> None:
    import librosa

    from audiocnn.audio import load_audio
    from audiocnn.data import decode_files

    print(f"{'target rate':>12}{'ours s/s':>12}{'librosa s/s':>14}{'ours/librosa':>14}")
    for rate in (16000, 11025, FILE_RATE / 8):
        ours, theirs = throughput(
            [lambda p, r: load_audio(p, r), lambda p, r: librosa.load(p, sr=r)], paths, rate
        )
        print(f"{rate:>12.2f}{ours:>12.0f}{theirs:>14.0f}{ours / theirs:>14.2f}")

    rate, window = 16000, 3 * 16000
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        decoded = decode_files(paths, rate, progress=False)  # fills the cache
        decoded = decode_files(paths, rate, progress=False)  # memory-mapped from it
    decoding = epoch(lambda i: load_audio(paths[i], rate)[0][0].numpy(), len(paths), window)
    cached = min(epoch(decoded.track, len(paths), window) for _ in range(3))
    print(f"one epoch of {len(paths)} random 3 s windows at {rate} Hz:")
    print(
        f"  decoding every file {decoding:.4f} s, from the cache {cached:.5f} s, "
        f"ratio {decoding / cached:.0f}x (target >= 20x)"
    )


if __name__ == "__main__":
    main()
