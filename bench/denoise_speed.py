"""Real-time factor of the shipped denoiser through the CLI's file path, idle and busy.

    python bench/denoise_speed.py [--seconds 120] [--rate 16000 --rate 44100] [--checkpoint PT]
                                  [--busy N] [--folder DIR] [--int8]

A generated noisy recording (tones under pink-ish noise, ``--seconds`` long, 16-bit WAV) at
each ``--rate`` (by default 16 kHz, the network's own rate, and 44.1 kHz, where most music and
many recordings are: read, resampled both ways and written) is denoised file to file with the
shipped weights and each ``--checkpoint`` (``denoise_file``: read in blocks, resample, stream
through the network, write), best of 3 runs; the reference, timed in the same run, is
textbook spectral subtraction on the same samples at the file's own rate
(``audiocnn.denoise.compare``).
``--folder DIR`` also times the offline path that ``compare`` and the Python API take
(``denoise_array``) over every audio file under DIR, back to back, 16 kHz mono as ``compare``
reads them: many short files cost more per second than one long file (each starts a stream and
ends it with the network's latency of silence).
``--int8`` times each denoiser again with int8 products in its gain network
(``SpectralMaskDenoiser.int8``).
Real-time factor = processing seconds / audio seconds (target: <= 0.01 busy).
``--busy N`` prints the table again with N cores kept busy by other processes.
"""

from __future__ import annotations

import audiocnn  # noqa: F401  (first: sets OpenMP's wait policy before torch loads)

# isort: split
import argparse
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


def make_recording(path: Path, seconds: float, rate: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    t = np.arange(int(seconds * rate)) / rate
    voice = 0.2 * np.sin(2 * np.pi * 180 * t) * (np.sin(2 * np.pi * 3 * t) > 0)
    noise = np.cumsum(rng.standard_normal(t.size)) * 1e-3
    noise = noise - np.convolve(noise, np.ones(101) / 101, mode="same")
    wav = (voice + 0.05 * rng.standard_normal(t.size) + noise).astype(np.float32)
    sf.write(path, wav, rate, subtype="PCM_16")
    return wav


def best_of(run, repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def measure(models: dict, recording: Path, wav: np.ndarray, seconds: float) -> None:
    out = recording.with_name("out.wav")
    reference = best_of(lambda: spectral_subtraction(wav))
    print(f"{'method':<44}{'seconds':>9}{'RTF':>9}{'/ ref':>8}")
    for name, (model, model_rate) in models.items():
        ours = best_of(
            lambda m=model, r=model_rate: denoise_file(m, r, recording, out, progress=False)
        )
        ratio = ours / reference
        print(f"{name + ', file to file':<44}{ours:>9.3f}{ours / seconds:>9.4f}{ratio:>7.2f}x")
    print(f"{'spectral subtraction (reference)':<44}{reference:>9.3f}{reference / seconds:>9.4f}")
    print("target: RTF <= 0.01 busy")


def measure_files(models: dict, folder: Path, clips: list[torch.Tensor]) -> None:
    seconds = sum(clip.shape[-1] for clip in clips) / RATE
    print(f"\n{len(clips)} files under {folder}, {seconds:.1f} s, offline (denoise_array)")
    reference = best_of(lambda: [spectral_subtraction(clip[0].numpy()) for clip in clips])
    print(f"{'method':<44}{'seconds':>9}{'RTF':>9}{'/ ref':>8}")
    for name, (model, model_rate) in models.items():
        ours = best_of(lambda m=model, r=model_rate: [denoise_array(m, c, RATE, r) for c in clips])
        ratio = ours / reference
        print(f"{name + ', files':<44}{ours:>9.3f}{ours / seconds:>9.4f}{ratio:>7.2f}x")
    print(f"{'spectral subtraction (reference)':<44}{reference:>9.3f}{reference / seconds:>9.4f}")


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
    add_busy_option(parser)
    args = parser.parse_args()
    if args.folder and not list_audio_files(args.folder):
        parser.error(f"--folder {args.folder}: no audio files there")
    runtime.configure()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    models = {"audiocnn shipped": load_denoiser()}
    models.update({f"audiocnn {path}": load_denoiser(path) for path in args.checkpoint})
    if args.int8:
        paths = {"audiocnn shipped": None} | {f"audiocnn {p}": p for p in args.checkpoint}
        models.update({f"{name}, int8": load_denoiser(p, int8=True) for name, p in paths.items()})
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
