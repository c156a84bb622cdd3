"""Which side of the training data a denoiser knows by heart: its speech or its noise.

    python recipes/denoise/memory.py                          # the shipped weights (both)
    python recipes/denoise/memory.py --checkpoint runs/broad16k_noiseaug/last.pt --short

Four sets of mixtures at 0, 5 and 10 dB, built as `prepare.py` built `val_ood`: speech the
recipes train on (`train/clean`) or never heard (`val_ood/speech`, warzone2100-data), each with
noise they train on (`train/noise`) or never heard (`val_ood/noise`, 0ad-data and torcs-data).
Mixture i of every set pairs the i-th draw of its speech with the i-th draw of its noise (a
random recording, a random offset, tiled when shorter), so two sets that share a side share
those very recordings: the differences between the cells are the other side's. RNNoise, which
trained on none of it, is the yardstick when installed (`pip install 'audiocnn[bench]'`).
`--short` draws only noise recordings under 0.5 s (sound effects, tiled into loud bursts: what
the shipped weights left in out of distribution in session 13). Seeded: the same mixtures every
run.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import soundfile as sf
import torch

from audiocnn.audio import load_audio
from audiocnn.data import mix_at_snr
from audiocnn.denoise import compare
from audiocnn.metrics import align, si_sdr

SNRS = (0, 5, 10)
SECONDS = 2.5  # longer utterances are cut to their first 2.5 s


def draws(files: list[Path], count: int, seed: int) -> list[Path]:
    return [files[i] for i in np.random.default_rng(seed).integers(len(files), size=count)]


def mixtures(speech: list[Path], noise: list[Path], seed: int) -> list[tuple]:
    """(snr, noisy, clean) of ``speech[i]`` with ``noise[i]`` at ``SNRS[i % 3]``."""
    rng, found = np.random.default_rng(seed), []
    for i, (voice, sound) in enumerate(zip(speech, noise, strict=True)):
        clean = load_audio(voice, compare.RATE)[0][0][: int(SECONDS * compare.RATE)]
        wav = load_audio(sound, compare.RATE)[0][0].numpy()
        wav = wav[(int(rng.integers(len(wav))) + np.arange(len(clean))) % len(wav)]
        snr = SNRS[i % len(SNRS)]
        noisy, clean = mix_at_snr(clean, torch.from_numpy(wav), float(snr))
        peak = max(1.0, float(noisy.abs().max()) / 0.98)
        found.append((snr, (noisy[0] / peak).numpy(), (clean[0] / peak).numpy()))
    return found


def improvements(method, pairs: list[tuple]) -> dict[int, float]:
    """Mean SI-SDR improvement per input SNR, outputs aligned as ``compare`` aligns them."""
    gains: dict[int, list[float]] = {}
    for snr, noisy, clean in pairs:
        estimate = align(method(noisy), clean, compare.MAX_LAG)
        score = si_sdr(torch.from_numpy(estimate)[None], torch.from_numpy(clean)[None])
        before = si_sdr(torch.from_numpy(noisy)[None], torch.from_numpy(clean)[None])
        gains.setdefault(snr, []).append(float(score - before))
    return {snr: float(np.mean(values)) for snr, values in sorted(gains.items())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("data/denoise_broad"))
    parser.add_argument("--checkpoint", type=Path, action="append", default=[])
    parser.add_argument("--count", type=int, default=60, help="mixtures per set")
    parser.add_argument("--short", action="store_true", help="noise recordings under 0.5 s only")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.count < len(SNRS):
        parser.error(f"--count must be at least {len(SNRS)}: one mixture at each SNR")
    speech = {
        "training speech": sorted((args.data / "train" / "clean").rglob("*.wav")),
        "unseen speech": sorted((args.data / "val_ood" / "speech").rglob("*.wav")),
    }
    noise = {
        "training noise": sorted((args.data / "train" / "noise").rglob("*.wav")),
        "unseen noise": sorted((args.data / "val_ood" / "noise").rglob("*.wav")),
    }
    if args.short:
        noise = {
            k: [p for p in v if sf.info(p).frames < compare.RATE // 2] for k, v in noise.items()
        }
    for name, files in {**speech, **noise}.items():
        if not files:
            raise SystemExit(f"error: {args.data}: no {name} (run recipes/denoise/prepare.py)")
    speech = {k: draws(v, args.count, args.seed) for k, v in speech.items()}
    noise = {k: draws(v, args.count, args.seed + 1) for k, v in noise.items()}
    sets = {
        f"{s} + {n}": mixtures(speech[s], noise[n], args.seed + 2) for s in speech for n in noise
    }
    found = compare.audiocnn_methods(args.checkpoint)
    try:
        found = {"RNNoise": compare.EXTERNAL["RNNoise"]()} | found
    except ImportError:
        print("RNNoise skipped: pyrnnoise not installed (pip install 'audiocnn[bench]')")
    snrs = " / ".join(f"{snr}" for snr in SNRS)
    kind = "effects under 0.5 s" if args.short else "any recording"
    print(f"SI-SDR improvement (dB) at {snrs} dB, {args.count} mixtures a set; noise: {kind}")
    width = max(24, *(len(name) + 2 for name in found))  # whole names: no cut checkpoint paths
    print(f"{'set':<34}" + "".join(f"{name:>{width}}" for name in found))
    rows = {
        name: {m: improvements(method, pairs) for m, method in found.items()}
        for name, pairs in sets.items()
    }
    for name, row in rows.items():
        cells = [" / ".join(f"{row[m][snr]:+.2f}" for snr in SNRS) for m in found]
        print(f"{name:<34}" + "".join(f"{cell:>{width}}" for cell in cells), flush=True)


if __name__ == "__main__":
    main()
