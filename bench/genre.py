"""Genre targets on the built-in corpus, measured in one run (issue: genre classification).

    python bench/genre.py [--minutes 3] [--skip-throughput | --only-throughput] [--busy N]

1. Our default network, trained with the built-in recipe under a time budget: track-level test
   accuracy and wall-clock training time (target: >= 97% within 3 minutes on 2 CPU cores).
2. The MFCC+SVM baseline and the seed (notebook) network on the same split, the seed network
   under the same time budget (target: the default network beats both by a clear margin).
3. Training throughput of the seed network, windows/s at batch 64: the notebook's plain loop
   (its ``Net``, whole tensors in memory, TensorDataset + DataLoader, Adam) in a fresh Python
   process as a notebook kernel runs it, against our pipeline (cached decoded audio,
   RandomWindows + DataLoader, our SeedGenreCNN with its conv -> max-pool backward that visits
   only the maxima, and the allocator setting of ``audiocnn.runtime`` that every audiocnn
   training run makes), timed in the same run (target: ours >= 3x idle, >= 2.5x busy). The
   notebook's loop is timed a second time with audiocnn's runtime settings (allocator, passive
   waiting, threads), to show where the difference comes from.

``--busy N`` prints the throughput table again with N cores kept busy by other processes.
"""

from __future__ import annotations

import audiocnn  # noqa: F401  (first: sets OpenMP's wait policy before torch loads)

# isort: split
import argparse
import os
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from busy import add_busy_option, each_condition
from torch.utils.data import DataLoader

from audiocnn import runtime
from audiocnn.config import load_recipe
from audiocnn.data import RandomWindows
from audiocnn.genre import pipeline
from audiocnn.genre.pipeline import GenreRunConfig
from audiocnn.genre.predict import run_baseline
from audiocnn.models import SeedGenreCNNConfig, model_of

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


# The genre notebook's network and training loop, as its cells have them, for a fresh process.
NOTEBOOK_LOOP = """
import sys, time
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

path, epochs, allocator = sys.argv[1], int(sys.argv[2]), sys.argv[3]
if allocator == "audiocnn":
    from audiocnn.runtime import configure
    configure()
X_train, y_train = torch.load(path)
n_genres = int(y_train.max()) + 1


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv1d(1, 10, 9, padding=4)
        self.pool1 = nn.MaxPool1d(16, padding=4)
        self.conv2 = nn.Conv1d(10, 10, 9, padding=4)
        self.pool2 = nn.MaxPool1d(16, padding=4)
        self.conv3 = nn.Conv1d(10, 10, 9, padding=4)
        self.pool3 = nn.MaxPool1d(16, padding=4)
        self.conv4 = nn.Conv1d(10, 10, 9, padding=4)
        self.pool4 = nn.MaxPool1d(16, padding=4)
        self.l1 = nn.Linear(10, n_genres)

    def forward(self, x):
        z1 = self.pool1(torch.relu(self.conv1(x)))
        z2 = self.pool2(torch.relu(self.conv2(z1)))
        z3 = self.pool3(torch.relu(self.conv3(z2)))
        z4 = self.pool4(torch.relu(self.conv4(z3)))
        return self.l1(torch.reshape(z4, (-1, 10)))


torch.manual_seed(0)
train_loader = DataLoader(TensorDataset(X_train, y_train), batch_size=64, shuffle=True)
model = Net()
criterion = torch.nn.CrossEntropyLoss(reduction="mean")
optimizer = torch.optim.Adam(model.parameters())
for epoch in range(epochs + 1):  # epoch 0 warms up and is not timed
    if epoch == 1:
        seen, started = 0, time.perf_counter()
    model.train()
    for d, t in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(d), t)
        loss.backward()
        optimizer.step()
        if epoch:
            seen += len(t)
print(seen / (time.perf_counter() - started))
"""


def throughput(epochs: int = 3) -> tuple[float, float, float]:
    """Windows/s of the seed network: the notebook's loop in a fresh process (as is, then with
    audiocnn's runtime settings) and our pipeline in this process."""
    run = seed_run(0)
    splits = pipeline.prepare_splits(run.data, progress=False)
    train_tracks = splits.tracks["train"]
    window = run.data.window_samples
    index = splits.decoded.index_of()
    # The notebook: every track's first 2**16 samples as one tensor.
    X = torch.stack(
        [
            torch.from_numpy(np.array(splits.decoded.track(index[t.path])[:window]))
            for t in train_tracks
        ]
    )[:, None]
    y = torch.tensor([t.label for t in train_tracks])
    with tempfile.TemporaryDirectory() as tmp:
        tensors = Path(tmp) / "train.pt"
        torch.save((X, y), tensors)
        notebook, notebook_tuned = (
            _notebook_rate(tensors, epochs, settings) for settings in ("system", "audiocnn")
        )
    runtime.configure()  # as fit() does
    ours = RandomWindows(splits.decoded, train_tracks, window, random_crop=False)
    torch.manual_seed(0)
    model = model_of(SeedGenreCNNConfig(n_genres=len(splits.labels)))
    rate = _windows_per_second(model, DataLoader(ours, batch_size=64, shuffle=True), epochs)
    return notebook, notebook_tuned, rate


def _notebook_rate(tensors: Path, epochs: int, settings: str) -> float:
    """The notebook's loop in a fresh process: with the environment as the user has it
    ("system"), or with audiocnn's runtime settings applied before torch loads ("audiocnn")."""
    command = [sys.executable, "-c", NOTEBOOK_LOOP, str(tensors), str(epochs), settings]
    env = dict(os.environ) if settings == "audiocnn" else runtime.original_environment()
    done = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
    return float(done.stdout.split()[-1])


def print_throughput() -> None:
    notebook, notebook_tuned, ours_rate = throughput()
    print("seed network training throughput, batch 64 (windows/s):")
    print(
        f"  notebook loop {notebook:.1f}, our pipeline {ours_rate:.1f}, "
        f"ratio {ours_rate / notebook:.2f}x (target >= 3x idle, >= 2.5x busy)"
    )
    print(
        f"  where it comes from: the notebook loop with audiocnn's runtime settings runs "
        f"{notebook_tuned:.1f} ({notebook_tuned / notebook:.2f}x); the sparse backward of "
        f"dsp.conv1d_max_pool adds {ours_rate / notebook_tuned:.2f}x"
    )


def _windows_per_second(model, loader, epochs: int) -> float:
    optimizer = torch.optim.Adam(model.parameters())
    for epoch in range(epochs + 1):  # epoch 0 warms up and is not timed
        if epoch == 1:
            seen, started = 0, time.perf_counter()
        for x, y in loader:
            optimizer.zero_grad()
            F.cross_entropy(model(x), y).backward()
            optimizer.step()
            if epoch:
                seen += len(y)
    return seen / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=3.0, help="training budget per model")
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--only-throughput", action="store_true")
    add_busy_option(parser)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    runtime.configure()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    if not args.only_throughput:
        accuracy(args.minutes)
    if not args.skip_throughput:
        each_condition(args.busy, print_throughput)


def accuracy(minutes: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        builtin = load_recipe(RECIPES / "builtin.toml", GenreRunConfig)
        builtin = replace(builtin, train=replace(builtin.train, max_minutes=minutes))
        ours, our_minutes = train_and_time(builtin, Path(tmp) / "default")
        seed, seed_minutes = train_and_time(seed_run(minutes), Path(tmp) / "seed")
        baseline = run_baseline(builtin.data, progress=False)
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


if __name__ == "__main__":
    main()
