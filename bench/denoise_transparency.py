"""Does a denoiser leave clean speech alone, and does it care how loud the input is?

    python bench/denoise_transparency.py [--speech DIR] [--pairs DIR] [--checkpoint PT ...]
        [--limit-db DB ...] [--int8]

1. Transparency: every clean recording under ``--speech`` (default: the out-of-distribution
   validation speech, data/denoise_broad/val_ood/speech) through each denoiser, with no noise
   added. Printed: SI-SDR of the output against the input (after alignment; target >= 20 dB),
   and the output's energy minus the input's in each octave band from 125 Hz to 8 kHz, over
   all files (target: within 1 dB everywhere).
2. Level invariance: the mixtures under ``--pairs`` (default data/denoise_broad/val_ood) as they
   are and 20 dB quieter (``--gain-db``); printed: SI-SDR improvement per SNR at both levels
   and the change (target: within 0.3 dB).

The reference, run in the same process on the same files, is textbook spectral subtraction
(``audiocnn.denoise.compare``). Models: the shipped weights, their gentle variant and each
``--checkpoint``; each also with every ``--limit-db`` (at most that many dB removed) and, with
``--int8``, each of those again with int8 products in its gain network.
"""

from __future__ import annotations

import audiocnn  # noqa: F401  (first: sets OpenMP's wait policy before torch loads)

# isort: split
import argparse
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from audiocnn.audio import load_audio
from audiocnn.data import audio_files_in, find_pairs
from audiocnn.denoise.compare import MAX_LAG, RATE, audiocnn_methods, spectral_subtraction
from audiocnn.denoise.pipeline import OCTAVE_BANDS, octave_energies, snr_of
from audiocnn.metrics import align, si_sdr

# lower edges, 125 Hz to 4 kHz at 16 kHz; each band is one octave wide
OCTAVES = tuple(RATE // 2 // 2**b for b in range(OCTAVE_BANDS, 0, -1))


def _si_sdr(estimate: np.ndarray, reference: np.ndarray) -> float:
    return float(si_sdr(torch.from_numpy(estimate), torch.from_numpy(reference)))


def transparency(run: Callable, files: list[np.ndarray]) -> dict:
    scores, before, after = [], np.zeros(len(OCTAVES)), np.zeros(len(OCTAVES))
    for clean in files:
        out = align(np.asarray(run(clean), np.float64), clean, MAX_LAG)
        scores.append(_si_sdr(out, clean))
        # each octave's energy, one FFT of the whole file: what the loss term `octave` compares
        before += octave_energies(torch.from_numpy(clean)).numpy()
        after += octave_energies(torch.from_numpy(out)).numpy()
    return {"si_sdr": float(np.mean(scores)), "octaves_db": 10 * np.log10(after / before)}


def improvements(run: Callable, pairs: list[tuple[str, np.ndarray, np.ndarray]], gain: float):
    by_group: dict[str, list[float]] = {}
    for group, clean, noisy in pairs:
        clean, noisy = clean * gain, noisy * gain
        out = align(np.asarray(run(noisy), np.float64), clean, MAX_LAG)
        by_group.setdefault(group, []).append(_si_sdr(out, clean) - _si_sdr(noisy, clean))
    return {g: float(np.mean(v)) for g, v in sorted(by_group.items(), key=lambda kv: kv[0])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speech", type=Path, default=Path("data/denoise_broad/val_ood/speech"))
    parser.add_argument("--pairs", type=Path, default=Path("data/denoise_broad/val_ood"))
    parser.add_argument("--checkpoint", type=Path, action="append", default=[])
    parser.add_argument("--gain-db", type=float, default=-20.0)
    parser.add_argument(
        "--limit-db",
        type=float,
        action="append",
        default=[],
        help="also each denoiser removing at most this many dB (repeatable)",
    )
    parser.add_argument("--int8", action="store_true", help="also with int8 products")
    args = parser.parse_args()
    methods: dict[str, Callable] = {"spectral subtraction (reference)": spectral_subtraction}
    methods |= audiocnn_methods(args.checkpoint, args.limit_db, args.int8)
    speech = [load_audio(p, RATE)[0][0].double().numpy() for p in audio_files_in(args.speech)]
    pairs = []
    for clean_path, noisy_path in zip(*find_pairs(args.pairs), strict=True):
        clean, noisy = (
            load_audio(p, RATE)[0][0].double().numpy() for p in (clean_path, noisy_path)
        )
        n = min(len(clean), len(noisy))
        snr_db = snr_of(noisy_path.name)
        pairs.append((f"{snr_db:>2} dB" if snr_db is not None else "all", clean[:n], noisy[:n]))
    print(f"1. clean speech in: {len(speech)} files from {args.speech}")
    width = max(44, *(len(name) + 2 for name in methods))  # long checkpoint paths included
    print(f"{'method':<{width}}{'SI-SDR':>8}" + "".join(f"{f'{o} Hz':>9}" for o in OCTAVES))
    for name, run in methods.items():
        row = transparency(run, speech)
        bands = "".join(f"{d:>+9.2f}" for d in row["octaves_db"])
        print(f"{name:<{width}}{row['si_sdr']:>8.2f}{bands}")
    gain = 10 ** (args.gain_db / 20)
    print(f"\n2. level: SI-SDR improvement on {len(pairs)} mixtures of {args.pairs}, as they are")
    print(f"and {args.gain_db:+g} dB (as is / quieter / change)")
    for name, run in methods.items():
        loud, quiet = improvements(run, pairs, 1.0), improvements(run, pairs, gain)
        cells = "  ".join(
            f"{g}: {loud[g]:+.2f} / {quiet[g]:+.2f} / {quiet[g] - loud[g]:+.2f}" for g in loud
        )
        print(f"{name:<{width}}{cells}")


if __name__ == "__main__":
    main()
