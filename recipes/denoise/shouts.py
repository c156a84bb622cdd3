"""List the game voices' raised lines: pitch well above the same speaker's usual, a measured rule.

    python recipes/denoise/shouts.py [--semitones 4] [--out recipes/denoise/shouts.txt]

Session 35 found that the game voices' shouted lines in the training speech teach the denoiser to
keep screams (``recipes/denoise/README.md``). This takes out only those lines, not the voices: for
each clean file of the game packages (hedgewars, redeclipse, openarena) under
``data/denoise_broad/train/clean``, its median fundamental over voiced frames
(:func:`fundamentals.median_fundamental`, ``librosa.pyin``); its speaker is its name up to the
last ``-`` (``voices-Pirate-Victory.wav``: ``voices-Pirate``). A line is *raised* when its median
fundamental lies at least ``--semitones`` above the median of its speaker's lines; shouting and
crying raise the pitch, saying a word does not. Files with no voiced frame are not listed.

Writes the list (paths under the clean folder, for ``[data] clean_exclude_list``) with a header
giving the rule and the counts per package, and the measures of every file to ``--measures``
(CSV). Deterministic: the same data gives the same list.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fundamentals import median_fundamental  # noqa: E402

from audiocnn.audio import AudioError  # noqa: E402
from audiocnn.data import list_audio_files  # noqa: E402
from audiocnn.files import atomic_path  # noqa: E402

CLEAN = Path("data/denoise_broad/train/clean")
GAME_VOICES = ("hedgewars-data", "redeclipse-data", "openarena-data")


def speaker(path: Path) -> str:
    """The speaker of a clean file: its package and its name up to the last ``-``."""
    return f"{path.parent.name}/{path.stem.rsplit('-', 1)[0]}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clean", type=Path, default=CLEAN, help="the training speech folder")
    parser.add_argument("--semitones", type=float, default=4.0, help="raised: this far up")
    parser.add_argument("--out", type=Path, default=Path("recipes/denoise/shouts.txt"))
    parser.add_argument("--measures", type=Path, default=Path("runs/shouts_measures.csv"))
    args = parser.parse_args(argv)
    folders = [args.clean / name for name in GAME_VOICES]
    missing = [str(f) for f in folders if not f.is_dir()]
    if missing:
        print(f"error: {missing[0]}: not a folder (python recipes/denoise/prepare.py builds it)")
        return 2
    paths = [p for folder in folders for p in list_audio_files(folder)]
    try:
        f0 = {p: median_fundamental(p) for p in tqdm(paths, desc="pitch", unit="file")}
    except AudioError as error:
        print(f"error: {error}")
        return 2
    by_speaker = defaultdict(list)
    for path, value in f0.items():
        if value is not None:
            by_speaker[speaker(path)].append(value)
    usual = {name: float(np.median(values)) for name, values in by_speaker.items()}
    rows, raised = [], []
    for path, value in f0.items():
        above = None if value is None else 12 * np.log2(value / usual[speaker(path)])
        rows.append((path.relative_to(args.clean).as_posix(), speaker(path), value, above))
        if above is not None and above >= args.semitones:
            raised.append(rows[-1])
    header = [
        f"# The game voices' raised lines: median fundamental >= {args.semitones:g} semitones",
        "# above the median of the same speaker's lines (python recipes/denoise/shouts.py).",
    ]
    for package in GAME_VOICES:
        total = sum(row[0].startswith(package + "/") for row in rows)
        listed = sum(row[0].startswith(package + "/") for row in raised)
        header.append(f"# {package}: {listed} of {total} files")
    body = [f"{row[0]}  # +{row[3]:.1f} st, {row[2]:.0f} Hz" for row in sorted(raised)]
    with atomic_path(args.out) as tmp:
        tmp.write_text("\n".join(header + body) + "\n")
    args.measures.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(args.measures) as tmp, open(tmp, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["path", "speaker", "median_f0_hz", "semitones_above_speaker"])
        for path, name, value, above in sorted(rows):
            writer.writerow([path, name, "" if value is None else f"{value:.1f}",
                             "" if above is None else f"{above:.2f}"])  # fmt: skip
    print("\n".join(header[2:]))
    print(f"wrote {args.out} ({len(raised)} files) and {args.measures}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
