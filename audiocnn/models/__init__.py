"""The model zoo: every network audiocnn builds, registered by class name with its config.

- :mod:`audiocnn.models.genre`: ``SeedGenreCNN`` (the notebook's), ``GenreCNN`` (ours) and
  ``BandGenreCNN`` (a fixed FIR filter-bank front end, for music from other productions);
- :mod:`audiocnn.models.denoise`: ``SeedFIRDenoiser`` (the lab's), ``MaskFIRDenoiser``, and the
  :class:`StreamingDenoiser` contract;
- :mod:`audiocnn.models.spectral`: ``SpectralMaskDenoiser`` (the default denoiser);
- :mod:`audiocnn.models.registry`: ``MODELS``, :func:`build_model`, :func:`model_of`.
"""

from torch import nn

from audiocnn.models.denoise import (
    AttenuationLimit,
    DenoiseModelConfig,
    MaskFIRDenoiser,
    MaskFIRDenoiserConfig,
    SeedFIRDenoiser,
    SeedFIRDenoiserConfig,
    StreamingDenoiser,
    filter_bank,
)
from audiocnn.models.genre import (
    BandGenreCNN,
    BandGenreCNNConfig,
    GenreCNN,
    GenreCNNConfig,
    GenreModelConfig,
    SeedGenreCNN,
    SeedGenreCNNConfig,
)
from audiocnn.models.registry import MODELS, ModelConfig, build_model, model_of, names
from audiocnn.models.spectral import SpectralMaskDenoiser, SpectralMaskDenoiserConfig

__all__ = [
    "MODELS",
    "AttenuationLimit",
    "BandGenreCNN",
    "BandGenreCNNConfig",
    "DenoiseModelConfig",
    "GenreCNN",
    "GenreCNNConfig",
    "GenreModelConfig",
    "MaskFIRDenoiser",
    "MaskFIRDenoiserConfig",
    "ModelConfig",
    "SeedFIRDenoiser",
    "SeedFIRDenoiserConfig",
    "SeedGenreCNN",
    "SeedGenreCNNConfig",
    "SpectralMaskDenoiser",
    "SpectralMaskDenoiserConfig",
    "StreamingDenoiser",
    "build_model",
    "count_parameters",
    "filter_bank",
    "model_of",
    "names",
]


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
