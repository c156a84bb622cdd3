"""The one training loop both tasks use.

A task supplies the loss of a batch and an evaluation of the model; the loop does the rest:
optimiser and learning-rate schedule, seeding, a tqdm bar with the running loss and metric, a
per-epoch history, ``last.pt`` (resumable) and ``best.pt`` written atomically, early stopping
and an optional time budget.
"""

from __future__ import annotations

import contextlib
import math
import os
import random
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, Dataset, DistributedSampler

from audiocnn import checkpoint, files, plots, runtime
from audiocnn.config import check, check_choice, check_seed
from audiocnn.distributed import Distributed, resolve_device, setup_distributed, shared
from audiocnn.optim import OPTIMIZERS, SCHEDULES, make_optimizer, make_schedule
from audiocnn.progress import tqdm


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
    keep_epochs: bool = False  # also write each epoch's weights to epochs/epoch_NNN.pt (to
    # choose or average epochs afterwards)
    init: str = ""  # start from this checkpoint's weights (fine-tuning; a new optimiser and
    # schedule); weights the model has and it lacks keep their fresh values. "": from scratch

    def __post_init__(self) -> None:
        for name in ("epochs", "batch_size", "eval_every"):
            check(getattr(self, name) >= 1, f"{name} must be at least 1, got {getattr(self, name)}")
        for name in ("weight_decay", "patience", "max_minutes", "num_workers"):
            check(getattr(self, name) >= 0, f"{name} must be >= 0, got {getattr(self, name)}")
        check(self.lr > 0, f"lr must be > 0, got {self.lr}")
        check_seed("seed", self.seed)
        check_choice("optimizer", self.optimizer, OPTIMIZERS)
        check_choice("schedule", self.schedule, SCHEDULES)
        check_choice("device", self.device, ("auto", "cpu", "cuda"))


BUDGETS = ("max_minutes",)  # may differ on resume: a longer budget for the rest of a run


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


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


@dataclass
class FitResult:
    history: list[dict]
    best_path: Path
    last_path: Path
    best_value: float
    stopped_early: str  # why training stopped before the last epoch, or ""
    is_main: bool  # False on the other ranks of a torchrun launch: they write and print nothing


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

    Under torchrun the model is wrapped in DistributedDataParallel, each rank takes its share
    of every global batch of ``config.batch_size`` (a DistributedSampler), figures are summed
    over ranks, and only rank 0 evaluates, writes checkpoints and calls ``on_epoch``.

    Args:
        metadata: stored in every checkpoint (model name and config, labels, sample rate, ...).
        resume: continue from ``out_dir/last.pt`` (model, optimiser, schedule, history, RNG).
        on_epoch: called with the history after every epoch (plots, logs).
    """
    run = _start(model, train_set, config, out_dir)
    # One process per run folder: a second one (the same command typed twice, or --resume
    # while the first still runs) would write over its checkpoints and history.
    hold = files.hold_folder(out_dir) if run.ddp.is_main else contextlib.nullcontext()
    with hold:
        state = _Progress(task)
        if resume:
            _resume(state, run, metadata, config)
        else:
            if config.init:
                _initialise(run.model, Path(config.init), metadata, run.ddp.is_main)
            if run.ddp.is_main:
                _set_aside(out_dir)
        started, first_epoch = time.monotonic(), state.next_epoch
        for epoch in range(first_epoch, config.epochs):
            row = _run_epoch(run, task, train_set, epoch, config, progress)
            elapsed = time.monotonic() - started
            # Stop when another epoch as long as the average one would overrun the budget.
            per_epoch = elapsed / (epoch + 1 - first_epoch)
            out_of_time = bool(config.max_minutes) and elapsed + per_epoch > 60 * config.max_minutes
            evaluate = (epoch + 1) % config.eval_every == 0 or epoch == config.epochs - 1
            if (evaluate or out_of_time) and run.ddp.is_main:
                row.update(_evaluate(model, task, run.device))
            row, out_of_time = shared((row, out_of_time), run.ddp)
            improved = state.record(row)
            if run.ddp.is_main:
                _save(run, state, epoch, metadata, config, improved)
                files.write_json(out_dir / "history.json", state.history)
                if on_epoch is not None:
                    on_epoch(state.history)
            if _stopping(state, config, out_of_time):
                break
    model.cpu()
    return FitResult(
        state.history, run.best_path, run.last_path, state.best, state.stopped, run.ddp.is_main
    )


@dataclass
class _Run:
    """What one training run holds: the model and its wrapper, where it runs, how it steps."""

    model: nn.Module
    trained: nn.Module  # the model, or its DistributedDataParallel wrapper under torchrun
    device: torch.device
    ddp: Distributed
    optimizer: torch.optim.Optimizer
    schedule: torch.optim.lr_scheduler.LRScheduler
    sampler: DistributedSampler
    loader: DataLoader
    best_path: Path
    last_path: Path


def _start(model: nn.Module, train_set: Dataset, config: TrainConfig, out_dir: Path) -> _Run:
    """Threads, device, process group, seeds, optimiser, data loader and schedule."""
    runtime.configure()
    device = resolve_device(config.device)
    ddp = setup_distributed(device)
    if device.type == "cuda" and ddp.world > 1:
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
    seed_everything(config.seed)
    model.to(device)
    trained = model if ddp.world == 1 else DistributedDataParallel(model)
    optimizer = make_optimizer(model, config)
    sampler, loader = _make_loader(train_set, config, ddp)
    schedule = make_schedule(optimizer, config, len(loader))
    return _Run(
        model, trained, device, ddp, optimizer, schedule, sampler, loader,
        out_dir / "best.pt", out_dir / "last.pt",
    )  # fmt: skip


RUN_FILES = ("best.pt", "last.pt", "history.json", "history.png", "metrics.json", "confusion.png")


def _set_aside(out_dir: Path) -> Path | None:
    """Move an earlier run's files (checkpoints, kept epochs, history, plots) out of the way of
    a fresh run into ``out_dir``: into ``out_dir/previous-N``, N one more than the last. A run
    started again without ``--resume`` would otherwise write over them."""
    if not (out_dir / "last.pt").exists() and not (out_dir / "best.pt").exists():
        return None
    numbers = [int(p.name[9:]) for p in out_dir.glob("previous-*") if p.name[9:].isdigit()]
    aside = out_dir / f"previous-{max(numbers, default=0) + 1}"
    files.make_folder(aside)
    for name in (*RUN_FILES, "epochs"):
        if (out_dir / name).exists():
            try:
                os.replace(out_dir / name, aside / name)
            except OSError as error:
                raise files.OutputError(aside / name, os.strerror(error.errno or 0)) from None
    print(
        f"{out_dir} held an earlier run; it is now in {aside} (--resume continues a run "
        "instead of starting it again)",
        file=sys.stderr,
    )
    return aside


def _resume(state: _Progress, run: _Run, metadata: dict, config: TrainConfig) -> None:
    """Restore an interrupted run from its ``last.pt`` (refusing another task's)."""
    saved = checkpoint.load(run.last_path)
    if "task" in metadata:
        checkpoint.check_task(saved, metadata["task"], run.last_path)
    state.restore(saved, config, run.model, run.optimizer, run.schedule, run.last_path)


def _initialise(model: nn.Module, path: Path, metadata: dict, verbose: bool) -> None:
    """Load the weights of checkpoint ``path`` into ``model`` to fine-tune it.

    Every weight the checkpoint holds must fit the model (same name and shape); the model
    may have more (a branch added to an architecture, which keeps its fresh values).
    """
    saved = checkpoint.load(path)
    if "task" in metadata:
        checkpoint.check_task(saved, metadata["task"], path)
    found, wanted = saved.get("model_name"), metadata.get("model_name")
    if wanted and found != wanted:
        raise ResumeError(
            f"{path}: weights of model {found!r}, not {wanted!r}; cannot start from them"
        )
    weights = saved.get("state_dict")
    if not isinstance(weights, dict):
        raise ResumeError(f"{path}: no 'state_dict' entry; not a complete audiocnn checkpoint")
    if hasattr(model, "fit_weights"):  # e.g. a network given more inputs (new features)
        weights = model.fit_weights(weights)
    own = model.state_dict()
    for name, value in weights.items():
        if name not in own:
            raise ResumeError(f"{path}: weight {name!r} has no place in this model")
        if not isinstance(value, torch.Tensor):
            raise ResumeError(f"{path}: weight {name!r} is a {type(value).__name__}")
        if tuple(value.shape) != tuple(own[name].shape):
            raise ResumeError(
                f"{path}: weight {name!r} has shape {list(value.shape)}, "
                f"the model's {list(own[name].shape)}"
            )
    model.load_state_dict(weights, strict=False)
    fresh = sorted(set(own) - set(weights))
    if verbose:
        kept = f"; {len(fresh)} new tensors start fresh ({', '.join(fresh)})" if fresh else ""
        print(f"starting from the weights of {path}{kept}", file=sys.stderr)


def _run_epoch(run: _Run, task, train_set, epoch: int, config: TrainConfig, progress) -> dict:
    """One pass over the training set; the epoch's row of the history."""
    run.sampler.set_epoch(epoch)  # the same order on resume and on every rank
    if hasattr(train_set, "set_epoch"):
        train_set.set_epoch(epoch)
    epoch_started = time.monotonic()
    figures = _train_epoch(
        run.trained,
        task,
        run.loader,
        run.optimizer,
        run.schedule,
        run.device,
        epoch,
        config.epochs,
        progress and run.ddp.is_main,
        run.ddp,
    )
    row = {"epoch": epoch + 1, **figures, "lr": run.schedule.get_last_lr()[0]}
    row["seconds"] = time.monotonic() - epoch_started
    return row


def _evaluate(model: nn.Module, task: Task, device: torch.device) -> dict:
    model.eval()
    with torch.no_grad():
        return task.evaluate(model, device)


def _stopping(state: _Progress, config: TrainConfig, out_of_time: bool) -> bool:
    """Whether to stop before the last epoch; the reason goes to ``state.stopped``."""
    if config.patience and state.stale >= config.patience:
        state.stopped = f"early stop: no better {state.task.monitor} for {state.stale} epochs"
    elif out_of_time:
        state.stopped = f"time budget of {config.max_minutes} min reached"
    return bool(state.stopped)


def fit_best(
    model: nn.Module,
    task: Task,
    train_set: Dataset,
    config: TrainConfig,
    out_dir: Path,
    *,
    metadata: dict,
    resume: bool = False,
    progress: bool = True,
    plot_metric: str = "accuracy",
) -> tuple[FitResult, dict | None]:
    """:func:`fit` with the history plotted to ``out_dir/history.png`` each epoch, then, on
    rank 0, ``best.pt`` loaded back into ``model``. Returns the result and the best checkpoint
    (``None`` on the other ranks of a torchrun launch)."""
    files.make_folder(out_dir)
    result = fit(
        model,
        task,
        train_set,
        config,
        out_dir,
        metadata=metadata,
        resume=resume,
        progress=progress,
        on_epoch=lambda h: plots.plot_history(h, out_dir / "history.png", plot_metric),
    )
    if not result.is_main:
        return result, None
    if result.stopped_early:
        print(result.stopped_early, file=sys.stderr)
    best = checkpoint.load(result.best_path)
    model.load_state_dict(best["state_dict"])
    return result, best


def save_metrics(result: FitResult, best: dict, scores: dict, out_dir: Path) -> None:
    """Final scores into ``best.pt`` and ``metrics.json``, both written atomically."""
    scores = checkpoint.plain(scores)
    checkpoint.save(result.best_path, {**best, "metrics": scores})
    files.write_json(out_dir / "metrics.json", scores)


class _Progress:
    """History, best monitor value (with its tie-break) and epochs without improvement."""

    def __init__(self, task: Task) -> None:
        self.task = task
        self.history: list[dict] = []
        self.best = -math.inf if task.monitor_mode == "max" else math.inf
        self.best_tiebreak = math.inf
        self.stale = 0
        self.next_epoch = 0
        self.stopped = ""

    def restore(self, state, config, model, optimizer, schedule, path) -> None:
        saved = asdict(TrainConfig()) | state["train_config"]  # keys added since: defaults
        wanted = asdict(config)
        for name in BUDGETS:  # this process's budget, not the run's setup
            saved[name] = wanted[name]
        if saved != wanted:
            changed = sorted(k for k, v in wanted.items() if saved.get(k) != v)
            raise ResumeError(
                f"{path}: cannot resume with a different training setup "
                f"(changed: {', '.join(changed)}); use the interrupted run's settings"
            )
        model.load_state_dict(state["state_dict"])
        optimizer.load_state_dict(state["optimizer"])
        schedule.load_state_dict(state["schedule"])
        torch.set_rng_state(state["torch_rng"])
        self.history, self.best = state["history"], state["best_value"]
        self.best_tiebreak, self.stale = state["best_tiebreak"], state["stale"]
        self.next_epoch = state["epoch"] + 1

    def record(self, row: dict) -> bool:
        """Add an epoch's row; True when it is the best so far."""
        self.history.append(row)
        value = row.get(self.task.monitor)
        if value is None:
            return False
        tiebreak = row.get(self.task.tiebreak, math.inf) if self.task.tiebreak else math.inf
        better = value > self.best if self.task.monitor_mode == "max" else value < self.best
        improved = better or (value == self.best and tiebreak < self.best_tiebreak)
        self.stale = 0 if better else self.stale + 1  # a tie-break win is no real progress
        if improved:
            self.best, self.best_tiebreak = value, tiebreak
        return improved


def _make_loader(train_set: Dataset, config: TrainConfig, ddp: Distributed):
    if config.batch_size % ddp.world:
        raise ValueError(
            f"batch_size {config.batch_size} must divide evenly over {ddp.world} processes"
        )
    # One sampler for 1 or N processes: rank r takes every N-th index of the same seeded
    # permutation, so N processes see exactly the global batches one process would.
    sampler = DistributedSampler(
        train_set,
        num_replicas=ddp.world,
        rank=ddp.rank,
        shuffle=True,
        seed=config.seed,
        drop_last=True,
    )
    per_rank = config.batch_size // ddp.world
    loader = DataLoader(
        train_set,
        per_rank,
        sampler=sampler,
        drop_last=len(sampler) > per_rank,
        num_workers=config.num_workers,
    )
    return sampler, loader


def _save(
    run: _Run, state: _Progress, epoch: int, metadata: dict, config: TrainConfig, improved: bool
) -> None:
    common = {
        **metadata,
        "history": state.history,
        "epoch": epoch,
        "best_value": state.best,
        "best_tiebreak": state.best_tiebreak,
        "stale": state.stale,
        "train_config": asdict(config),
    }
    weights = run.model.state_dict()
    if improved or not run.best_path.exists():
        checkpoint.save(run.best_path, {**common, "state_dict": weights})
    if config.keep_epochs:
        kept = run.best_path.parent / "epochs" / f"epoch_{epoch + 1:03d}.pt"
        files.make_folder(kept.parent)
        checkpoint.save(kept, {**common, "state_dict": weights})
    checkpoint.save(
        run.last_path,
        {
            **common,
            "state_dict": weights,
            "optimizer": run.optimizer.state_dict(),
            "schedule": run.schedule.state_dict(),
            "torch_rng": torch.get_rng_state(),
        },
    )


def _train_epoch(model, task, loader, optimizer, schedule, device, epoch, epochs, progress, ddp):
    model.train()
    totals: dict[str, float] = {"loss": 0.0, "items": 0.0}
    bar = tqdm(loader, desc=f"epoch {epoch + 1}/{epochs}", leave=False, disable=not progress)
    for batch in bar:
        loss, figures = task.batch_loss(model, batch, device)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        schedule.step()
        n = len(batch[0])
        totals["loss"] += loss.item() * n
        totals["items"] += n
        for key, value in figures.items():
            totals[key] = totals.get(key, 0.0) + value * n
        bar.set_postfix(
            {k: f"{v / totals['items']:.4f}" for k, v in totals.items() if k != "items"}
        )
    if ddp.world > 1:  # sum over ranks, so every rank reports the whole epoch
        keys = sorted(totals)
        summed = torch.tensor([totals[k] for k in keys], dtype=torch.float64)
        dist.all_reduce(summed)
        totals = dict(zip(keys, summed.tolist(), strict=True))
    items = max(1.0, totals.pop("items"))
    return {"train_windows": int(items), **{f"train_{k}": v / items for k, v in totals.items()}}
