"""Finished checkpoints against the shipped weights, as the ship rule judges them.

    python recipes/denoise/judge.py runs/soup_i.pt j=runs/soup_j.pt \
        --against runs/default_session19.pt --pairs data/denoise_broad/val_ood_more

For each clean/ + noisy/ folder (``--pairs``, any number) it scores the reference once, then
each checkpoint (``LABEL=PATH`` names it LABEL; else its file name): whole-file SI-SDR
improvement per SNR with the margin over the reference, on the whole set (with ``pick.py``'s
"95%, won" line: a paired bootstrap 95% interval of each margin and the share of files won) and
on each half of its utterances (every SNR and noise draw of an utterance in the same half).
Then, per folder, the checkpoints ranked by the smallest of those nine margins (three SNRs,
whole set and both halves), saying which have all nine above zero. That is the rule declared
in session 21 (``recipes/denoise/README.md``), on ``data/denoise_broad/val_ood_more``.

Nothing is chosen or averaged here (``pick.py`` and ``soup.py`` do that): the checkpoints are
judged as they are.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pick import (  # noqa: E402
    add_digits_option,
    describe,
    describe_paired,
    margins,
    not_pairs,
    on_halves,
    paired,
)

from audiocnn.denoise import pipeline  # noqa: E402


def labelled(argument: str) -> tuple[str, Path]:
    """``LABEL=PATH``, or ``PATH`` (an existing file, or no ``=``: labelled by its file name
    without the extension)."""
    label, _, path = argument.partition("=")
    if not path or Path(argument).is_file():
        return Path(argument).stem, Path(argument)
    return label, Path(path)


def judge(gains: list[float], reference_gains: list[float], names: list[str], d: int) -> tuple:
    """The lines that describe one checkpoint's gains on one folder, and its nine margins: each
    SNR's over the whole set, then over each half."""
    whole = pipeline.summarise_improvements(reference_gains, names)
    figures = pipeline.summarise_improvements(gains, names)
    lines = [describe("whole", figures, whole, d)]
    lines.append(describe_paired(paired(gains, reference_gains, names), d))
    nine = list(margins(figures, whole).values())
    halves = zip(on_halves(gains, names), on_halves(reference_gains, names), strict=True)
    for n, (mine, reference) in enumerate(halves):
        lines.append(describe(f"half {'AB'[n]}", mine, reference, d))
        nine += list(margins(mine, reference).values())
    return lines, nine


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkpoints", nargs="+", help="PATH or LABEL=PATH, one or more")
    parser.add_argument("--against", type=Path, default=pipeline.SHIPPED_WEIGHTS)
    parser.add_argument(
        "--pairs",
        type=Path,
        action="append",
        required=True,
        help="a clean/ + noisy/ folder of snrNN_ mixtures (data/denoise_broad/val_ood_more)",
    )
    parser.add_argument(
        "--int8",
        action="store_true",
        help="the checkpoints with int8 products (SpectralMaskDenoiser.int8), the reference not",
    )
    add_digits_option(parser)
    args = parser.parse_args(argv)
    if any(not_pairs(folder) for folder in args.pairs):
        return 2
    candidates = [labelled(argument) for argument in args.checkpoints]
    for label, path in candidates:
        if not path.is_file():
            print(f"error: {path}: no such checkpoint ({label})")
            return 2
    d = args.digits
    reference_model, rate = pipeline.load_denoiser(args.against)
    for root in args.pairs:
        names, reference_gains = pipeline.folder_improvements(reference_model, root, rate, False)
        if not pipeline.snr_groups(names):
            print(f"error: {root}: no snrNN_ mixtures to judge by SNR")
            return 2
        reference = pipeline.summarise_improvements(reference_gains, names)
        print(f"{root}: SI-SDR improvement per SNR (margin over {args.against})")
        print(describe("reference", reference, reference, d))
        smallest = {}
        for label, path in candidates:
            model, _ = pipeline.load_denoiser(path, int8=args.int8)
            gains = pipeline.folder_improvements(model, root, rate, False)[1]
            lines, nine = judge(gains, reference_gains, names, d)
            print(f"{label} ({path}{', int8' if args.int8 else ''}):")
            print("\n".join(lines))
            smallest[label] = min(nine)
        print(f"{root}: smallest of the nine margins (whole set and each half, every SNR)")
        for label in sorted(smallest, key=smallest.get, reverse=True):
            verdict = "all nine above zero" if smallest[label] > 0 else "not all above zero"
            print(f"{label:>12}  {smallest[label]:+.{d}f}  {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
