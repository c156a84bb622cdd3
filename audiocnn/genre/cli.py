"""`python -m audiocnn.genre` (also `audiocnn-genre`): train, evaluate, predict, baseline.

Bad input ends with one line on stderr naming the file and the problem, and exit code 2.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

from audiocnn import checkpoint
from audiocnn.cli import report_batch, run_command
from audiocnn.config import load_recipe, override
from audiocnn.distributed import finish_distributed
from audiocnn.genre import pipeline
from audiocnn.genre import predict as inference
from audiocnn.genre.pipeline import GenreRunConfig
from audiocnn.progress import counted


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m audiocnn.genre",
        description="Music genre classification with a raw-waveform Conv1d network.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    train = sub.add_parser("train", help="train a model (built-in corpus unless --data)")
    train.add_argument("--data", help="folder-per-genre tree (GTZAN's layout works as is)")
    train.add_argument("--recipe", type=Path, help="TOML recipe (recipes/genre/*.toml)")
    train.add_argument("--genres", help="comma-separated subset, e.g. blues,metal,country,hiphop")
    train.add_argument("--val-data", help="explicit validation folder")
    train.add_argument("--test-data", help="explicit test folder")
    train.add_argument("--epochs", type=int)
    train.add_argument("--batch-size", type=int)
    train.add_argument("--max-minutes", type=float, help="time budget for training (0: none)")
    train.add_argument("--seed", type=int)
    train.add_argument(
        "--out",
        type=Path,
        default=Path("runs/genre"),
        help="where checkpoints and plots go (default %(default)s)",
    )
    train.add_argument("--resume", action="store_true", help="continue from OUT/last.pt")
    train.add_argument(
        "--init",
        type=Path,
        help="start from this checkpoint's weights (fine-tune: new optimiser and schedule)",
    )
    train.add_argument("--device", choices=["auto", "cpu", "cuda"])
    train.add_argument("--quiet", action="store_true", help="no progress bars")

    evaluate = sub.add_parser("evaluate", help="score a checkpoint on a folder-per-genre tree")
    add_model_options(evaluate)
    evaluate.add_argument("--data", type=Path, required=True)
    evaluate.add_argument("--json", action="store_true")

    predict = sub.add_parser("predict", help="top-3 genres of audio files")
    predict.add_argument("files", nargs="+", type=Path)
    add_model_options(predict)
    predict.add_argument(
        "--min-confidence",
        type=float,
        default=inference.MIN_CONFIDENCE,
        help="below this top probability a file is called uncertain (default %(default)s)",
    )
    predict.add_argument("--json", action="store_true", help="machine-readable output")

    baseline = sub.add_parser("baseline", help="MFCC + SVM baseline on the same split")
    baseline.add_argument("--data", help="default: the built-in corpus")
    baseline.add_argument("--recipe", type=Path)
    baseline.add_argument("--genres")
    baseline.add_argument("--checkpoint", type=Path, help="also print this model's test figures")
    baseline.add_argument("--run", type=Path, help="the same, for RUN/best.pt")
    return parser


def add_model_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--checkpoint", type=Path, help="a trained model, e.g. runs/genre/best.pt")
    command.add_argument(
        "--run", type=Path, help="a training run's folder (its best.pt), e.g. runs/genre"
    )


def run_config(args) -> GenreRunConfig:
    run = load_recipe(args.recipe, GenreRunConfig) if args.recipe else GenreRunConfig()
    genres = tuple(g.strip() for g in args.genres.split(",") if g.strip()) if args.genres else None
    data = override(
        run.data,
        root=args.data,
        genres=genres,
        val_root=getattr(args, "val_data", None),
        test_root=getattr(args, "test_data", None),
    )
    train = run.train
    if hasattr(args, "epochs"):
        train = override(
            train,
            epochs=args.epochs,
            batch_size=args.batch_size,
            seed=args.seed,
            max_minutes=args.max_minutes,
            init=str(args.init) if args.init else None,
            device=args.device,
        )
    return replace(run, data=data, train=train)


def cmd_train(args) -> int:
    run = run_config(args)
    started = time.monotonic()
    scores = pipeline.train_genre(run, args.out, resume=args.resume, progress=not args.quiet)
    finish_distributed()
    if not scores:  # another rank of a torchrun launch: rank 0 reports
        return 0
    minutes = (time.monotonic() - started) / 60
    print(f"\ntrained {counted(scores['epochs'], 'epoch')} in {minutes:.1f} min")
    print(f"checkpoint: {args.out / 'best.pt'} (resumable: {args.out / 'last.pt'})")
    print(f"plots:      {args.out / 'history.png'}, {args.out / 'confusion.png'}")
    print(
        f"test: track-level accuracy {scores['track_accuracy']:.1%} on "
        f"{scores['test_tracks']} tracks (window-level {scores['window_accuracy']:.1%}, "
        f"balanced {scores['balanced_accuracy']:.1%})"
    )
    return 0


def cmd_evaluate(args) -> int:
    path = inference.resolve_checkpoint(args.checkpoint, args.run)
    scores = inference.evaluate_checkpoint(path, args.data)
    if args.json:
        print(json.dumps({k: v for k, v in scores.items() if k != "report"}, indent=1))
        return 0
    print(f"checkpoint {path} on {args.data}")
    print(
        f"track-level accuracy {scores['track_accuracy']:.1%}, balanced "
        f"{scores['balanced_accuracy']:.1%}, window-level {scores['window_accuracy']:.1%}\n"
    )
    print(scores["report"])
    print("confusion matrix (rows: true, columns: predicted):")
    for row in scores["confusion"]:
        print("  " + " ".join(f"{n:4d}" for n in row))
    return 0


def cmd_predict(args) -> int:
    path = inference.resolve_checkpoint(args.checkpoint, args.run)
    results = inference.predict_files(path, args.files, min_confidence=args.min_confidence)
    failed = [r for r in results if "error" in r]
    if len(failed) < len(results):  # which model spoke, and what it can say (on stderr)
        labels = checkpoint.load(path)["labels"]
        print(f"model: {path} ({len(labels)} genres: {', '.join(labels)})", file=sys.stderr)
    if args.json:
        print(json.dumps(results, indent=1))
    for result in results:
        if "error" in result:
            print(f"error: {result['error']}", file=sys.stderr)
        elif not args.json:
            ranked = ", ".join(f"{t['genre']} {t['probability']:.1%}" for t in result["top"])
            verdict = "uncertain (" + ranked + ")" if result["uncertain"] else ranked
            print(f"{result['file']}: {verdict}")
    if len(results) > 1:
        return report_batch(len(results) - len(failed), len(failed))
    return 2 if failed else 0


def cmd_baseline(args) -> int:
    run = run_config(args)
    scores = inference.run_baseline(run.data)
    print(
        f"MFCC+SVM baseline: test track-level accuracy {scores['accuracy']:.1%} "
        f"(balanced {scores['balanced_accuracy']:.1%}) on {scores['test_tracks']} tracks"
    )
    if args.checkpoint is None and args.run is None:
        return 0
    path = inference.resolve_checkpoint(args.checkpoint, args.run)
    metrics = checkpoint.load(path).get("metrics")
    if metrics:
        print(
            f"our model ({path}): test track-level accuracy {metrics['track_accuracy']:.1%} "
            f"(balanced {metrics['balanced_accuracy']:.1%})"
        )
    return 0


COMMANDS = {
    "train": cmd_train,
    "evaluate": cmd_evaluate,
    "predict": cmd_predict,
    "baseline": cmd_baseline,
}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run_command(COMMANDS[args.command], args)
