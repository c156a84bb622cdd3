"""The one training loop both tasks use.

A task supplies the loss of a batch and an evaluation of the model; the loop does the rest:
optimiser and learning-rate schedule, seeding, a tqdm bar with the running loss and metric, a
per-epoch history, ``last.pt`` (resumable) and ``best.pt`` written atomically, early stopping
and an optional time budget.
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset
from tqdm.auto import tqdm

from audiocnn import checkpoint


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 30
    batch_size: int = 32
    optimizer: str = "adamw"  # "adamw", "adam" or "sgd"
    lr: float = 3e-3  # peak learning rate
    weight_decay: float = 1e-2  # AdamW/SGD only
    schedule: str = "onecycle"  # "onecycle", "cosine" or "constant"
    seed: int = 0
    patience: int = 0  # stop after this many epochs without a better monitor value; 0: never
    max_minutes: float = 0.0  # wall-clock budget: no epoch starts that would end past it; 0: none
    device: str = "auto"  # "auto", "cpu" or "cuda"
    num_workers: int = 0  # DataLoader workers; 0 loads in the training process
    eval_every: int = 1  # evaluate every N epochs (and after the last)


class ResumeError(ValueError):
    """A run that cannot be resumed as asked; the message names the checkpoint."""


class Task(Protocol):
    """What a task gives the loop."""

    monitor: str  # history key that picks best.pt, e.g. "val_track_accuracy"
    monitor_mode: str  # "max" or "min"
    tiebreak: str | None  # history key (lower is better) that breaks ties, e.g. "val_loss"

    def batch_loss(
        self, model: nn.Module, batch, device: torch.device
    ) -> tuple[torch.Tensor, dict]:
        """Loss of one training batch and running figures to show (e.g. accuracy)."""
        ...

    def evaluate(self, model: nn.Module, device: torch.device) -> dict[str, float]:
        """Validation figures after an epoch, keys prefixed ``val_``."""
        ...


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError("--device cuda was asked for but no CUDA device is available")
    return torch.device(name)


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def make_optimizer(model: nn.Module, config: TrainConfig) -> torch.optim.Optimizer:
    if config.optimizer == "adamw":
        return torch.optim.AdamW(model.parameters(), config.lr, weight_decay=config.weight_decay)
    if config.optimizer == "adam":
        return torch.optim.Adam(model.parameters(), config.lr)
    if config.optimizer == "sgd":
        return torch.optim.SGD(model.parameters(), config.lr, weight_decay=config.weight_decay)
    raise ValueError(f"optimizer must be 'adamw', 'adam' or 'sgd', got {config.optimizer!r}")


def make_schedule(optimizer, config: TrainConfig, steps_per_epoch: int):
    total = max(1, config.epochs * steps_per_epoch)
    if config.schedule == "onecycle":
        return torch.optim.lr_scheduler.OneCycleLR(optimizer, config.lr, total_steps=total)
    if config.schedule == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, total)
    if config.schedule == "constant":
        return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0)
    raise ValueError(
        f"schedule must be 'onecycle', 'cosine' or 'constant', got {config.schedule!r}"
    )


@dataclass
class FitResult:
    history: list[dict]
    best_path: Path
    last_path: Path
    best_value: float
    stopped_early: str  # why training stopped before the last epoch, or ""


def fit(
    model: nn.Module,
    task: Task,
    train_set: Dataset,
    config: TrainConfig,
    out_dir: Path,
    *,
    metadata: dict,
    resume: bool = False,
    on_epoch: Callable[[list[dict]], None] | None = None,
    progress: bool = True,
) -> FitResult:
    """Train ``model`` on ``train_set`` with ``task``'s loss; checkpoints go to ``out_dir``.

    Args:
        metadata: stored in every checkpoint (model name and config, labels, sample rate, ...).
        resume: continue from ``out_dir/last.pt`` (model, optimiser, schedule, history, RNG).
        on_epoch: called with the history after every evaluated epoch (plots, logs).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    device = resolve_device(config.device)
    seed_everything(config.seed)
    model.to(device)
    optimizer = make_optimizer(model, config)
    loader_generator = torch.Generator()
    loader = DataLoader(
        train_set,
        config.batch_size,
        shuffle=True,
        drop_last=len(train_set) > config.batch_size,
        num_workers=config.num_workers,
        generator=loader_generator,
    )
    schedule = make_schedule(optimizer, config, len(loader))
    history: list[dict] = []
    best = -math.inf if task.monitor_mode == "max" else math.inf
    best_tiebreak = math.inf
    start_epoch = 0
    last_path, best_path = out_dir / "last.pt", out_dir / "best.pt"
    if resume:
        state = checkpoint.load(last_path)
        if state["train_config"] != asdict(config):
            changed = sorted(
                k for k, v in asdict(config).items() if state["train_config"].get(k) != v
            )
            raise ResumeError(
                f"{last_path}: cannot resume with a different training setup "
                f"(changed: {', '.join(changed)}); use the interrupted run's settings"
            )
        model.load_state_dict(state["state_dict"])
        optimizer.load_state_dict(state["optimizer"])
        schedule.load_state_dict(state["schedule"])
        history, best, start_epoch = state["history"], state["best_value"], state["epoch"] + 1
        best_tiebreak = state["best_tiebreak"]
        torch.set_rng_state(state["torch_rng"])
    stale, stopped, started = 0, "", time.monotonic()
    for epoch in range(start_epoch, config.epochs):
        loader_generator.manual_seed(config.seed * 1000 + epoch)  # same order on resume
        if hasattr(train_set, "set_epoch"):
            train_set.set_epoch(epoch)
        row = {
            "epoch": epoch + 1,
            **_train_epoch(
                model, task, loader, optimizer, schedule, device, epoch, config.epochs, progress
            ),
        }
        row["lr"] = schedule.get_last_lr()[0]
        elapsed = time.monotonic() - started
        # Stop when another epoch as long as the average one would overrun the budget.
        per_epoch = elapsed / (epoch + 1 - start_epoch)
        out_of_time = config.max_minutes and elapsed + per_epoch > 60 * config.max_minutes
        last_epoch = epoch == config.epochs - 1 or out_of_time
        if (epoch + 1) % config.eval_every == 0 or last_epoch:
            model.eval()
            with torch.no_grad():
                row.update(task.evaluate(model, device))
        history.append(row)
        value = row.get(task.monitor)
        tiebreak = row.get(task.tiebreak, math.inf) if task.tiebreak else math.inf
        improved = value is not None and (
            (value > best if task.monitor_mode == "max" else value < best)
            or (value == best and tiebreak < best_tiebreak)
        )
        if improved:
            stale = 0 if value != best else stale + 1  # a tie-break win is no real progress
            best, best_tiebreak = value, tiebreak
        elif value is not None:
            stale += 1
        common = {
            **metadata,
            "history": history,
            "epoch": epoch,
            "best_value": best,
            "best_tiebreak": best_tiebreak,
            "train_config": asdict(config),
        }
        if improved or not best_path.exists():
            checkpoint.save(best_path, {**common, "state_dict": model.state_dict()})
        checkpoint.save(
            last_path,
            {
                **common,
                "state_dict": model.state_dict(),
                "optimizer": optimizer.state_dict(),
                "schedule": schedule.state_dict(),
                "torch_rng": torch.get_rng_state(),
            },
        )
        (out_dir / "history.json").write_text(json.dumps(history, indent=1))
        if on_epoch is not None:
            on_epoch(history)
        if config.patience and stale >= config.patience:
            stopped = f"early stop: no better {task.monitor} for {stale} epochs"
            break
        if out_of_time:
            stopped = f"time budget of {config.max_minutes} min reached"
            break
    model.cpu()
    return FitResult(history, best_path, last_path, best, stopped)


def _train_epoch(model, task, loader, optimizer, schedule, device, epoch, epochs, progress):
    model.train()
    total_loss, total_items, shown = 0.0, 0, {}
    bar = tqdm(loader, desc=f"epoch {epoch + 1}/{epochs}", leave=False, disable=not progress)
    for batch in bar:
        loss, figures = task.batch_loss(model, batch, device)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        schedule.step()
        n = len(batch[0])
        total_loss += loss.item() * n
        total_items += n
        for key, value in figures.items():
            shown[key] = shown.get(key, 0.0) + value * n
        bar.set_postfix(
            loss=f"{total_loss / total_items:.4f}",
            **{k: f"{v / total_items:.3f}" for k, v in shown.items()},
        )
    row = {"train_loss": total_loss / max(1, total_items)}
    row.update({f"train_{k}": v / max(1, total_items) for k, v in shown.items()})
    return row
