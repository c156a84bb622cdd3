"""Where another denoiser beats ours: the per-file margin grouped by the noise under each mixture.

    python recipes/denoise/gap.py --pairs data/denoise_broad/val_ood_more --other RNNoise

Every mixture of a ``prepare.py`` validation folder (``val_ood_all``, ``val_ood_more``,
``val_ood_more_seedN``) goes through our weights (``--checkpoint``, the shipped ones when
omitted) and through ``--other`` (any method ``compare`` knows, or another checkpoint), scored
as ``compare`` scores them: whole-file SI-SDR improvement after alignment. The noise under
each mixture comes from the folder's ``noises.csv`` (written since session 26) or, for the
folders built before, from replaying ``prepare.py``'s draws. Per SNR it prints the other's
margin over ours:
- per noise package, and per kind of noise (the first part of the noise's file name, e.g. 0 A.D.'s
  ``human``, ``fauna``, ``resource``), largest total first;
- per quarter of three measures of the noise as it was mixed in (``noisy - clean``): how much its
  level swings from frame to frame (std of 32 ms frame levels, dB), its spectral centroid (Hz),
  and its share of power below 500 Hz.

A diagnostic: it chooses nothing. Run it on a set that has already been used, never on a fresh
check set before a decision.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import prepare  # noqa: E402
from pick import not_pairs  # noqa: E402

from audiocnn import files  # noqa: E402
from audiocnn.audio import load_audio  # noqa: E402
from audiocnn.data import find_pairs  # noqa: E402
from audiocnn.denoise import compare, pipeline  # noqa: E402
from audiocnn.metrics import align  # noqa: E402
from audiocnn.progress import tqdm  # noqa: E402

RATE = compare.RATE
MEASURES = {
    "level swing (dB)": "swing_db",
    "centroid (Hz)": "centroid_hz",
    "share below 500 Hz": "low_share",
}


class GapError(ValueError):
    """A folder this cannot group: the message names it."""


def noises_of(folder: Path) -> dict[str, str]:
    """Mixture file name -> ``package/file`` of its noise: ``noises.csv``, or ``prepare.py``'s
    draws replayed for the folders written before it wrote one."""
    if (folder / "noises.csv").is_file():
        with open(folder / "noises.csv", newline="") as handle:
            return dict(list(csv.reader(handle))[1:])
    if folder.name == "val_ood_all":
        draws, seed = 1, None
    elif match := re.fullmatch(r"val_ood_more(?:_seed(\d+))?", folder.name):
        draws, seed = prepare.VAL_MORE_DRAWS, None if match[1] is None else int(match[1])
    else:
        raise GapError(f"{folder}: no noises.csv, and not a folder prepare.py names")
    mixtures, _ = prepare.val_mixtures(folder.parent, draws, seed)
    return {f"snr{level:02d}_{name}.wav": noise for level, name, _, noise, _ in mixtures}


def kind_of(noise: str) -> str:
    """``package kind`` of a ``package/file`` noise: the first part of the file's name (0 A.D.'s
    ``human``, ``fauna``, ...)."""
    return f"{noise.split('/')[0]} {Path(noise).stem.split('-')[0]}"


def noise_measures(noise: np.ndarray) -> dict[str, float]:
    """:data:`MEASURES` of the noise as mixed in."""
    frames = noise[: len(noise) // 512 * 512].reshape(-1, 512)
    levels = 10 * np.log10(np.mean(frames**2, axis=1) + 1e-12)
    power = np.abs(np.fft.rfft(noise)) ** 2
    hz = np.fft.rfftfreq(len(noise), 1 / RATE)
    total = power.sum() + 1e-20
    return {
        "swing_db": float(levels.std()),
        "centroid_hz": float((power * hz).sum() / total),
        "low_share": float(power[hz < 500].sum() / total),
    }


def improvement(estimate: np.ndarray, noisy: np.ndarray, clean: np.ndarray) -> float:
    """Whole-file SI-SDR improvement after alignment, as ``compare`` scores it."""
    estimate = align(np.asarray(estimate, dtype=np.float64), clean, compare.MAX_LAG)
    scores = pipeline.file_scores(estimate, noisy, clean, RATE, perceptual=False)
    return scores["si_sdr_improvement"]


def score(folder: Path, ours, other, progress: bool = True) -> list[dict]:
    """One row per mixture: its SNR, noise, measures and both improvements."""
    noises = noises_of(folder)
    rows = []
    pairs = list(zip(*find_pairs(folder), strict=True))
    for clean_path, noisy_path in tqdm(pairs, desc="mixtures", disable=not progress):
        if noisy_path.name not in noises:
            raise GapError(f"{noisy_path}: not in the folder's noise list")
        clean = load_audio(clean_path, RATE)[0][0].numpy()
        noisy = load_audio(noisy_path, RATE)[0][0].numpy()
        n = min(len(clean), len(noisy))
        clean, noisy = clean[:n], noisy[:n]
        noise = noises[noisy_path.name]
        rows.append({
            "mixture": noisy_path.name,
            "snr": pipeline.snr_of(noisy_path.name),
            "noise": noise,
            "package": noise.split("/")[0],
            "kind": kind_of(noise),
            **noise_measures(noisy - clean),
            "ours": improvement(ours(noisy), noisy, clean),
            "other": improvement(other(noisy), noisy, clean),
        })  # fmt: skip
    return rows


def grouped(rows: list[dict], key: str, min_files: int) -> list[str]:
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        groups[row[key]].append(row)
    lines = []
    totals = {g: sum(r["other"] - r["ours"] for r in rs) for g, rs in groups.items()}
    for g in sorted(groups, key=lambda g: -totals[g]):
        rs = groups[g]
        if len(rs) < min_files:
            continue
        ours, other = np.mean([r["ours"] for r in rs]), np.mean([r["other"] for r in rs])
        lines.append(
            f"  {g:<28}{len(rs):>6}{ours:>+8.2f}{other:>+8.2f}{other - ours:>+8.2f}"
            f"{totals[g]:>+9.1f}"
        )
    return lines


def quarters(rows: list[dict], key: str) -> str:
    values = np.array([r[key] for r in rows])
    edges = np.quantile(values, [0, 0.25, 0.5, 0.75, 1])
    cells = []
    for n, (low, high) in enumerate(zip(edges[:-1], edges[1:], strict=True)):
        inside = (values >= low) & ((values < high) if n < 3 else (values <= high))
        margins = [r["other"] - r["ours"] for r, keep in zip(rows, inside, strict=True) if keep]
        if margins:  # tied values can leave a quarter empty
            cells.append(f"{low:.3g}-{high:.3g}: {np.mean(margins):+.2f}")
    return " | ".join(cells)


def report(rows: list[dict], other_name: str, min_files: int) -> str:
    lines = []
    for snr in sorted({r["snr"] for r in rows}, key=lambda s: -1 if s is None else s):
        at = [r for r in rows if r["snr"] == snr]
        ours, other = np.mean([r["ours"] for r in at]), np.mean([r["other"] for r in at])
        won = np.mean([r["ours"] > r["other"] for r in at])
        lines += [
            "",
            f"{'all' if snr is None else f'{snr} dB'}: {len(at)} mixtures, ours {ours:+.2f}, "
            f"{other_name} {other:+.2f}, margin {other - ours:+.2f} dB; ours ahead on {won:.0%}",
            f"  {'noise':<28}{'files':>6}{'ours':>8}{'other':>8}{'margin':>8}{'total':>9}",
        ]
        lines += grouped(at, "package", 1) + [""] + grouped(at, "kind", min_files)
        lines += [f"  quarters of {label}: {quarters(at, key)}" for label, key in MEASURES.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=Path, default=Path("data/denoise_broad/val_ood_more"))
    parser.add_argument("--checkpoint", type=Path, help="our weights (default: the shipped)")
    parser.add_argument(
        "--other", default="RNNoise", help="a method compare runs, or a checkpoint of ours"
    )
    parser.add_argument("--min-files", type=int, default=8, help="smallest kind listed")
    parser.add_argument("--json", type=Path, help="also write every row here")
    args = parser.parse_args(argv)
    if not_pairs(args.pairs):
        return 2
    found, _ = compare.methods([])
    if Path(args.other).is_file():  # another checkpoint of ours
        found[args.other] = compare.checkpoint_method(Path(args.other))
    if args.other not in found:
        parser.error(f"--other: a checkpoint, or one of {', '.join(found)}")
    ours = compare.checkpoint_method(args.checkpoint)
    try:
        rows = score(args.pairs, ours, found[args.other])
    except GapError as error:
        print(f"error: {error}")
        return 2
    if args.json:
        files.write_text(args.json, json.dumps(rows))
    print(f"{args.pairs}: {args.other} against audiocnn ({args.checkpoint or 'shipped'})")
    print(
        "margin: the other's whole-file SI-SDR improvement minus ours (dB); total: that summed "
        "over the group's files"
    )
    print(report(rows, args.other, args.min_files))
    return 0


if __name__ == "__main__":
    sys.exit(main())
