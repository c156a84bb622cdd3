"""Genre targets on the built-in corpus, measured in one run (issue: genre classification).

    python bench/genre.py [--minutes 3] [--skip-throughput]

1. Our default network, trained with the built-in recipe under a time budget: track-level test
   accuracy and wall-clock training time (target: >= 97% within 3 minutes on 2 CPU cores).
2. The MFCC+SVM baseline and the seed (notebook) network on the same split, the seed network
   under the same time budget (target: the default network beats both by a clear margin).
3. Training throughput of the seed network, windows/s at batch 64: the notebook's plain loop
   (whole tensors in memory, TensorDataset + DataLoader) against our pipeline (cached decoded
   audio, RandomWindows + DataLoader), timed in the same run (target: ours >= 3x).
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

from audiocnn.config import load_recipe
from audiocnn.data import RandomWindows
from audiocnn.genre import pipeline
from audiocnn.genre.pipeline import GenreRunConfig
from audiocnn.models import GenreCNNConfig, genre_model

RECIPES = Path(__file__).resolve().parent.parent / "recipes" / "genre"


def train_and_time(run: GenreRunConfig, out: Path) -> tuple[dict, float]:
    started = time.monotonic()
    scores = pipeline.train_genre(run, out, progress=False)
    return scores, (time.monotonic() - started) / 60


def seed_run(minutes: float) -> GenreRunConfig:
    """The seed network and data shape (2**16 samples at 2756.25 Hz), on the built-in split."""
    seed = load_recipe(RECIPES / "seed_gtzan4.toml", GenreRunConfig)
    builtin = load_recipe(RECIPES / "builtin.toml", GenreRunConfig)
    data = replace(
        seed.data,
        split=builtin.data.split,
        val_size=builtin.data.val_size,
        test_size=builtin.data.test_size,
        split_seed=builtin.data.split_seed,
        genres=(),
    )
    train = replace(seed.train, epochs=10_000, eval_every=5, max_minutes=minutes)
    return replace(seed, data=data, train=train)


def throughput(epochs: int = 2) -> tuple[float, float]:
    """Windows/s of the seed network: the notebook's loop against our pipeline."""
    run = seed_run(0)
    splits = pipeline.prepare_splits(run.data, progress=False)
    train_tracks = splits.tracks["train"]
    window = run.data.window_samples
    index = splits.decoded.index_of()
    # The notebook: every track's first 2**16 samples as one tensor, TensorDataset, DataLoader.
    X = torch.stack(
        [
            torch.from_numpy(np.array(splits.decoded.track(index[t.path])[:window]))
            for t in train_tracks
        ]
    )[:, None]
    y = torch.tensor([t.label for t in train_tracks])
    notebook_loader = DataLoader(TensorDataset(X, y), batch_size=64, shuffle=True)
    ours = RandomWindows(splits.decoded, train_tracks, window, random_crop=False)
    our_loader = DataLoader(ours, batch_size=64, shuffle=True)
    rates = []
    for loader in (notebook_loader, our_loader):
        torch.manual_seed(0)
        model = genre_model(GenreCNNConfig.seed(len(splits.labels)))
        rates.append(_windows_per_second(model, loader, epochs))
    return rates[0], rates[1]


def _windows_per_second(model, loader, epochs: int) -> float:
    optimizer = torch.optim.Adam(model.parameters())
    seen, started = 0, time.perf_counter()
    for _ in range(epochs):
        for x, y in loader:
            optimizer.zero_grad()
            F.cross_entropy(model(x), y).backward()
            optimizer.step()
            seen += len(y)
    return seen / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=3.0, help="training budget per model")
    parser.add_argument("--skip-throughput", action="store_true")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    with tempfile.TemporaryDirectory() as tmp:
        builtin = load_recipe(RECIPES / "builtin.toml", GenreRunConfig)
        builtin = replace(builtin, train=replace(builtin.train, max_minutes=args.minutes))
        ours, our_minutes = train_and_time(builtin, Path(tmp) / "default")
        seed, seed_minutes = train_and_time(seed_run(args.minutes), Path(tmp) / "seed")
        baseline = pipeline.run_baseline(builtin.data, progress=False)
    print(f"\nbuilt-in corpus, test split of {ours['test_tracks']} tracks (track level):")
    print(f"  {'model':<28}{'accuracy':>10}{'balanced':>10}{'train min':>11}")
    print(
        f"  {'default network (ours)':<28}{ours['track_accuracy']:>10.1%}"
        f"{ours['balanced_accuracy']:>10.1%}{our_minutes:>11.2f}"
    )
    print(
        f"  {'seed network (notebook)':<28}{seed['track_accuracy']:>10.1%}"
        f"{seed['balanced_accuracy']:>10.1%}{seed_minutes:>11.2f}"
    )
    print(
        f"  {'MFCC + SVM baseline':<28}{baseline['accuracy']:>10.1%}"
        f"{baseline['balanced_accuracy']:>10.1%}{'':>11}"
    )
    if not args.skip_throughput:
        notebook, ours_rate = throughput()
        print("\nseed network training throughput, batch 64 (windows/s):")
        print(
            f"  notebook loop {notebook:.1f}, our pipeline {ours_rate:.1f}, "
            f"ratio {ours_rate / notebook:.2f}x (target >= 3x)"
        )


if __name__ == "__main__":
    main()
