"""Every model audiocnn can build, by class name, with its config class.

A model class is registered with its frozen config dataclass::

    @register(GenreCNNConfig)
    class GenreCNN(nn.Module): ...

The config classes of one task share a base (:class:`GenreModelConfig`,
:class:`DenoiseModelConfig`), which is the type of a run's ``model`` field: a recipe's
``[model] name = "SeedGenreCNN"`` picks the config class, so a key that belongs to another
architecture is rejected. Checkpoints store the class name and the config as a dict;
:func:`build_model` rebuilds the network from them.
"""

from __future__ import annotations

import dataclasses
import typing
from typing import ClassVar

from torch import nn

from audiocnn.config import ConfigError, typed

# class name -> (model class, config class), both tasks
MODELS: dict[str, tuple[type[nn.Module], type]] = {}


@dataclasses.dataclass(frozen=True)
class ModelConfig:
    """Base of every model's config: the task it belongs to and the class it builds."""

    task: ClassVar[str] = ""
    model_name: ClassVar[str] = ""  # set by @register

    @classmethod
    def choose(cls, name: str | None, current: type | None = None) -> type:
        """The config class a recipe's ``[model] name`` picks (``None``: keep ``current``)."""
        if name is None:
            return current or cls
        known = names(cls.task)
        if name not in known:
            raise ConfigError(
                f"unknown model {name!r}; known {cls.task} models: {', '.join(known)}"
            )
        return MODELS[name][1]


def register(config_class: type) -> callable:
    """Class decorator: register a model class with its config class."""

    def add(model_class: type[nn.Module]) -> type[nn.Module]:
        MODELS[model_class.__name__] = (model_class, config_class)
        config_class.model_name = model_class.__name__
        return model_class

    return add


def names(task: str) -> list[str]:
    """The registered model names of a task, sorted."""
    return sorted(name for name, (_, config) in MODELS.items() if config.task == task)


def build_model(name: str, config: dict | ModelConfig) -> nn.Module:
    """A model from its class name and config (a config instance, or a checkpoint's dict).

    Raises:
        ConfigError: an unknown name (the message lists the known ones), or a config that does
            not fit the class (unknown key, value out of range).
    """
    if isinstance(config, dict):
        name, config = _from_legacy(name, config)
    if name not in MODELS:
        raise ConfigError(f"unknown model {name!r}; known models: {', '.join(sorted(MODELS))}")
    model_class, config_class = MODELS[name]
    if isinstance(config, dict):
        config = from_plain(config_class, config)
    if type(config) is not config_class:
        raise ConfigError(f"{name} takes a {config_class.__name__}, not {type(config).__name__}")
    return model_class(config)


def model_of(config: ModelConfig) -> nn.Module:
    """The model a config instance describes."""
    return build_model(type(config).model_name, config)


def from_plain(config_class: type, values: dict):
    """A config instance from a plain dict (lists become tuples); unknown keys and values of
    the wrong type (``delay = 3001.0`` for an integer) refused, as a recipe's are."""
    fields = {f.name for f in dataclasses.fields(config_class)}
    unknown = sorted(set(values) - fields)
    if unknown:
        raise ConfigError(
            f"unknown key(s) for {config_class.__name__}: {', '.join(map(str, unknown))}"
        )
    hints = typing.get_type_hints(config_class)
    return config_class(**{k: typed(hints[k], v, k) for k, v in values.items()})


# Checkpoints written before the registry stored "GenreCNN" or "FIRDenoiser" with an "arch" key
# and one flat config for every architecture (the shipped denoiser weights among them).
_LEGACY_ARCHS = {
    "GenreCNN": {"seed": "SeedGenreCNN", "default": "GenreCNN"},
    "FIRDenoiser": {
        "seed": "SeedFIRDenoiser",
        "mask": "MaskFIRDenoiser",
        "spectral": "SpectralMaskDenoiser",
    },
}


def _from_legacy(name: str, config: dict) -> tuple[str, dict]:
    """The registered name and config of an old checkpoint's ``(model_name, model_config)``."""
    if name not in _LEGACY_ARCHS or ("arch" not in config and name != "FIRDenoiser"):
        return name, config
    default = "spectral" if name == "FIRDenoiser" else "default"
    arch = config.get("arch", default)
    if arch not in _LEGACY_ARCHS[name]:
        raise ConfigError(f"unknown {name} arch {arch!r}")
    new_name = _LEGACY_ARCHS[name][arch]
    fields = {f.name for f in dataclasses.fields(MODELS[new_name][1])}
    others = {  # keys of the flat config that belong to the other architectures
        f.name for n in _LEGACY_ARCHS[name].values() for f in dataclasses.fields(MODELS[n][1])
    }
    dropped = (others | {"arch"}) - fields
    return new_name, {k: v for k, v in config.items() if k not in dropped}
