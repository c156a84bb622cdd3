"""Shared fixtures: every test gets its own audiocnn cache, and small generated audio folders."""

import os
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from hypothesis import HealthCheck, settings

# Property tests of the readers: 200 examples each in CI, 10,000 with HYPOTHESIS_PROFILE=long.
_READERS = dict(
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
settings.register_profile("ci", max_examples=200, **_READERS)
settings.register_profile("long", max_examples=10_000, **_READERS)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path_factory, monkeypatch):
    """Keep generated corpora and decoded audio out of the user's cache."""
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("AUDIOCNN_CACHE", str(cache))
    return cache


def tone(frequency: float, seconds: float, sample_rate: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * sample_rate)) / sample_rate
    return (0.5 * np.sin(2 * np.pi * frequency * t) + 0.05 * rng.standard_normal(t.size)).astype(
        np.float32
    )


def write_genre_tree(
    root: Path, genres=("blues", "metal"), per_genre=3, seconds=1.0, sample_rate=22050
) -> Path:
    """A GTZAN-layout tree of tones: <root>/<genre>/<genre>.000NN.wav, one pitch per genre."""
    for g, genre in enumerate(genres):
        (root / genre).mkdir(parents=True, exist_ok=True)
        for n in range(per_genre):
            wav = tone(220 * (g + 1), seconds, sample_rate, seed=10 * g + n)
            sf.write(root / genre / f"{genre}.{n:05d}.wav", wav, sample_rate)
    return root


@pytest.fixture
def small_checkpoint(tmp_path):
    """A small spectral denoiser with perturbed weights, saved as a denoise checkpoint."""
    import torch

    from audiocnn import checkpoint
    from audiocnn.models import model_of
    from tests.test_denoise_models import SMALL_SPECTRAL

    torch.manual_seed(0)
    model = model_of(SMALL_SPECTRAL)
    for p in model.parameters():
        p.data.add_(0.05 * torch.randn_like(p))
    path = tmp_path / "small.pt"
    checkpoint.save(
        path,
        {
            "task": "denoise",
            "model_name": "SpectralMaskDenoiser",
            "model_config": asdict(SMALL_SPECTRAL),
            "sample_rate": 16000,
            "state_dict": model.state_dict(),
        },
    )
    return path
