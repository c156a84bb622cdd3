"""Window datasets: random crops for training and sliding windows over whole tracks."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch.utils.data import Dataset

from audiocnn.data.cache import DecodedAudio
from audiocnn.data.genre import Track


class EpochSeededWindows(Dataset):
    """Base of the training datasets: item ``i`` of epoch ``e`` draws its randomness from
    ``numpy.random.default_rng([seed, e, i])``, the same in any worker or process."""

    def __init__(self, n_files: int, windows_per_file: int, seed: int) -> None:
        self.n_files, self.windows_per_file = n_files, windows_per_file
        self.seed = seed
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return self.n_files * self.windows_per_file

    def rng(self, i: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, self.epoch, i])


def _crop(track: np.ndarray, window_samples: int, rng: np.random.Generator) -> np.ndarray:
    if len(track) <= window_samples:
        return np.pad(track, (0, window_samples - len(track)))
    start = int(rng.integers(0, len(track) - window_samples + 1))
    return track[start : start + window_samples]


class RandomWindows(EpochSeededWindows):
    """Random crops of labelled tracks, for training, with gain and polarity augmentation.

    Each epoch draws ``windows_per_track`` crops per track (or, with ``random_crop=False``, the
    first ``window_samples`` of each track, as the genre notebook does); item ``i`` of epoch
    ``e`` is the same for the same ``seed`` whatever the worker, so runs are reproducible.

    Returns items ``(window (1, window_samples) float32, label)``.
    """

    def __init__(
        self,
        decoded: DecodedAudio,
        tracks: Sequence[Track],
        window_samples: int,
        *,
        windows_per_track: int = 1,
        seed: int = 0,
        gain_db: float = 0.0,
        random_polarity: bool = False,
        random_crop: bool = True,
        tilt_db: float = 0.0,
        lowpass_probability: float = 0.0,
    ) -> None:
        index = decoded.index_of()
        self.decoded = decoded
        self.track_ids = [index[t.path] for t in tracks if t.path in index]
        self.labels = [t.label for t in tracks if t.path in index]
        super().__init__(len(self.track_ids), windows_per_track, seed)
        self.window_samples = window_samples
        self.gain_db = gain_db
        self.random_polarity = random_polarity
        self.random_crop = random_crop
        self.tilt_db, self.lowpass_probability = tilt_db, lowpass_probability

    def __getitem__(self, i: int) -> tuple[torch.Tensor, int]:
        rng = self.rng(i)
        n = i % len(self.track_ids)
        track = self.decoded.track(self.track_ids[n])
        if self.random_crop:
            window = _crop(track, self.window_samples, rng)
        else:  # the notebook's fixed crop: the start of the track
            window = np.pad(
                track[: self.window_samples], (0, max(0, self.window_samples - len(track)))
            )
        scale = 10 ** (rng.uniform(-self.gain_db, self.gain_db) / 20) if self.gain_db else 1.0
        if self.random_polarity and rng.random() < 0.5:
            scale = -scale
        window = np.asarray(window * scale, dtype=np.float32)
        if self.tilt_db or self.lowpass_probability:
            window = random_colour(
                window,
                self.decoded.sample_rate,
                rng,
                tilt_db=self.tilt_db,
                lowpass_probability=self.lowpass_probability,
            )
        return torch.from_numpy(window)[None], self.labels[n]


def random_colour(
    window: np.ndarray,
    sample_rate: float,
    rng: np.random.Generator,
    *,
    tilt_db: float,
    lowpass_probability: float,
    lowpass_hz: tuple[float, float] | None = None,
    lowpass_slope_db: float = 12.0,
) -> np.ndarray:
    """A random production colour: a spectral tilt of up to ``tilt_db`` dB per octave either
    way (pivoting at 1 kHz), and with ``lowpass_probability`` a low-pass of
    ``lowpass_slope_db`` per octave (gentle by default) from a cutoff drawn from ``lowpass_hz``
    (default: 2 kHz to half the rate). Against a network that tells packages apart by their
    mix and mastering instead of by their music; and, steep, for band-limited speech."""
    spectrum = np.fft.rfft(window)
    hz = np.fft.rfftfreq(len(window), 1 / sample_rate)
    octaves = np.log2(np.maximum(hz, 20.0) / 1000.0)
    gain_db = rng.uniform(-tilt_db, tilt_db) * octaves
    if rng.random() < lowpass_probability:
        cutoff = rng.uniform(*(lowpass_hz or (2000.0, sample_rate / 2)))
        gain_db = gain_db - lowpass_slope_db * np.maximum(
            np.log2(np.maximum(hz, 1.0) / cutoff), 0.0
        )
    out = np.fft.irfft(spectrum * 10 ** (gain_db / 20), n=len(window))
    return (out * (np.std(window) / max(np.std(out), 1e-9))).astype(np.float32)


class SlidingWindows(Dataset):
    """Every window of every track (hop ``hop_samples``, last one zero-padded), for evaluation.

    Returns items ``(window (1, window_samples), label, track_index)``; ``track_index`` counts
    the tracks in the order given, so window predictions can be aggregated per track.
    """

    def __init__(
        self,
        decoded: DecodedAudio,
        tracks: Sequence[Track],
        window_samples: int,
        hop_samples: int | None = None,
    ) -> None:
        index = decoded.index_of()
        kept = [t for t in tracks if t.path in index]
        self.decoded = decoded
        self.tracks = kept
        self.window_samples = window_samples
        hop = hop_samples or window_samples
        self.items: list[tuple[int, int, int]] = []  # (track position, decoded id, start)
        for position, track in enumerate(kept):
            length = len(decoded.track(index[track.path]))
            n_windows = 1 + max(0, -(-(length - window_samples) // hop))
            self.items += [(position, index[track.path], k * hop) for k in range(n_windows)]

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, int, int]:
        position, decoded_id, start = self.items[i]
        window = self.decoded.track(decoded_id)[start : start + self.window_samples]
        window = np.pad(window, (0, self.window_samples - len(window)))
        label = self.tracks[position].label
        return torch.from_numpy(np.asarray(window, dtype=np.float32))[None], label, position
