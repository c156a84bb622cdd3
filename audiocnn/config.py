"""Recipes: TOML files loaded into the config dataclasses, unknown keys rejected."""

from __future__ import annotations

import dataclasses
import os
import tomllib
import typing
from pathlib import Path


class ConfigError(ValueError):
    """A setting out of its range or of the wrong type; the message names the key."""


class RecipeError(ConfigError):
    """A recipe that cannot be used; the message names the file and the key."""


def from_dict(cls, values: dict, where: str, base=None):
    """Build dataclass ``cls`` from ``values``; nested dataclasses from sub-tables.

    Keys a table leaves out keep their values in ``base`` (default ``cls()``), so a partial
    ``[train]`` table keeps the run's own defaults, not the bare class's. Every value is checked
    against its field's type; ranges are checked by the dataclass itself (``ConfigError``).
    """
    base = cls() if base is None else base
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
            kwargs[name] = _table(hint, value, f"{where} [{name}]", getattr(base, name))
        else:
            kwargs[name] = typed(hint, value, f"{where}: {name}")
    try:
        return dataclasses.replace(base, **kwargs)
    except ConfigError as error:
        raise RecipeError(f"{where}: {error}") from None


def _table(hint, values: dict, where: str, base):
    """A sub-table. A model table's ``name`` picks the config class among the registered ones
    (``hint.choose``); left out, the run's default class is kept."""
    if hasattr(hint, "choose"):
        values = dict(values)
        chosen_name = values.pop("name", None)
        if chosen_name is not None and not isinstance(chosen_name, str):
            raise RecipeError(f"{where}: name must be a string, got {chosen_name!r}")
        try:
            chosen = hint.choose(chosen_name, type(base))
        except ConfigError as error:
            raise RecipeError(f"{where}: {error}") from None
        return from_dict(chosen, values, where, base if type(base) is chosen else chosen())
    return from_dict(hint, values, where, base)


_NAMES = {bool: "true or false", int: "an integer", float: "a number", str: "a string"}


def typed(hint, value, where: str):
    """``value`` as field type ``hint`` (int, float, str, bool or a tuple of one of them)."""
    if typing.get_origin(hint) is tuple:
        item = typing.get_args(hint)[0]
        if not isinstance(value, list | tuple):
            raise RecipeError(f"{where} must be a list of {_NAMES[item]}s, got {value!r}")
        return tuple(typed(item, v, where) for v in value)
    if hint is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, hint) and (hint is bool or not isinstance(value, bool)):
        return value
    raise RecipeError(f"{where} must be {_NAMES.get(hint, hint)}, got {value!r}")


def check(condition: bool, message: str) -> None:
    """For a config dataclass's ``__post_init__``: raise ``ConfigError(message)`` unless."""
    if not condition:
        raise ConfigError(message)


MAX_SEED = 2**31 - 1  # numpy's and torch's seeders take 0..2**32-1; seeds get small offsets


def check_seed(name: str, value: int) -> None:
    check(0 <= value <= MAX_SEED, f"{name} must be from 0 to {MAX_SEED}, got {value}")


def check_choice(name: str, value: str, choices: tuple[str, ...]) -> None:
    check(value in choices, f"{name} must be one of {', '.join(choices)}; got {value!r}")


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
