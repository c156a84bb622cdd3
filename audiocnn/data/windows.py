"""Window datasets: random crops for training and sliding windows over whole tracks."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch.utils.data import Dataset

from audiocnn.data.cache import DecodedAudio
from audiocnn.data.genre import Track, track_source
from audiocnn.resample import resample

BALANCE = ("none", "genre", "genre_source")


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

    ``balance`` keeps the epoch's size but changes whose windows fill it: ``"genre"`` gives
    every genre the same share (a random track of genre ``i % genres``), ``"genre_source"``
    also draws the source first (:func:`~audiocnn.data.genre.track_source`), so a package
    with twelve tracks of a genre counts as much as one with a single track.
    ``speed`` plays each window up to that much faster or slower (pitch and tempo together),
    and ``compression_probability`` of them go through a random compressor.

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
        balance: str = "none",
        speed: tuple[float, float] = (1.0, 1.0),
        compression_probability: float = 0.0,
    ) -> None:
        if balance not in BALANCE:
            raise ValueError(f"balance must be one of {', '.join(BALANCE)}, got {balance!r}")
        index = decoded.index_of()
        kept = [t for t in tracks if t.path in index]
        self.decoded = decoded
        self.track_ids = [index[t.path] for t in kept]
        self.labels = [t.label for t in kept]
        super().__init__(len(self.track_ids), windows_per_track, seed)
        self.window_samples = window_samples
        self.gain_db = gain_db
        self.random_polarity = random_polarity
        self.random_crop = random_crop
        self.tilt_db, self.lowpass_probability = tilt_db, lowpass_probability
        self.balance, self.speed = balance, tuple(speed)
        self.compression_probability = compression_probability
        # genre -> source -> positions in track_ids ("genre": one source per genre)
        self.groups: list[list[list[int]]] = []
        for label in sorted(set(self.labels)):
            sources: dict[str, list[int]] = {}
            for n, track in enumerate(kept):
                if track.label == label:
                    key = track_source(track.path) if balance == "genre_source" else ""
                    sources.setdefault(key, []).append(n)
            self.groups.append(list(sources.values()))

    def _pick(self, i: int, rng: np.random.Generator) -> int:
        if self.balance == "none":
            return i % len(self.track_ids)
        sources = self.groups[i % len(self.groups)]
        tracks = sources[int(rng.integers(len(sources)))]
        return tracks[int(rng.integers(len(tracks)))]

    def __getitem__(self, i: int) -> tuple[torch.Tensor, int]:
        rng = self.rng(i)
        n = self._pick(i, rng)
        track = self.decoded.track(self.track_ids[n])
        factor = rng.uniform(*self.speed) if self.speed != (1.0, 1.0) else 1.0
        if self.random_crop and factor != 1.0:
            window = _crop(track, int(self.window_samples * factor) + 64, rng)
            window = speed_change(window, factor, self.window_samples)
        elif self.random_crop:
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
        if rng.random() < self.compression_probability:
            window = random_compressor(window, self.decoded.sample_rate, rng)
        return torch.from_numpy(window)[None], self.labels[n]


def speed_change(x: np.ndarray, factor: float, length: int) -> np.ndarray:
    """``x`` played ``factor`` times faster (pitch with it), resampled by torchaudio; the
    first ``length`` samples (zero-padded). ``factor`` is rounded to steps of 1/50."""
    out = resample(torch.from_numpy(np.array(x, np.float32)), max(1, round(factor * 50)), 50)
    out = out.numpy()
    return np.pad(out[:length], (0, max(0, length - len(out))))


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
    return through_gain(window, spectrum, gain_db)


def through_gain(x: np.ndarray, spectrum: np.ndarray, gain_db: np.ndarray) -> np.ndarray:
    """``x`` (whose ``rfft`` is ``spectrum``) through a gain of ``gain_db`` per bin, as float32,
    its RMS kept."""
    return keep_rms(x, np.fft.irfft(spectrum * 10 ** (gain_db / 20), n=len(x)))


def keep_rms(x: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``out`` (``x`` processed) scaled to ``x``'s RMS, as float32."""
    return (out * (np.std(x) / max(np.std(out), 1e-9))).astype(np.float32)


def random_compressor(
    window: np.ndarray, sample_rate: float, rng: np.random.Generator
) -> np.ndarray:
    """A random dynamic-range compressor, as mastering applies one: the level (RMS over 10 ms,
    attack 10 ms, release 100-300 ms) above a threshold at the 30th-80th percentile of the
    window's levels is divided by a ratio of 2-8; the RMS of the window is kept."""
    frame = max(1, int(0.01 * sample_rate))
    n = len(window) // frame
    if n < 2:
        return window
    power = np.square(window[: n * frame].astype(np.float64)).reshape(n, frame).mean(1)
    level = 10 * np.log10(power + 1e-10)
    release = np.exp(-1.0 / rng.uniform(10, 30))  # per 10 ms frame
    smooth = np.empty(n)
    state = level[0]
    for k, value in enumerate(level):  # a peak follower: rises at once, falls by `release`
        state = value if value > state else release * state + (1 - release) * value
        smooth[k] = state
    threshold = np.percentile(smooth, rng.uniform(30, 80))
    ratio = rng.uniform(2, 8)
    gain_db = -np.maximum(smooth - threshold, 0.0) * (1 - 1 / ratio)
    centres = (np.arange(n) + 0.5) * frame
    gain = 10 ** (np.interp(np.arange(len(window)), centres, gain_db) / 20)
    return keep_rms(window, window * gain)


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
