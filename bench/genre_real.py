"""Genre on real music, measured where it matters: on packages the model never saw.

    python bench/genre_real.py [--data data/real_music] [--checkpoint runs/real_music/best.pt]

Needs `python recipes/genre/prepare_real_music.py` first. Prints, for MFCC + SVM (and for a
trained checkpoint, if given):

- the fixed package-disjoint split: trained on train + val packages, scored on the test
  packages (track-level accuracy and balanced accuracy);
- leave-one-package-out cross-validation over all 36 packages (MFCC + SVM only: one fit per
  package): balanced accuracy of the pooled predictions, and the mean and spread over folds of
  each held-out package's accuracy;
- for contrast, a split that ignores packages (5-fold stratified over tracks), which is what a
  same-package validation measures: memory of each package's production;
- with ``--network RECIPE``: that recipe's network in grouped cross-validation by package
  (``--folds``, 6 by default), next to MFCC + SVM on the same folds. In fold k the packages
  of group k are the test, those of the next group that leaves every genre in training the
  validation that picks the checkpoint, and the rest train; the confusion matrices are summed
  over folds.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

import audiocnn  # noqa: F401  (its runtime settings, before torch loads)

# isort: split
import numpy as np
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import GroupKFold, LeaveOneGroupOut, StratifiedKFold

from audiocnn.baseline import fit_svm, mfcc_statistics
from audiocnn.data import decode_files

RATE = 22050


def load_table(root: Path) -> tuple[list[Path], np.ndarray, np.ndarray, list[str]]:
    with open(root / "packages.csv", newline="") as table:
        rows = list(csv.DictReader(table))
    genres = sorted({r["genre"] for r in rows})
    paths = [root / r["path"] for r in rows]
    labels = np.array([genres.index(r["genre"]) for r in rows])
    packages = np.array([r["package"] for r in rows])
    return paths, labels, packages, genres


def features(paths: list[Path]) -> np.ndarray:
    decoded = decode_files(paths, RATE, progress=False)
    index = decoded.index_of()
    return np.stack([mfcc_statistics(decoded.track(index[p]), RATE) for p in paths])


def scores(truth, predicted) -> str:
    truth, predicted = np.asarray(truth), np.asarray(predicted)
    accuracy = float((truth == predicted).mean())
    return f"accuracy {accuracy:.1%}, balanced {balanced_accuracy_score(truth, predicted):.1%}"


def fixed_split(x, labels, packages) -> tuple[np.ndarray, np.ndarray]:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "recipes" / "genre"))
    from prepare_real_music import split_of

    test = np.array([split_of(p) == "test" for p in packages])
    svm = fit_svm(x[~test], labels[~test])
    return labels[test], svm.predict(x[test])


def leave_one_package_out(x, labels, packages) -> tuple[np.ndarray, list[float]]:
    predicted = np.empty_like(labels)
    per_fold = []
    for train, test in LeaveOneGroupOut().split(x, labels, packages):
        if len(set(labels[train])) < len(set(labels)):
            print(f"  note: without {packages[test][0]} a genre has no training track")
        predicted[test] = fit_svm(x[train], labels[train]).predict(x[test])
        per_fold.append(float((predicted[test] == labels[test]).mean()))
    return predicted, per_fold


def ignoring_packages(x, labels) -> np.ndarray:
    predicted = np.empty_like(labels)
    for train, test in StratifiedKFold(5, shuffle=True, random_state=0).split(x, labels):
        predicted[test] = fit_svm(x[train], labels[train]).predict(x[test])
    return predicted


def package_folds(labels, packages, folds: int) -> np.ndarray:
    """The fold of each track: whole packages per fold, sizes balanced (deterministic)."""
    fold = np.empty(len(labels), dtype=int)
    for k, (_, test) in enumerate(GroupKFold(folds).split(labels, labels, packages)):
        fold[test] = k
    return fold


def validation_fold(labels, fold, k: int, folds: int) -> int:
    """The fold after ``k`` whose packages can validate: training keeps every genre without it."""
    for step in range(1, folds):
        j = (k + step) % folds
        if len(set(labels[(fold != k) & (fold != j)])) == len(set(labels)):
            return j
    raise SystemExit(f"fold {k}: no other fold can be held out and still train every genre")


def link_fold(paths, labels, genres, fold, k: int, folds: int, tree: Path) -> None:
    """Folder-per-genre trees tree/{train,val,test} for fold ``k`` (symbolic links)."""
    j = validation_fold(labels, fold, k, folds)
    for path, label, f in zip(paths, labels, fold, strict=True):
        part = "test" if f == k else "val" if f == j else "train"
        target = tree / part / genres[label] / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(path.resolve())


def network_folds(recipe: Path, paths, labels, genres, fold, folds: int, work: Path):
    """Train the recipe's network once per fold; the test confusion summed over folds."""
    from dataclasses import replace

    from audiocnn.config import load_recipe
    from audiocnn.genre.pipeline import GenreRunConfig, train_genre

    run = load_recipe(recipe, GenreRunConfig)
    confusion = np.zeros((len(genres), len(genres)), dtype=int)
    for k in range(folds):
        tree = work / f"fold{k}"
        link_fold(paths, labels, genres, fold, k, folds, tree)
        data = replace(
            run.data,
            root=str(tree / "train"),
            val_root=str(tree / "val"),
            test_root=str(tree / "test"),
        )
        started = time.perf_counter()
        result = train_genre(replace(run, data=data), tree / "run", progress=False)
        confusion += np.asarray(result["confusion"])
        print(
            f"  fold {k}: {int((fold == k).sum())} test tracks, accuracy "
            f"{result['track_accuracy']:.1%}, balanced {result['balanced_accuracy']:.1%} "
            f"({time.perf_counter() - started:.0f} s)",
            flush=True,
        )
    return confusion


def pooled(confusion: np.ndarray) -> str:
    recall = np.diag(confusion) / np.maximum(confusion.sum(1), 1)
    accuracy = np.trace(confusion) / confusion.sum()
    return f"accuracy {accuracy:.1%}, balanced {recall.mean():.1%}"


def svm_folds(x, labels, fold, folds: int) -> np.ndarray:
    """MFCC + SVM on the same folds, trained on train + validation packages."""
    predicted = np.empty_like(labels)
    for k in range(folds):
        test = fold == k
        predicted[test] = fit_svm(x[~test], labels[~test]).predict(x[test])
    return predicted


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="genre on real music, split by package")
    parser.add_argument("--data", type=Path, default=Path("data/real_music"))
    parser.add_argument("--checkpoint", type=Path, help="also score this model on the test split")
    parser.add_argument("--network", type=Path, help="a genre recipe to cross-validate")
    parser.add_argument("--folds", type=int, default=6)
    parser.add_argument("--work", type=Path, default=Path("runs/genre_real_cv"))
    args = parser.parse_args(argv)
    started = time.perf_counter()
    paths, labels, packages, genres = load_table(args.data)
    print(f"{len(paths)} tracks, {len(set(packages))} packages, genres {', '.join(genres)}")
    x = features(paths)
    print(f"MFCC statistics of every track in {time.perf_counter() - started:.0f} s\n")
    print("MFCC + SVM")
    truth, predicted = fixed_split(x, labels, packages)
    print(f"  fixed package-disjoint test split ({len(truth)} tracks): {scores(truth, predicted)}")
    predicted, per_fold = leave_one_package_out(x, labels, packages)
    print(
        f"  leave-one-package-out ({len(per_fold)} folds): pooled {scores(labels, predicted)}; "
        f"per-package accuracy {np.mean(per_fold):.1%} +- {np.std(per_fold):.1%}"
    )
    print(
        f"  ignoring packages (5-fold over tracks): {scores(labels, ignoring_packages(x, labels))}"
    )
    if args.network:
        import shutil

        fold = package_folds(labels, packages, args.folds)
        shutil.rmtree(args.work, ignore_errors=True)
        print(f"\n{args.network} in {args.folds} package-grouped folds")
        confusion = network_folds(args.network, paths, labels, genres, fold, args.folds, args.work)
        print(f"  pooled over folds: {pooled(confusion)}")
        svm = svm_folds(x, labels, fold, args.folds)
        print(f"  MFCC + SVM on the same folds: {scores(labels, svm)}")
    if args.checkpoint:
        from audiocnn.genre.predict import evaluate_checkpoint

        result = evaluate_checkpoint(args.checkpoint, args.data / "test", progress=False)
        print(
            f"\n{args.checkpoint} on the test split: track-level accuracy "
            f"{result['track_accuracy']:.1%}, balanced {result['balanced_accuracy']:.1%}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
