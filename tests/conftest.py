"""Shared fixtures: every test gets its own audiocnn cache, and small generated audio folders."""

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf


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
