"""The corpora's constants and their config dataclasses."""

from __future__ import annotations

from dataclasses import dataclass

GENRES = ("blues", "metal", "country", "hiphop")
GENRE_SAMPLE_RATE = 22050
DENOISE_SAMPLE_RATE = 16000
NOISE_KINDS = ("white", "pink", "brown", "hum", "babble", "bursts")
CORPUS_VERSION = 2  # bump when the generators change, so cached corpora are rebuilt


@dataclass(frozen=True)
class GenreCorpusConfig:
    tracks_per_genre: int = 40
    seconds: float = 30.0
    seed: int = 0
    sample_rate: int = GENRE_SAMPLE_RATE


@dataclass(frozen=True)
class DenoiseCorpusConfig:
    clips: int = 240
    seconds: float = 4.0
    snr_db: tuple[float, float] = (-5.0, 15.0)
    seed: int = 0
    sample_rate: int = DENOISE_SAMPLE_RATE
