"""Training on several processes or machines with ``torchrun``: joining and leaving the
process group, and what rank 0 does for the others."""

from __future__ import annotations

import contextlib
import gc
import os
from dataclasses import dataclass

import torch
import torch.distributed as dist


def resolve_device(name: str) -> torch.device:
    """``"auto"`` (CUDA when there is one), ``"cpu"`` or ``"cuda"``."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError("--device cuda was asked for but no CUDA device is available")
    return torch.device(name)


@dataclass
class Distributed:
    """Where this process stands in a ``torchrun`` launch (world of 1 when not launched so)."""

    world: int = 1
    rank: int = 0

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def setup_distributed(device: torch.device) -> Distributed:
    """Join the process group when started by torchrun (``WORLD_SIZE`` > 1): gloo on CPU,
    nccl on GPU. Rendezvous comes from torchrun's environment (single or multi node)."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return Distributed()
    if not dist.is_initialized():
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    return Distributed(dist.get_world_size(), dist.get_rank())


@contextlib.contextmanager
def main_process_first(device_name: str = "auto"):
    """Let rank 0 run the block (generate corpora, fill caches) before the other ranks do."""
    ddp = setup_distributed(resolve_device(device_name))
    if not ddp.is_main:
        dist.barrier()
    yield ddp
    if ddp.is_main and ddp.world > 1:
        dist.barrier()


def finish_distributed() -> None:
    """Leave a torchrun process group cleanly, on every rank.

    Ranks wait for each other first (rank 0 finishes last: it evaluates and writes), then what
    still holds the group (a DistributedDataParallel wrapper caught in a reference cycle) is
    freed and the group destroyed while the interpreter is whole. A rank that left with gloo's
    worker threads still alive could abort at exit (SIGABRT), failing the whole launch.
    """
    if dist.is_initialized():
        dist.barrier()
        gc.collect()
        dist.destroy_process_group()


def shared(value, ddp: Distributed):
    """Rank 0's ``value`` on every rank (evaluation runs on rank 0 only)."""
    if ddp.world == 1:
        return value
    box = [value]
    dist.broadcast_object_list(box, src=0)
    return box[0]
