"""`python -m audiocnn.denoise` (also `audiocnn-denoise`).

    python -m audiocnn.denoise IN.wav -o OUT.wav        # shipped weights; also spelled `run`
    python -m audiocnn.denoise IN_DIR -o OUT_DIR         # every audio file, tree mirrored
    python -m audiocnn.denoise train [--pairs DIR | --clean DIR --noise DIR] [--recipe FILE]
    python -m audiocnn.denoise evaluate --pairs DIR [--checkpoint CKPT]
    python -m audiocnn.denoise compare --pairs DIR

Bad input ends with one line on stderr naming the file and the problem, and exit code 2.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

from audiocnn.cli import RESUME_HINT, USER_ERRORS, report_batch, run_command
from audiocnn.config import load_recipe, override
from audiocnn.denoise import pipeline
from audiocnn.denoise.pipeline import DenoiseRunConfig
from audiocnn.distributed import finish_distributed
from audiocnn.progress import counted

COMMANDS = ("run", "train", "evaluate", "compare")
INTERRUPTED_RUN = (
    "interrupted; outputs already written are complete and the one in progress was not "
    "written: run again with --skip-existing to go on"
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m audiocnn.denoise",
        description="Remove noise with a learned causal MIMO FIR filter network.",
        epilog="`python -m audiocnn.denoise IN -o OUT` is short for `... run IN -o OUT`.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="denoise files or folders")
    run.add_argument("inputs", nargs="+", type=Path, help="audio files or folders")
    run.add_argument(
        "-o", "--output", type=Path, required=True, help="output file (one input) or folder"
    )
    run.add_argument(
        "--checkpoint",
        type=Path,
        help="default: the weights shipped with audiocnn; gentle: their gentler variant",
    )
    run.add_argument(
        "--limit-db",
        type=float,
        help="remove at most this many dB (the output mixed with the input): milder, e.g. 12",
    )
    run.add_argument(
        "--int8",
        action="store_true",
        help="int8 products in the gain network: faster on a CPU, output not bit for bit the same",
    )
    run.add_argument(
        "--skip-existing",
        action="store_true",
        help="leave outputs that are already there and complete (same length and rate)",
    )
    run.add_argument("--quiet", action="store_true", help="no progress bars")

    train = sub.add_parser("train", help="train a denoiser (built-in corpus unless data given)")
    train.add_argument("--pairs", help="folder with clean/ and noisy/ (same file names)")
    train.add_argument("--clean", help="clean folder, mixed with --noise on the fly")
    train.add_argument("--noise", help="noise folder")
    train.add_argument("--val-pairs", help="validation folder with clean/ and noisy/")
    train.add_argument("--recipe", type=Path, help="TOML recipe (recipes/denoise/*.toml)")
    train.add_argument("--epochs", type=int)
    train.add_argument("--max-minutes", type=float)
    train.add_argument("--seed", type=int)
    train.add_argument("--out", type=Path, default=Path("runs/denoise"))
    train.add_argument("--resume", action="store_true", help="continue from OUT/last.pt")
    train.add_argument(
        "--init",
        type=Path,
        help="start from this checkpoint's weights (fine-tune: new optimiser and schedule)",
    )
    train.add_argument("--device", choices=["auto", "cpu", "cuda"])
    train.add_argument("--quiet", action="store_true")

    evaluate = sub.add_parser("evaluate", help="L1, SNR, SI-SDR (and PESQ, STOI) on pairs")
    evaluate.add_argument("--pairs", type=Path, required=True)
    evaluate.add_argument(
        "--checkpoint", type=Path, help="default: the shipped weights (gentle: the variant)"
    )
    evaluate.add_argument("--limit-db", type=float, help="remove at most this many dB")
    evaluate.add_argument("--int8", action="store_true", help="int8 products in the gain network")
    evaluate.add_argument("--json", action="store_true")

    compare = sub.add_parser("compare", help="ours against established denoisers, one table")
    compare.add_argument(
        "--pairs",
        type=Path,
        action="append",
        required=True,
        help="clean/ + noisy/ folder; repeat it for one table per set (in and out of domain)",
    )
    compare.add_argument(
        "--gain-db",
        type=float,
        default=0.0,
        help="scale every mixture (and its clean signal) by this many dB first: level invariance",
    )
    compare.add_argument(
        "--checkpoint", type=Path, action="append", help="extra checkpoints to score (repeatable)"
    )
    compare.add_argument(
        "--limit-db",
        type=float,
        action="append",
        default=[],
        help="also score our denoisers removing at most this many dB (repeatable)",
    )
    compare.add_argument(
        "--int8", action="store_true", help="also score our denoisers with int8 products"
    )
    compare.add_argument("--json", action="store_true")
    return parser


def cmd_run(args) -> int:
    from audiocnn.denoise.stream import denoise_file, is_complete, output_paths

    pairs = output_paths(args.inputs, args.output)  # collisions are refused before any work
    model, rate = pipeline.load_denoiser(args.checkpoint, args.limit_db, int8=args.int8)
    done, failed, skipped = 0, 0, 0
    for source, target in pairs:
        if args.skip_existing and is_complete(source, target):
            skipped += 1
            continue
        started = time.perf_counter()
        try:
            result = denoise_file(model, rate, source, target, progress=not args.quiet)
        except USER_ERRORS as error:
            if len(pairs) == 1:
                raise
            print(f"error: {error}", file=sys.stderr)
            failed += 1
            continue
        seconds = result["frames"] / result["sample_rate"]
        took = time.perf_counter() - started
        print(f"{source} -> {target} ({seconds:.1f} s of audio in {took:.1f} s)")
        done += 1
    return report_batch(done, failed, skipped) if len(pairs) > 1 else 0


def cmd_train(args) -> int:
    run = load_recipe(args.recipe, DenoiseRunConfig) if args.recipe else DenoiseRunConfig()
    data = override(
        run.data, pairs=args.pairs, clean=args.clean, noise=args.noise, val_pairs=args.val_pairs
    )
    train = override(
        run.train,
        epochs=args.epochs,
        max_minutes=args.max_minutes,
        init=str(args.init) if args.init else None,
        seed=args.seed,
        device=args.device,
    )
    run = replace(run, data=data, train=train)
    scores = pipeline.train_denoiser(run, args.out, resume=args.resume, progress=not args.quiet)
    finish_distributed()
    if not scores:  # another rank of a torchrun launch: rank 0 reports
        return 0
    print(
        f"\ntrained {counted(scores['epochs'], 'epoch')}; checkpoint {args.out / 'best.pt'} "
        f"(resumable: {args.out / 'last.pt'}); curves {args.out / 'history.png'}"
    )
    print(
        f"validation: SI-SDR {scores['si_sdr']:.2f} dB ({scores['si_sdr_improvement']:+.2f} dB "
        f"over the noisy input), SNR {scores['snr']:.2f} dB "
        f"({scores['snr_improvement']:+.2f} dB), L1 {scores['l1']:.4f}"
    )
    return 0


def cmd_evaluate(args) -> int:
    scores = pipeline.evaluate_pairs(
        args.checkpoint, args.pairs, limit_db=args.limit_db, int8=args.int8
    )
    if args.json:
        print(json.dumps(scores, indent=1))
        return 0
    print(f"{counted(scores['files'], 'file')} from {args.pairs}")
    for key in ("l1", "snr", "si_sdr", "pesq_wb", "stoi"):
        if key in scores:
            before = scores.get(f"{key}_input")
            change = f" (input {before:.3f}, change {scores[key] - before:+.3f})" if before else ""
            print(f"  {key:<8}{scores[key]:.3f}{change}")
    return 0


def cmd_compare(args) -> int:
    from audiocnn.denoise.compare import compare, format_table

    tables = {}
    for root in args.pairs:
        tables[str(root)] = compare(
            root,
            args.checkpoint or [],
            gain_db=args.gain_db,
            limits_db=args.limit_db,
            int8=args.int8,
        )
        if not args.json:
            print(f"{root}" + (f" at {args.gain_db:+g} dB" if args.gain_db else ""))
            print(format_table(tables[str(root)]) + "\n")
    if args.json:
        print(json.dumps(tables, indent=1))
    return 0


HANDLERS = {"run": cmd_run, "train": cmd_train, "evaluate": cmd_evaluate, "compare": cmd_compare}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] not in COMMANDS and argv[0] not in ("-h", "--help"):
        argv.insert(0, "run")
    args = build_parser().parse_args(argv)
    interrupted = RESUME_HINT if args.command == "train" else INTERRUPTED_RUN
    return run_command(HANDLERS[args.command], args, interrupted=interrupted)
