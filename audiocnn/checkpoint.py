"""Checkpoints: plain dicts of tensors and built-in types, written atomically, loaded with
``torch.load(..., weights_only=True)`` (no pickled classes)."""

from __future__ import annotations

import os
import platform
import tempfile
from pathlib import Path

import torch
import torchaudio

import audiocnn
from audiocnn.audio import publish

FORMAT_VERSION = 1


class CheckpointError(ValueError):
    """A checkpoint file that cannot be used; the message names it."""


def versions() -> dict[str, str]:
    return {
        "audiocnn": audiocnn.__version__,
        "torch": str(torch.__version__),
        "torchaudio": str(torchaudio.__version__),
        "python": platform.python_version(),
    }


def plain(value):
    """A copy safe for JSON and ``weights_only`` loading: tuples become lists."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def save(path: str | os.PathLike, state: dict) -> Path:
    """Write ``state`` (plus format version and library versions) to a temp file, then rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        torch.save({"format_version": FORMAT_VERSION, "versions": versions(), **state}, tmp)
        publish(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load(path: str | os.PathLike) -> dict:
    """Load a checkpoint written by :func:`save` (safely: ``weights_only=True``)."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: no such checkpoint")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:
        raise CheckpointError(
            f"{path}: not a readable checkpoint ({type(error).__name__})"
        ) from None
    if not isinstance(state, dict) or state.get("format_version") != FORMAT_VERSION:
        raise CheckpointError(f"{path}: not an audiocnn checkpoint (format {FORMAT_VERSION})")
    return state
