"""Make a training checkpoint the shipped denoiser weights (``audiocnn/weights/denoiser16k.pt``).

    python recipes/denoise/ship.py runs/broad16k/last.pt

Keeps the model, its config, the run's recipe and history; drops what only resuming needs
(optimizer, schedule and random-number state), so the file is a third of ``last.pt``. Ship
weights only when they beat the shipped ones out of distribution at every SNR
(``recipes/denoise/README.md``, issue 16).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from audiocnn import checkpoint
from audiocnn.denoise.pipeline import SHIPPED_WEIGHTS

RESUME_ONLY = ("optimizer", "schedule", "torch_rng")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkpoint", type=Path)
    parser.add_argument("--out", type=Path, default=SHIPPED_WEIGHTS)
    args = parser.parse_args(argv)
    checkpoint.load_model(args.checkpoint, "denoise")  # refuses anything but a denoiser
    state = checkpoint.load(args.checkpoint)
    kept = {key: value for key, value in state.items() if key not in RESUME_ONLY}
    if averaged := state.get("averaged_from"):  # recipes/denoise/pick.py --average
        kept["shipped_from"] = f"{args.checkpoint} (the mean of {', '.join(averaged)})"
    else:
        kept["shipped_from"] = f"{args.checkpoint} (epoch {state.get('epoch', -1) + 1})"
    checkpoint.save(args.out, kept)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB) from {args.checkpoint}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
