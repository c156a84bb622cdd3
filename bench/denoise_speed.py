"""Real-time factor of the shipped denoiser through the CLI's file path, idle and busy.

    python bench/denoise_speed.py [--seconds 120] [--rate 16000 --rate 44100] [--checkpoint PT]
                                  [--busy N] [--folder DIR] [--int8] [--fixed-threads N]

A generated noisy recording (tones under pink-ish noise, ``--seconds`` long, 16-bit WAV) at
each ``--rate`` (by default 16 kHz, the network's own rate, and 44.1 kHz, where most music and
many recordings are: read, resampled both ways and written) is denoised file to file with the
shipped weights and each ``--checkpoint`` (``denoise_file``: read in blocks, resample, stream
through the network, write), best of 3 runs; the reference, timed in the same run, is
textbook spectral subtraction on the same samples at the file's own rate
(``audiocnn.denoise.compare``). The runs of every method and the reference's take turns, the
order rotated each time, so that the machine's drift falls on all alike.
``--folder DIR`` also times the offline path that ``compare`` and the Python API take
(``denoise_array``) over every audio file under DIR, back to back, 16 kHz mono as ``compare``
reads them: many short files cost more per second than one long file (each starts a stream and
ends it with the network's latency of silence).
``--int8`` times each denoiser again with int8 products in its gain network
(``SpectralMaskDenoiser.int8``). ``--fixed-threads N`` times the shipped weights again with N
threads for every block (``AUDIOCNN_THREADS=N``), as before the threads followed the cores other
programs leave free (``runtime.FreeCores``, session 43).
Real-time factor = processing seconds / audio seconds (target: <= 0.01 busy).
``--busy N`` prints the table again with N cores kept busy by other processes.
"""

from __future__ import annotations

import audiocnn  # noqa: F401  (first: sets OpenMP's wait policy before torch loads)

# isort: split
import argparse
import contextlib
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf
import torch
from busy import add_busy_option, each_condition

from audiocnn import runtime
from audiocnn.audio import load_audio
from audiocnn.data import list_audio_files
from audiocnn.denoise.compare import RATE, spectral_subtraction
from audiocnn.denoise.pipeline import load_denoiser
from audiocnn.denoise.stream import denoise_array, denoise_file

REFERENCE = "spectral subtraction"


def make_recording(path: Path, seconds: float, rate: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    t = np.arange(int(seconds * rate)) / rate
    voice = 0.2 * np.sin(2 * np.pi * 180 * t) * (np.sin(2 * np.pi * 3 * t) > 0)
    noise = np.cumsum(rng.standard_normal(t.size)) * 1e-3
    noise = noise - np.convolve(noise, np.ones(101) / 101, mode="same")
    wav = (voice + 0.05 * rng.standard_normal(t.size) + noise).astype(np.float32)
    sf.write(path, wav, rate, subtype="PCM_16")
    return wav


def best_of_each(runs: dict, repeats: int = 3) -> dict:
    """The best of ``repeats`` timings of each of ``runs`` (name -> call), taken in turns with
    the order rotated each time, so that the machine's drift falls on all of them alike."""
    names, best = list(runs), dict.fromkeys(runs, float("inf"))
    for i in range(repeats):
        for name in names[i % len(names) :] + names[: i % len(names)]:
            started = time.perf_counter()
            runs[name]()
            best[name] = min(best[name], time.perf_counter() - started)
    return best


def report(runs: dict, seconds: float, what: str) -> None:
    """Time ``runs`` (each model's, then the reference's) and print a table."""
    best = best_of_each(runs)
    reference = best.pop(REFERENCE)
    print(f"{'method':<44}{'seconds':>9}{'RTF':>9}{'/ ref':>8}")
    for name, ours in best.items():
        ratio = ours / reference
        print(f"{name + what:<44}{ours:>9.3f}{ours / seconds:>9.4f}{ratio:>7.2f}x")
    print(f"{REFERENCE + ' (reference)':<44}{reference:>9.3f}{reference / seconds:>9.4f}")


def measure(models: dict, recording: Path, wav: np.ndarray, seconds: float) -> None:
    out = recording.with_name("out.wav")

    def ours(model, model_rate, threads):
        def run():
            with fixed_threads(threads):
                denoise_file(model, model_rate, recording, out, progress=False)

        return run

    runs = {name: ours(*denoiser) for name, denoiser in models.items()}
    report({**runs, REFERENCE: lambda: spectral_subtraction(wav)}, seconds, ", file to file")
    print("target: RTF <= 0.01 busy")


def measure_files(models: dict, folder: Path, clips: list[torch.Tensor]) -> None:
    seconds = sum(clip.shape[-1] for clip in clips) / RATE
    print(f"\n{len(clips)} files under {folder}, {seconds:.1f} s, offline (denoise_array)")

    def ours(model, model_rate, threads):
        def run():
            with fixed_threads(threads):
                for clip in clips:
                    denoise_array(model, clip, RATE, model_rate)

        return run

    def reference():
        for clip in clips:
            spectral_subtraction(clip[0].numpy())

    runs = {name: ours(*denoiser) for name, denoiser in models.items()}
    report({**runs, REFERENCE: reference}, seconds, ", files")


@contextlib.contextmanager
def fixed_threads(count: int | None):
    """With ``count``, every block on that many threads (``AUDIOCNN_THREADS``, which
    ``runtime.FreeCores`` leaves as it is); without, audiocnn's own choice."""
    before = os.environ.get("AUDIOCNN_THREADS")
    if count is not None:
        os.environ["AUDIOCNN_THREADS"] = str(count)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("AUDIOCNN_THREADS", None)
        else:
            os.environ["AUDIOCNN_THREADS"] = before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument(
        "--rate", type=int, action="append", help="the file's sample rate (16000 and 44100)"
    )
    parser.add_argument(
        "--checkpoint", type=Path, action="append", default=[], help="also time these"
    )
    parser.add_argument(
        "--folder", type=Path, help="also time the offline path on the audio files under DIR"
    )
    parser.add_argument("--int8", action="store_true", help="also each with int8 products")
    parser.add_argument(
        "--fixed-threads",
        type=int,
        metavar="N",
        help="also the shipped weights with N threads for every block (AUDIOCNN_THREADS=N)",
    )
    add_busy_option(parser)
    args = parser.parse_args()
    if args.folder and not list_audio_files(args.folder):
        parser.error(f"--folder {args.folder}: no audio files there")
    runtime.configure()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    models = {"audiocnn shipped": (*load_denoiser(), None)}
    models.update({f"audiocnn {path}": (*load_denoiser(path), None) for path in args.checkpoint})
    if args.int8:
        paths = {"audiocnn shipped": None} | {f"audiocnn {p}": p for p in args.checkpoint}
        models.update(
            {f"{name}, int8": (*load_denoiser(p, int8=True), None) for name, p in paths.items()}
        )
    if args.fixed_threads:
        name = f"shipped, {args.fixed_threads} threads always"
        models[name] = (*models["audiocnn shipped"][:2], args.fixed_threads)
    rates = args.rate or [16000, 44100]
    with tempfile.TemporaryDirectory() as tmp:
        recordings = []
        for rate in rates:
            recording = Path(tmp) / f"noisy{rate}.wav"
            recordings.append((recording, make_recording(recording, args.seconds, rate), rate))
        files = list_audio_files(args.folder) if args.folder else []
        clips = [load_audio(f, RATE)[0] for f in files]

        def both() -> None:
            for recording, wav, rate in recordings:
                print(f"\n{args.seconds:.0f} s at {rate} Hz, mono 16-bit WAV")
                measure(models, recording, wav, args.seconds)
            if clips:
                measure_files(models, args.folder, clips)

        each_condition(args.busy, both)


if __name__ == "__main__":
    main()
