"""Recipes: TOML files loaded into the config dataclasses, unknown keys rejected."""

from __future__ import annotations

import dataclasses
import os
import tomllib
import typing
from pathlib import Path


class RecipeError(ValueError):
    """A recipe that cannot be used; the message names the file and the key."""


def from_dict(cls, values: dict, where: str):
    """Build dataclass ``cls`` from ``values``; nested dataclasses from sub-tables."""
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise RecipeError(
            f"{where}: unknown key(s) {', '.join(unknown)}; known: {', '.join(fields)}"
        )
    kwargs = {}
    for name, value in values.items():
        hint = hints[name]
        if dataclasses.is_dataclass(hint):
            if not isinstance(value, dict):
                raise RecipeError(f"{where}: [{name}] must be a table")
            value = from_dict(hint, value, f"{where} [{name}]")
        elif isinstance(value, list):
            value = tuple(value)
        kwargs[name] = value
    return cls(**kwargs)


def load_recipe(path: str | os.PathLike, cls):
    """Read a TOML recipe into ``cls`` (a dataclass of dataclasses)."""
    path = Path(path)
    if not path.is_file():
        raise RecipeError(f"{path}: no such recipe")
    try:
        values = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as error:
        raise RecipeError(f"{path}: invalid TOML ({error})") from None
    return from_dict(cls, values, str(path))


def override(config, **changes):
    """``dataclasses.replace`` that ignores ``None`` values (flags the user did not give)."""
    return dataclasses.replace(config, **{k: v for k, v in changes.items() if v is not None})
