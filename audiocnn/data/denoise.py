"""Denoise data: paired ``clean/`` + ``noisy/`` folders, or clean and noise folders mixed on
the fly at a random SNR."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
import torch
import torchaudio.functional as AF

from audiocnn.data.augment import (
    MixAugmentConfig,
    augment_speech,
    procedural_noise,
    random_gate,
    random_peaks,
    recorded_noise,
    tonal_noise,
)
from audiocnn.data.base import DataError, list_audio_files
from audiocnn.data.cache import DecodedAudio
from audiocnn.data.windows import EpochSeededWindows, _crop, random_colour, speed_change


def find_pairs(root: str | os.PathLike) -> tuple[list[Path], list[Path]]:
    """Matching files of ``root/clean`` and ``root/noisy`` (VoiceBank-DEMAND's layout).

    Returns ``(clean_paths, noisy_paths)`` in the same order; files without a partner are
    skipped with a warning.
    """
    root = Path(root)
    clean_dir, noisy_dir = root / "clean", root / "noisy"
    for folder in (clean_dir, noisy_dir):
        if not folder.is_dir():
            raise DataError(f"{folder}: no such folder (expected {root}/clean and {root}/noisy)")
    clean = {str(p.relative_to(clean_dir)): p for p in list_audio_files(clean_dir)}
    noisy = {str(p.relative_to(noisy_dir)): p for p in list_audio_files(noisy_dir)}
    names = sorted(clean.keys() & noisy.keys())
    unmatched = sorted(clean.keys() ^ noisy.keys())
    if unmatched:
        warnings.warn(f"{root}: no partner for {', '.join(unmatched[:10])}", stacklevel=2)
    if not names:
        raise DataError(f"{root}: no file names shared by clean/ and noisy/")
    return [clean[n] for n in names], [noisy[n] for n in names]


def audio_files_in(root: str | os.PathLike) -> list[Path]:
    """All audio files under ``root`` (recursively), sorted; an error if there are none."""
    root = Path(root)
    if not root.is_dir():
        raise DataError(f"{root}: no such folder")
    files = list_audio_files(root)
    if not files:
        raise DataError(f"{root}: folder has no audio files")
    return files


class PairedWindows(EpochSeededWindows):
    """Aligned random crops of paired noisy/clean recordings.

    Returns items ``(noisy (1, window_samples), clean (1, window_samples))``.
    """

    def __init__(
        self,
        clean: DecodedAudio,
        noisy: DecodedAudio,
        window_samples: int,
        *,
        windows_per_file: int = 1,
        seed: int = 0,
    ) -> None:
        if len(clean) != len(noisy):
            raise DataError("clean and noisy sets decoded to different numbers of files")
        super().__init__(len(clean), windows_per_file, seed)
        self.clean, self.noisy = clean, noisy
        self.window_samples = window_samples

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        rng = self.rng(i)
        n = i % len(self.clean)
        clean, noisy = self.clean.track(n), self.noisy.track(n)
        length = min(len(clean), len(noisy))
        start = int(rng.integers(0, max(1, length - self.window_samples + 1)))
        stop = start + self.window_samples
        return _pad_window(noisy[start:stop], self.window_samples), _pad_window(
            clean[start:stop], self.window_samples
        )


class NoiseMixer(EpochSeededWindows):
    """Clean windows mixed with noise on the fly at a random SNR (``torchaudio`` ``add_noise``).

    Each item takes a random crop of a clean file and a noise segment at a random offset of a
    random noise file (tiled when shorter than the window), scaled to an SNR drawn uniformly
    from ``snr_db``. Seeded: the same ``(seed, epoch, i)`` gives the same mixture. ``augment``
    (:class:`MixAugmentConfig`) adds level, colour, band-limits, speed, rooms, procedural
    noise, noiseless examples and examples of noise alone (the target silent); with a room, the
    target is the early-reflection signal.
    ``weights`` (one per clean file): each item draws its clean file by them, instead of item
    ``i`` taking file ``i % files`` (a corpus balanced by source, see :func:`group_weights`).
    ``noise_weights`` (one per noise file): each recorded noise is drawn by them instead of
    every file alike (a second folder of noise given a share of the draws).
    ``high_snr_only`` (one flag per clean file) with ``high_snr_db``: the SNR is drawn first,
    and the flagged files are drawn only for items whose SNR is at least ``high_snr_db``; the
    others draw from the rest, by ``weights`` where given (e.g. shouted game voices kept as
    speech only where the speech is clear, so that voices that are not speech are noise when
    it is buried).

    Returns items ``(noisy (1, window_samples), clean (1, window_samples))``.
    """

    def __init__(
        self,
        clean: DecodedAudio,
        noise: DecodedAudio,
        window_samples: int,
        *,
        snr_db: tuple[float, float] = (0.0, 15.0),
        windows_per_file: int = 1,
        seed: int = 0,
        augment: MixAugmentConfig = MixAugmentConfig(),
        weights: np.ndarray | None = None,
        noise_weights: np.ndarray | None = None,
        high_snr_only: np.ndarray | None = None,
        high_snr_db: float = 0.0,
    ) -> None:
        if not len(clean) or not len(noise):
            raise DataError("NoiseMixer needs at least one clean and one noise file")
        super().__init__(len(clean), windows_per_file, seed)
        self.clean, self.noise = clean, noise
        self.window_samples = window_samples
        self.snr_db = snr_db
        self.augment = augment
        # None: item i takes file i % files, every noise file alike; else draws by these
        self.weights = _cumulative(weights, len(clean), "weights")
        self.noise_weights = _cumulative(noise_weights, len(noise), "noise_weights")
        self.low_weights, self.high_snr_db = None, high_snr_db
        if high_snr_only is not None:
            flagged = np.asarray(high_snr_only, dtype=bool)
            if flagged.shape != (len(clean),) or flagged.all():
                raise DataError(
                    f"high_snr_only must flag {len(clean)} clean files, and not all of them"
                )
            base = np.ones(len(clean)) if weights is None else np.asarray(weights, np.float64)
            self.low_weights = _cumulative(np.where(flagged, 0.0, base), len(clean), "weights")

    def _clean_track(self, i: int, rng: np.random.Generator) -> np.ndarray:
        if self.weights is None:
            return self.clean.track(i % len(self.clean))
        return self.clean.track(_draw(self.weights, rng))

    def _speech_and_snr(self, i: int, rng: np.random.Generator) -> tuple[np.ndarray, float | None]:
        """Item ``i``'s clean track, and its SNR when ``high_snr_only`` needs it drawn first
        (``None``: drawn where it is used, as before that option, so older recipes reproduce)."""
        if self.low_weights is None:
            return self._clean_track(i, rng), None
        snr = float(rng.uniform(*self.snr_db))
        if snr >= self.high_snr_db:
            return self._clean_track(i, rng), snr
        return self.clean.track(_draw(self.low_weights, rng)), snr

    def _noise_track(self, rng: np.random.Generator) -> np.ndarray:
        if self.noise_weights is None:  # as before noise_weights: the recipes reproduce
            return self.noise.track(int(rng.integers(len(self.noise))))
        return self.noise.track(_draw(self.noise_weights, rng))

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        if self.augment.active:
            return self._augmented(self.rng(i), i)
        rng = self.rng(i)
        track, snr = self._speech_and_snr(i, rng)
        clean = _crop(track, self.window_samples, rng)
        noise = self._noise_track(rng)
        start = int(rng.integers(len(noise)))
        noise = noise[(start + np.arange(self.window_samples)) % len(noise)]  # tiled if short
        if snr is None:
            snr = rng.uniform(*self.snr_db)
        return mix_at_snr(torch.from_numpy(np.array(clean)), torch.from_numpy(noise), snr)

    def _recorded_noise(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """A random recorded noise (:func:`recorded_noise`), with ``noise_mix_probability`` a
        second one added 0-10 dB below it."""
        config, rate = self.augment, self.clean.sample_rate
        noise = recorded_noise(self._noise_track(rng), n, rate, rng, config)
        if config.noise_mix_probability and rng.random() < config.noise_mix_probability:
            other = recorded_noise(self._noise_track(rng), n, rate, rng, config)
            if np.std(other) > 1e-9 and np.std(noise) > 1e-9:
                level = 10 ** (-rng.uniform(0.0, 10.0) / 20)
                noise = noise + other * (level * np.std(noise) / np.std(other))
        return noise

    def _augmented(self, rng: np.random.Generator, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        config, n = self.augment, self.window_samples
        rate = self.clean.sample_rate
        factor = rng.uniform(*config.speed)
        track, snr = self._speech_and_snr(i, rng)
        speech = speed_change(_crop(track, int(np.ceil(n * factor)) + 1, rng), factor, n)
        spoken = min(n, int(np.ceil(len(track) / factor))) if config.snr_over_speech else n
        heard, target = augment_speech(speech, rate, rng, config)
        noisy = heard
        # drawn only when on, so that the recipes written before it reproduce
        alone = config.noise_only_probability and rng.random() < config.noise_only_probability
        if alone or rng.random() >= config.clean_probability:
            if config.tonal_probability and rng.random() < config.tonal_probability:
                noise = tonal_noise(n, rate, rng)
            elif rng.random() < config.procedural_probability:
                others = [self.clean.track(int(k)) for k in rng.integers(len(self.clean), size=6)]
                noise = procedural_noise(n, rate, rng, others)
            else:
                noise = self._recorded_noise(rng, n)
            if config.noise_peaks_probability and rng.random() < config.noise_peaks_probability:
                noise = random_peaks(noise, rate, rng, config.noise_peaks_db)
            if config.noise_gate_probability and rng.random() < config.noise_gate_probability:
                noise = random_gate(noise, rate, rng)
            if config.tilt_db:
                noise = random_colour(
                    noise, rate, rng, tilt_db=config.tilt_db, lowpass_probability=0
                )
            noise_power, speech_power = np.mean(noise**2), np.mean(heard[:spoken] ** 2)
            if alone and noise_power > 1e-12:  # as loud as under speech at a drawn level
                level = rng.uniform(*(config.speech_level_db or (-26.0, -26.0)))
                level -= rng.uniform(*self.snr_db)
                noise = noise * (10 ** (level / 20) / np.sqrt(noise_power))
                noisy, target = noise, np.zeros_like(noise)
            elif noise_power > 1e-12 and speech_power > 1e-12:
                if snr is None:
                    snr = rng.uniform(*self.snr_db)
                noisy = heard + noise * np.sqrt(speech_power / noise_power / 10 ** (snr / 10))
        scale = 1.0
        if config.speech_level_db and np.mean(target**2) > 1e-10:
            level = rng.uniform(*config.speech_level_db)
            scale = 10 ** (level / 20) / np.sqrt(np.mean(target**2))
        scale = min(scale, 0.99 / max(float(np.abs(noisy).max()), 1e-9))  # no clipping
        pair = (np.asarray(noisy * scale, np.float32), np.asarray(target * scale, np.float32))
        return torch.from_numpy(pair[0])[None], torch.from_numpy(pair[1])[None]


def _cumulative(weights, count: int, name: str) -> np.ndarray | None:
    """The running sum of ``weights`` (``count`` values >= 0, not all zero), normalised."""
    if weights is None:
        return None
    weights = np.asarray(weights, dtype=np.float64)
    if weights.shape != (count,) or (weights < 0).any() or not weights.sum() > 0:
        raise DataError(f"{name} must be {count} values >= 0, not all zero")
    return np.cumsum(weights / weights.sum())


def _draw(cumulative: np.ndarray, rng: np.random.Generator) -> int:
    """An index drawn by the weights whose running sum is ``cumulative``."""
    k = int(np.searchsorted(cumulative, rng.random() * cumulative[-1], side="right"))
    return min(k, len(cumulative) - 1)


def group_weights(groups: list[str], power: float) -> np.ndarray:
    """A weight per file such that each group's share is proportional to its file count to
    ``power``: 1 gives every file the same weight, 0 every group the same share."""
    _, index, counts = np.unique(np.asarray(groups), return_inverse=True, return_counts=True)
    share = counts.astype(np.float64) ** power
    return (share / share.sum() / counts)[index]


def mix_at_snr(
    clean: torch.Tensor, noise: torch.Tensor, snr_db: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(noisy, clean)`` with ``noise`` scaled so that the mixture has ``snr_db`` dB SNR.

    Shape:
        ``(time,)`` each -> ``(1, time)`` each
    """
    clean, noise = clean.float()[None], noise.float()[None]
    if noise.square().sum() < 1e-12:
        return clean.clone(), clean  # silent noise: nothing to add
    if clean.square().sum() < 1e-12:
        # Silence has no level to set an SNR against: add the noise at -40 dBFS RMS.
        return clean + noise * (0.01 / noise.square().mean().sqrt()), clean
    noisy = AF.add_noise(clean, noise, torch.tensor([snr_db]))
    return noisy, clean


def _pad_window(x: np.ndarray, window_samples: int) -> torch.Tensor:
    x = np.pad(np.asarray(x, dtype=np.float32), (0, window_samples - len(x)))
    return torch.from_numpy(x)[None]
