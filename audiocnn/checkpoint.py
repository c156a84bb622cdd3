"""Checkpoints: plain dicts of tensors and built-in types, written atomically, loaded with
``torch.load(..., weights_only=True)`` (no pickled classes)."""

from __future__ import annotations

import io
import os
import pickle
import platform
import zipfile
from pathlib import Path

import torch
import torchaudio

import audiocnn
from audiocnn import files

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
    buffer = io.BytesIO()  # serialised in memory: torch reports a short write only vaguely
    torch.save({"format_version": FORMAT_VERSION, "versions": versions(), **state}, buffer)
    return files.write_bytes(path, buffer.getvalue())


def load(path: str | os.PathLike) -> dict:
    """Load a checkpoint written by :func:`save` (safely: ``weights_only=True``)."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: no such checkpoint")
    if not zipfile.is_zipfile(path):  # torch.save has written zip archives since torch 1.6
        raise CheckpointError(
            f"{path}: not a checkpoint: not the zip archive torch.save writes (another kind of "
            "file, or one cut short)"
        )
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError:
        raise CheckpointError(
            f"{path}: not an audiocnn checkpoint: it holds pickled objects besides tensors and "
            "plain values, which are not loaded (weights_only=True)"
        ) from None
    except Exception as error:
        raise CheckpointError(
            f"{path}: not a readable checkpoint ({type(error).__name__}: {_first_line(error)})"
        ) from None
    if not isinstance(state, dict) or state.get("format_version") != FORMAT_VERSION:
        raise CheckpointError(f"{path}: not an audiocnn checkpoint (format {FORMAT_VERSION})")
    return state


def _first_line(error: Exception, limit: int = 120) -> str:
    text = (str(error).strip().splitlines() or [""])[0]
    return text if len(text) <= limit else text[: limit - 3] + "..."


# What each task's code reads from a checkpoint besides the model, with the type it must be.
REQUIRED = {
    "genre": {
        "labels": list,
        "sample_rate": (int, float),
        "window_samples": int,
        "eval_hop": (int, float),
    },
    "denoise": {"sample_rate": (int, float)},
}


def load_model(path: str | os.PathLike, task: str):
    """The model stored in a checkpoint of ``task`` (``"genre"`` or ``"denoise"``), in eval
    mode, and the checkpoint's dict.

    Raises:
        CheckpointError: not an audiocnn checkpoint, another task's, or one whose entries,
            model config or weights do not fit (one line naming the file and the entry).
    """
    from audiocnn.models import build_model

    path = Path(path)
    state = load(path)
    check_task(state, task, path)
    for key, kind in {"model_name": str, "model_config": dict, "state_dict": dict}.items():
        _check_entry(state, key, kind, path)
    for key, kind in REQUIRED[task].items():
        _check_entry(state, key, kind, path)
    name = _brief(state["model_name"])
    try:
        model = build_model(state["model_name"], state["model_config"])
    except (TypeError, ValueError, KeyError, AttributeError, RuntimeError) as error:
        raise CheckpointError(
            f"{path}: model {name} cannot be built from its config ({_first_line(error)})"
        ) from None
    try:
        model.load_state_dict(state["state_dict"])
    except (RuntimeError, TypeError, ValueError, KeyError, AttributeError) as error:
        raise CheckpointError(
            f"{path}: its weights do not fit {name} ({_first_line(error)})"
        ) from None
    _check_values(state, task, path)
    _dry_run(model.eval(), state, task, path)
    return model, state


MAX_WINDOW_SAMPLES = 10**7  # a genre window longer than this is not a model, it is an attack


def _check_values(state: dict, task: str, path: Path) -> None:
    if not 0 < state["sample_rate"] < 10**6:
        raise CheckpointError(f"{path}: sample_rate {_brief(state['sample_rate'])} Hz")
    if task != "genre":
        return
    if not all(isinstance(label, str) for label in state["labels"]):
        raise CheckpointError(f"{path}: entry 'labels' must be a list of names")
    if not 0 < state["window_samples"] <= MAX_WINDOW_SAMPLES:
        raise CheckpointError(f"{path}: window_samples {state['window_samples']} out of range")
    if not 0 < state["eval_hop"] <= 1:
        raise CheckpointError(f"{path}: eval_hop {_brief(state['eval_hop'])} is not in (0, 1]")


def _dry_run(model, state: dict, task: str, path: Path) -> None:
    """Run the model once on silence, as its task will: what loads must also work."""
    try:
        with torch.no_grad():
            if task == "genre":
                shape = tuple(model(torch.zeros(1, 1, state["window_samples"])).shape)
                expected = (1, len(state["labels"]))
            else:
                y, _ = model.stream(torch.zeros(1, 1, 64), None)
                shape, expected = tuple(y.shape[:2]), (1, 1)
    except (RuntimeError, ValueError, TypeError, IndexError) as error:
        raise CheckpointError(f"{path}: the model does not run ({_first_line(error)})") from None
    if shape != expected:
        raise CheckpointError(
            f"{path}: the model gives outputs of shape {list(shape)}, not {list(expected)} "
            f"(its labels, window or config do not match)"
        )


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0][:200] if text else type(error).__name__


def check_task(state: dict, task: str, path: Path) -> None:
    """Refuse a checkpoint written for another task."""
    found = state.get("task")
    if isinstance(found, str) and found == task:
        return
    known = isinstance(found, str) and found in REQUIRED
    what = f"a {found} checkpoint" if known else f"a checkpoint of task {_brief(found)}"
    raise CheckpointError(f"{path}: {what}, not a {task} checkpoint")


def _check_entry(state: dict, key: str, kind, path: Path) -> None:
    if key not in state:
        raise CheckpointError(f"{path}: no '{key}' entry; not a complete audiocnn checkpoint")
    value = state[key]
    if not isinstance(value, kind) or isinstance(value, bool):
        raise CheckpointError(f"{path}: entry '{key}' is a {type(value).__name__}")


def _brief(value) -> str:
    """A value as one short line: strings and numbers shown, anything else by its type."""
    if isinstance(value, str | int | float):
        text = repr(value)
        return text if len(text) <= 40 else text[:37] + "..."
    return f"<{type(value).__name__}>"
