"""Datasets and splits for both tasks, on top of a cache of decoded, resampled audio.

Genre data is a folder per genre (GTZAN's layout or any other labels); denoise data is either
paired ``clean/`` + ``noisy/`` folders or clean and noise folders mixed on the fly. Every file is
decoded and resampled once into a memory-mapped ``.npy`` under :func:`cache_root`, so later
epochs and later runs never decode again.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import shutil
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torchaudio.functional as AF
from torch.utils.data import Dataset

from audiocnn.audio import AUDIO_EXTENSIONS, AudioError, load_audio
from audiocnn.files import OutputError, atomic_folder, is_hidden
from audiocnn.progress import tqdm

CACHE_FORMAT = 1
# Written by audiocnn.synth at the root of a generated corpus (its recipe and seed).
CORPUS_MARKER = "corpus.json"
# GTZAN names its files <genre>.<5 digits>, e.g. blues.00042.wav
GTZAN_NAME = re.compile(r"^([a-z]+)\.(\d{5})$")


class DataError(ValueError):
    """A dataset folder that cannot be used; the message names the folder and the problem."""


def cache_root() -> Path:
    """Where audiocnn keeps generated corpora and decoded audio.

    ``$AUDIOCNN_CACHE``, else ``$XDG_CACHE_HOME/audiocnn``, else ``~/.cache/audiocnn``.
    """
    if os.environ.get("AUDIOCNN_CACHE"):
        return Path(os.environ["AUDIOCNN_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "audiocnn"


def clear_decoded_cache() -> int:
    """Delete every decoded-audio cache; returns the bytes freed."""
    folder = cache_root() / "decoded"
    freed = (
        sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) if folder.exists() else 0
    )
    shutil.rmtree(folder, ignore_errors=True)
    return freed


def list_audio_files(folder: Path) -> list[Path]:
    """Audio files in ``folder`` and its sub-folders, sorted by path.

    Hidden names are skipped: dot files and folders (audiocnn's own temporaries among them)
    and macOS's ``__MACOSX`` resource forks.
    """
    return sorted(
        p
        for p in folder.rglob("*")
        if p.suffix.lower() in AUDIO_EXTENSIONS and not is_hidden(p, folder) and p.is_file()
    )


# ----------------------------------------------------------------------------------------------
# Decoded-audio cache
# ----------------------------------------------------------------------------------------------


@dataclass
class DecodedAudio:
    """Many files decoded at one rate into one float32 array (memory-mapped from the cache).

    ``paths[i]`` decoded to ``audio[offsets[i]:offsets[i + 1]]`` (mono). Files that failed to
    decode are listed in ``skipped`` with the reason and have no entry in ``paths``.
    """

    paths: list[Path]
    offsets: np.ndarray
    audio: np.ndarray
    sample_rate: float
    skipped: dict[str, str]

    def __len__(self) -> int:
        return len(self.paths)

    def track(self, index: int) -> np.ndarray:
        return self.audio[self.offsets[index] : self.offsets[index + 1]]

    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)

    def index_of(self) -> dict[Path, int]:
        return {path: i for i, path in enumerate(self.paths)}


def _cache_key(paths: Sequence[Path], sample_rate: float) -> str:
    entries = []
    for path in paths:
        stat = path.stat()
        entries.append([str(path.resolve()), stat.st_size, stat.st_mtime_ns])
    blob = json.dumps([CACHE_FORMAT, float(sample_rate), entries]).encode()
    return hashlib.sha256(blob).hexdigest()[:24]


def decode_files(
    paths: Sequence[str | os.PathLike],
    sample_rate: float,
    *,
    cache: bool = True,
    progress: bool = True,
) -> DecodedAudio:
    """Decode and resample ``paths`` to mono at ``sample_rate``, once.

    The result is stored under ``cache_root()/decoded/<key>``, where the key hashes the files'
    paths, sizes and modification times and the rate: change a file and it is decoded again.
    A file that fails to decode is skipped with a warning naming it.
    """
    paths = [Path(p) for p in paths]
    missing = [p for p in paths if not p.is_file()]
    if missing:
        raise AudioError(missing[0], "no such file")
    folder = cache_root() / "decoded" / _cache_key(paths, sample_rate) if cache else None
    if folder is not None and (folder / "index.json").exists():
        decoded = _load_cached(folder)
    else:
        decoded = _decode(paths, sample_rate, progress)
        if folder is not None and _store(decoded, folder):
            decoded = _load_cached(folder)  # memory-mapped: the pages are shared and droppable
    if decoded.skipped:
        shown = list(decoded.skipped.items())[:3]
        listing = "; ".join(f"{path} ({why})" for path, why in shown)
        more = len(decoded.skipped) - len(shown)
        listing += f"; and {more} more" if more else ""
        warnings.warn(f"skipped {len(decoded.skipped)} unreadable file(s): {listing}", stacklevel=2)
    return decoded


def _decode(paths: list[Path], sample_rate: float, progress: bool) -> DecodedAudio:
    kept, pieces, skipped = [], [], {}
    for path in tqdm(paths, desc="decoding", unit="file", disable=not progress, leave=False):
        try:
            wav, _ = load_audio(path, sample_rate)
        except AudioError as error:
            skipped[str(path)] = error.problem
            continue
        kept.append(path)
        pieces.append(wav[0].numpy())
    lengths = [len(p) for p in pieces]
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    audio = np.concatenate(pieces) if pieces else np.zeros(0, np.float32)
    return DecodedAudio(kept, offsets, audio.astype(np.float32), sample_rate, skipped)


def _store(decoded: DecodedAudio, folder: Path) -> bool:
    """Cache ``decoded`` in ``folder``; False (with a warning) when it cannot be written."""
    index = {
        "paths": [str(p) for p in decoded.paths],
        "offsets": decoded.offsets.tolist(),
        "sample_rate": decoded.sample_rate,
        "skipped": decoded.skipped,
    }
    try:
        with atomic_folder(folder) as tmp:
            np.save(tmp / "audio.npy", decoded.audio)
            (tmp / "index.json").write_text(json.dumps(index))
    except OutputError as error:  # a cache that cannot be written only costs time
        warnings.warn(f"decoded audio not cached: {error}", stacklevel=3)
        return False
    return True


def _load_cached(folder: Path) -> DecodedAudio:
    index = json.loads((folder / "index.json").read_text())
    audio = np.load(folder / "audio.npy", mmap_mode="r")
    return DecodedAudio(
        [Path(p) for p in index["paths"]],
        np.asarray(index["offsets"], dtype=np.int64),
        audio,
        index["sample_rate"],
        index["skipped"],
    )


# ----------------------------------------------------------------------------------------------
# Genre folders and splits
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Track:
    path: Path
    label: int


@dataclass
class GenreFolder:
    """A folder-per-genre tree: ``root/<genre>/<any audio file>``."""

    root: Path
    labels: list[str]
    tracks: list[Track]

    @property
    def is_gtzan(self) -> bool:
        """True when the genres are GTZAN's and every file is named like GTZAN's
        (``<genre>.000NN``) in its genre folder. A corpus audiocnn generated in GTZAN's layout
        carries a ``corpus.json`` and is not taken for GTZAN."""
        from torchaudio.datasets.gtzan import gtzan_genres

        if (self.root / CORPUS_MARKER).exists() or not set(self.labels) <= set(gtzan_genres):
            return False
        for track in self.tracks:
            match = GTZAN_NAME.match(track.path.stem)
            if not match or match.group(1) != self.labels[track.label]:
                return False
        return bool(self.tracks)


def scan_genre_folder(root: str | os.PathLike, genres: Sequence[str] | None = None) -> GenreFolder:
    """Find the genre folders under ``root`` and the audio files in each.

    ``root`` may be the folder of genre folders itself, or hold GTZAN's ``genres/`` or
    ``genres_original/`` folder.

    Args:
        genres: keep only these genres, in this order (labels follow it); all, sorted, if None.
    """
    root = Path(root)
    if not root.is_dir():
        raise DataError(f"{root}: no such folder")
    for inner in ("genres_original", "genres", "Data/genres_original"):
        if (root / inner).is_dir():
            root = root / inner
            break
    available = sorted(p.name for p in root.iterdir() if p.is_dir() and not is_hidden(p))
    if not available:
        raise DataError(f"{root}: no genre folders (expected {root}/<genre>/<file>.wav)")
    labels = list(genres) if genres else available
    unknown = [g for g in labels if g not in available]
    if unknown:
        raise DataError(f"{root}: no folder for genre(s) {', '.join(unknown)}; found {available}")
    tracks = []
    for label, genre in enumerate(labels):
        files = list_audio_files(root / genre)
        if not files:
            raise DataError(f"{root / genre}: genre folder has no audio files")
        tracks += [Track(path, label) for path in files]
    return GenreFolder(root, labels, tracks)


def split_tracks(
    folder: GenreFolder,
    *,
    method: str = "auto",
    test_size: float = 0.2,
    val_size: float = 0.1,
    seed: int = 1,
) -> dict[str, list[Track]]:
    """Split tracks (never windows) into ``train``, ``val`` and ``test``.

    Args:
        method: ``"gtzan"``, GTZAN's fault-filtered split (torchaudio's ``filtered_train`` /
            ``filtered_valid`` / ``filtered_test`` lists; tracks in none of them are dropped);
            ``"stratified"``, a seeded split stratified by genre (scikit-learn); ``"random"``,
            the genre notebook's unstratified train/test split (no validation); ``"auto"``,
            GTZAN's when the files are GTZAN's, stratified otherwise.
        test_size, val_size: fractions of all tracks (stratified split only); ``val_size=0``
            gives an empty validation split, as in the genre notebook's 80/20 split.
        seed: ``random_state`` of the stratified split.
    """
    if method == "auto" and folder.is_gtzan:
        try:
            return _gtzan_split(folder)
        except DataError as error:
            warnings.warn(f"{error}; using a stratified split instead", stacklevel=2)
    if method == "gtzan":
        return _gtzan_split(folder)
    if method == "random":  # the genre notebook's plain train_test_split, not stratified
        from sklearn.model_selection import train_test_split

        if len(folder.tracks) * test_size < 1 or len(folder.tracks) * (1 - test_size) < 1:
            raise DataError(
                f"{folder.root}: too few tracks ({len(folder.tracks)}) for a train/test split "
                f"with test_size {test_size}"
            )
        rest, test = train_test_split(folder.tracks, test_size=test_size, random_state=seed)
        return {"train": rest, "val": [], "test": test}
    if method not in ("auto", "stratified"):
        raise ValueError(
            f"split method must be 'auto', 'gtzan', 'stratified' or 'random', got {method!r}"
        )
    _check_split_size(folder, test_size, val_size)
    from sklearn.model_selection import train_test_split

    tracks = folder.tracks
    labels = [t.label for t in tracks]
    try:
        rest, test = train_test_split(
            tracks, test_size=test_size, random_state=seed, stratify=labels
        )
        if val_size <= 0:
            return {"train": rest, "val": [], "test": test}
        train, val = train_test_split(
            rest,
            test_size=val_size / (1 - test_size),
            random_state=seed,
            stratify=[t.label for t in rest],
        )
    except ValueError as error:  # a size the check above did not foresee
        raise DataError(f"{folder.root}: cannot split these tracks ({error})") from None
    return {"train": train, "val": val, "test": test}


def _check_split_size(folder: GenreFolder, test_size: float, val_size: float) -> None:
    """Refuse, in one line, a folder too small for a stratified split: every split needs a
    track of every genre, so each genre needs about ``1 / min(test_size, val_size)`` tracks."""
    counts = np.bincount([t.label for t in folder.tracks], minlength=len(folder.labels))
    smallest = int(counts.argmin())
    fractions = [f for f in (test_size, val_size) if f > 0]
    need = max(len(fractions) + 1, math.ceil(1 / min(fractions) - 1e-9))
    if counts[smallest] < need:
        raise DataError(
            f"{folder.root}: too few tracks to split: genre '{folder.labels[smallest]}' has "
            f"{counts[smallest]}, and a stratified split with test_size {test_size} and val_size "
            f"{val_size} needs at least {need} per genre ({need * len(counts)} in all); add "
            "tracks, lower the split sizes in a recipe, or give --val-data / --test-data"
        )


def _gtzan_split(folder: GenreFolder) -> dict[str, list[Track]]:
    from torchaudio.datasets import gtzan

    names = {
        "train": set(gtzan.filtered_train),
        "val": set(gtzan.filtered_valid),
        "test": set(gtzan.filtered_test),
    }
    split = {
        part: [t for t in folder.tracks if t.path.stem in members]
        for part, members in names.items()
    }
    if not split["train"] or not split["test"]:
        raise DataError(
            f"{folder.root}: files are named like GTZAN's but too few are in its filtered split"
        )
    return split


# ----------------------------------------------------------------------------------------------
# Window datasets
# ----------------------------------------------------------------------------------------------


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
        return torch.from_numpy(np.asarray(window * scale, dtype=np.float32))[None], self.labels[n]


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


# ----------------------------------------------------------------------------------------------
# Denoise data
# ----------------------------------------------------------------------------------------------


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
    from ``snr_db``. Seeded: the same ``(seed, epoch, i)`` gives the same mixture.

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
    ) -> None:
        if not len(clean) or not len(noise):
            raise DataError("NoiseMixer needs at least one clean and one noise file")
        super().__init__(len(clean), windows_per_file, seed)
        self.clean, self.noise = clean, noise
        self.window_samples = window_samples
        self.snr_db = snr_db

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        rng = self.rng(i)
        clean = _crop(self.clean.track(i % len(self.clean)), self.window_samples, rng)
        noise = self.noise.track(int(rng.integers(len(self.noise))))
        start = int(rng.integers(len(noise)))
        noise = noise[(start + np.arange(self.window_samples)) % len(noise)]  # tiled if short
        snr = rng.uniform(*self.snr_db)
        return mix_at_snr(torch.from_numpy(np.array(clean)), torch.from_numpy(noise), snr)


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
