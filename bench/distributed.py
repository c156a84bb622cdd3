"""Training throughput with torchrun: 1 and 2 processes, the same global batch, one run.

    python bench/distributed.py [--epochs 3]

Trains the default genre network on the built-in corpus (short settings) under
`torchrun --nproc_per_node=N` for N = 1 and 2 (gloo on CPU) and prints windows/s from the
per-epoch times in history.json (the first epoch, with start-up costs, left out). On a 2-core
machine expect little or no gain: the point is correctness and the same code on bigger machines.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

RECIPE = """
[data]
windows_per_track = 4

[train]
epochs = {epochs}
batch_size = 32
max_minutes = 0.0
"""


def windows_per_second(processes: int, epochs: int, work: Path) -> float:
    recipe = work / "bench.toml"
    recipe.write_text(RECIPE.format(epochs=epochs))
    out = work / f"run{processes}"
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        f"--nproc_per_node={processes}",
        "-m",
        "audiocnn.genre",
        "train",
        "--recipe",
        str(recipe),
        "--out",
        str(out),
        "--quiet",
        "--device",
        "cpu",
    ]
    env = {**os.environ, "OMP_NUM_THREADS": str(max(1, (os.cpu_count() or 1) // processes))}
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
    history = json.loads((out / "history.json").read_text())[1:]
    return sum(r["train_windows"] for r in history) / sum(r["seconds"] for r in history)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rates = {n: windows_per_second(n, args.epochs, Path(tmp)) for n in (1, 2)}
    print(f"{os.cpu_count()} CPU cores; default genre network, global batch 32")
    for n, rate in rates.items():
        print(
            f"  {n} process{'es' if n > 1 else ''}: {rate:7.1f} windows/s ({rate / rates[1]:.2f}x)"
        )


if __name__ == "__main__":
    main()
