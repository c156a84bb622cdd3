"""The denoise corpus's sources: speech-like voices, noises, and the clips mixed from them."""

from __future__ import annotations

import numpy as np
import scipy.signal

from audiocnn.synth.base import (
    CORPUS_VERSION,
    GENRES,
    NOISE_KINDS,
    DenoiseCorpusConfig,
    GenreCorpusConfig,
)
from audiocnn.synth.music import colored_noise, normalize, render_genre_track

# ----------------------------------------------------------------------------------------------
# Speech-like sources and noises for the denoise corpus
# ----------------------------------------------------------------------------------------------

# Formant targets (F1, F2, F3 in Hz) of a few vowels.
VOWELS = np.array(
    [[730, 1090, 2440], [270, 2290, 3010], [300, 870, 2240], [530, 1840, 2480], [570, 840, 2410]]
)


def speech_like(n: int, sr: int, rng: np.random.Generator) -> np.ndarray:
    """Babble-free 'speech': a glottal pulse train through moving formant resonators, shaped
    into syllables (3-6 per second) with a falling pitch contour and unvoiced noise bits."""
    t = np.arange(n) / sr
    f0_base = rng.uniform(90, 230)
    f0 = (
        f0_base * (1 + 0.15 * np.sin(2 * np.pi * rng.uniform(0.2, 0.6) * t)) * (1 - 0.1 * t / t[-1])
    )
    phase = np.cumsum(f0) / sr
    source = (np.diff(np.floor(phase), prepend=0) > 0).astype(float)  # one pulse per period
    source = scipy.signal.lfilter([1], [1, -0.95], source)  # glottal roll-off
    syllable_rate = rng.uniform(3, 6)
    syllables = (
        np.maximum(0, np.sin(2 * np.pi * syllable_rate * t + rng.uniform(0, 2 * np.pi))) ** 1.5
    )
    unvoiced = (rng.random(n // 800 + 1).repeat(800)[:n] < 0.15) * rng.standard_normal(n) * 0.3
    excitation = source * syllables + unvoiced * (1 - syllables)
    return formant_filter(excitation, sr, rng) * (0.2 + syllables)


def formant_filter(x: np.ndarray, sr: int, rng, block: int = 160) -> np.ndarray:
    """Three resonators whose frequencies glide between random vowel targets, block by block."""
    n_blocks = x.size // block + 1
    targets = VOWELS[rng.integers(len(VOWELS), size=n_blocks // 25 + 2)]
    positions = np.linspace(0, len(targets) - 1, n_blocks)
    tracks = np.stack(
        [np.interp(positions, np.arange(len(targets)), targets[:, i]) for i in range(3)], 1
    )
    out = np.zeros_like(x)
    states = [np.zeros(2) for _ in range(3)]
    for b in range(n_blocks):
        seg = x[b * block : (b + 1) * block]
        if not seg.size:
            break
        y = np.zeros_like(seg)
        for i, freq in enumerate(tracks[b] * rng.uniform(0.97, 1.03)):
            r = np.exp(-np.pi * (60 + 20 * i) / sr)
            a = [1, -2 * r * np.cos(2 * np.pi * freq / sr), r * r]
            part, states[i] = scipy.signal.lfilter([1 - r], a, seg, zi=states[i])
            y += part / (i + 1)
        out[b * block : b * block + seg.size] = y
    return out


def noise_signal(kind: str, n: int, sr: int, rng: np.random.Generator) -> np.ndarray:
    """One of ``NOISE_KINDS``, unit RMS."""
    if kind in ("white", "pink", "brown"):
        return colored_noise(n, rng, kind)
    t = np.arange(n) / sr
    if kind == "hum":
        mains = rng.choice([50.0, 60.0])
        x = sum(
            np.sin(2 * np.pi * h * mains * t + rng.uniform(0, 2 * np.pi)) / h**0.7
            for h in range(1, 9)
        )
        x = x + 0.05 * colored_noise(n, rng, "white")
    elif kind == "babble":
        x = sum(speech_like(n, sr, rng) for _ in range(int(rng.integers(4, 8))))
    else:  # bursts: non-stationary noise switching on and off
        gates = rng.random(n // 1600 + 1) < 0.4
        envelope = np.convolve(gates.repeat(1600)[:n].astype(float), np.hanning(400) / 200, "same")
        x = colored_noise(n, rng, rng.choice(["white", "pink"])) * envelope
        x = x + 0.01 * colored_noise(n, rng, "white")
    return x / (np.sqrt(np.mean(x**2)) + 1e-12)


def render_denoise_clip(index: int, config: DenoiseCorpusConfig) -> tuple[np.ndarray, ...]:
    """(clean, noise, noisy) for clip ``index``: speech-like or music, one noise kind, one SNR."""
    rng = np.random.default_rng([config.seed, 99, index, CORPUS_VERSION])
    n, sr = int(config.seconds * config.sample_rate), config.sample_rate
    if index % 3 == 2:  # a third music, two thirds speech-like
        genre = GENRES[index % 4]
        music = GenreCorpusConfig(seconds=config.seconds, seed=config.seed + 1000, sample_rate=sr)
        clean = render_genre_track(genre, index, music).astype(np.float64)
    else:
        clean = speech_like(n, sr, rng)
    clean = normalize(clean, rng.uniform(-28, -18), peak=0.5)
    noise = noise_signal(NOISE_KINDS[index % len(NOISE_KINDS)], n, sr, rng)
    snr = rng.uniform(*config.snr_db)
    noise *= np.sqrt(np.mean(clean**2) / 10 ** (snr / 10))
    noisy = clean + noise
    scale = min(1.0, 0.98 / np.abs(noisy).max())  # never clip: scale all three alike
    return tuple((x * scale).astype(np.float32) for x in (clean, noise, noisy))
