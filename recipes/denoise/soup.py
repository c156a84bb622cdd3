"""The mean of the weights of several checkpoints, scored as the ship rule scores a run.

    python recipes/denoise/soup.py runs/soup.pt runs/broad16k_formants5/averaged.pt \
        runs/broad16k_sisdr/averaged.pt

Fine-tunes that start from the same weights stay close enough that the mean of their weights is
a network too (a "model soup", Wortsman et al., 2022): one trained for the low SNRs and one for
the high ones may meet in between. A checkpoint of a narrower design (no context branch, say) is
fitted to the last one's as ``[train] init`` fits it: it joins as the point a run from it
started. Writes the mean to OUT (``ship.py`` names what it was made from), then prints its
SI-SDR improvement per SNR on the last checkpoint's ``val_pairs`` with the margin over
``--against`` (the shipped weights), on the whole set and on each half of its utterances, as
``pick.py --halves --final`` does, with ``pick.py``'s "95%, won" line under the whole set's
margins; ``--pairs DIR`` scores on that folder too.
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
    not_pairs,
    paired,
    print_halves,
    save_mean,
)

from audiocnn import checkpoint  # noqa: E402
from audiocnn.denoise import pipeline  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="where to write the mean of the weights")
    parser.add_argument("checkpoints", type=Path, nargs="+", help="two or more checkpoints")
    parser.add_argument("--against", type=Path, default=pipeline.SHIPPED_WEIGHTS)
    parser.add_argument(
        "--pairs",
        type=Path,
        action="append",
        default=[],
        help="score on this clean/ + noisy/ folder too (data/denoise_broad/val_ood_all)",
    )
    add_digits_option(parser)
    args = parser.parse_args(argv)
    if any(not_pairs(folder) for folder in args.pairs):
        return 2
    if len(args.checkpoints) < 2:
        parser.error("a mean needs two or more checkpoints")
    if args.out.resolve() in {path.resolve() for path in args.checkpoints}:
        parser.error(f"{args.out}: would overwrite one of its own inputs")
    try:
        names = [str(path) for path in args.checkpoints]
        model, out = save_mean(args.checkpoints, args.out, names)
    except (KeyError, RuntimeError) as error:  # another design: other keys or shapes
        print(f"error: the checkpoints hold different networks: {str(error).splitlines()[0]}")
        return 2
    print(f"wrote {out}")
    reference_model, rate = pipeline.load_denoiser(args.against)
    for root in [Path(checkpoint.load(out)["run_config"]["data"]["val_pairs"]), *args.pairs]:
        names, reference_gains = pipeline.folder_improvements(reference_model, root, rate, False)
        reference = pipeline.summarise_improvements(reference_gains, names)
        print(f"{root}: SI-SDR improvement per SNR (margin over {args.against})")
        print(describe("reference", reference, reference, args.digits))
        gains = pipeline.folder_improvements(model, root, rate, False)[1]
        print(
            describe("mean", pipeline.summarise_improvements(gains, names), reference, args.digits)
        )
        print(describe_paired(paired(gains, reference_gains, names), args.digits))
        print_halves(out.stem, gains, reference_gains, names, args.digits)
    return 0


if __name__ == "__main__":
    sys.exit(main())
