"""The fundamental frequency of the voices in folders of audio, against the pitch features' reach.

    python recipes/denoise/fundamentals.py [--files 60] [FOLDER ...]

For each folder (by default: the screams and the animals of ``val_ood``'s noise, ``val_ood``'s
clean speech and the training speech of fillets and hedgewars), the first ``--files`` audio files
by name, at 16 kHz: each file's median fundamental over its voiced frames (``librosa.pyin``,
60-2000 Hz), then the folder's median, quartiles and the share of files above the highest
fundamental the denoiser's pitch features search (16000 / the shortest of ``pitch_lags``: 500 Hz
in the weights shipped in session 33). A diagnostic: it chooses nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import librosa
import numpy as np

from audiocnn.audio import AudioError, load_audio
from audiocnn.data import list_audio_files

RATE = 16000
NOISE = "data/denoise_broad/val_ood/noise/0ad-data"
FOLDERS = {
    "0 A.D. screams (val_ood noise)": (NOISE, "human-"),
    "0 A.D. animals (val_ood noise)": (NOISE, "fauna-"),
    "val_ood clean speech": ("data/denoise_broad/val_ood/clean", ""),
    "training speech, fillets": ("data/denoise_broad/train/clean/fillets-ng-data-cs", ""),
    "training speech, hedgewars": ("data/denoise_broad/train/clean/hedgewars-data", ""),
}


def median_fundamental(path: Path) -> float | None:
    """The median fundamental (Hz) of the file's voiced frames; ``None`` if none is voiced."""
    wave = load_audio(path, RATE)[0].reshape(-1).numpy()  # mono: load_audio averages channels
    f0, voiced, _ = librosa.pyin(wave, fmin=60, fmax=2000, sr=RATE, frame_length=1024)
    f0 = f0[voiced & np.isfinite(f0)]
    return float(np.median(f0)) if f0.size else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", type=Path, nargs="*", help="folders of audio (default: above)")
    parser.add_argument("--files", type=int, default=60, help="the first N files of each folder")
    parser.add_argument("--ceiling", type=float, default=500.0, help="the pitch search's top, Hz")
    args = parser.parse_args(argv)
    groups = {str(f): (f, "") for f in args.folders} if args.folders else FOLDERS
    print(f"{'folder':34s} files  median  quartiles (Hz)  above {args.ceiling:.0f} Hz")
    for name, (folder, prefix) in groups.items():
        folder = Path(folder)
        if not folder.is_dir():
            print(f"error: {folder}: not a folder (python recipes/denoise/prepare.py builds it)")
            return 2
        paths = [p for p in list_audio_files(folder) if p.name.startswith(prefix)]
        try:
            found = [median_fundamental(p) for p in paths[: args.files]]
        except AudioError as error:
            print(f"error: {error}")
            return 2
        values = np.array([f for f in found if f is not None])
        if not values.size:
            print(f"{name:34s} {0:5d}  no voiced frames")
            continue
        low, mid, high = np.percentile(values, [25, 50, 75])
        share = np.mean(values > args.ceiling)
        print(f"{name:34s} {values.size:5d}  {mid:6.0f}  {low:5.0f}-{high:<8.0f}  {share:6.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
