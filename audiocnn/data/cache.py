"""The decoded-audio cache: every file decoded and resampled once into a memory-mapped
``.npy`` under :func:`cache_root`, so later epochs and later runs never decode again."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from audiocnn.audio import AudioError, load_audio
from audiocnn.data.base import CACHE_FORMAT, cache_root
from audiocnn.files import OutputError, atomic_folder
from audiocnn.progress import tqdm


def clear_decoded_cache() -> int:
    """Delete every decoded-audio cache; returns the bytes freed."""
    folder = cache_root() / "decoded"
    freed = (
        sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) if folder.exists() else 0
    )
    shutil.rmtree(folder, ignore_errors=True)
    return freed


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
        # The path as given (a link is its own entry) and what it points to: two link trees over
        # the same files are two caches, each listing its own paths.
        entries.append([str(path.absolute()), str(path.resolve()), stat.st_size, stat.st_mtime_ns])
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
        decoded = _load_cached(folder, paths)
    else:
        decoded = _decode(paths, sample_rate, progress)
        if folder is not None and _store(decoded, folder):
            decoded = _load_cached(folder, paths)  # memory-mapped: pages shared and droppable
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
    index = {  # absolute paths: the same files may be asked for from another folder
        "paths": [str(p.absolute()) for p in decoded.paths],
        "offsets": decoded.offsets.tolist(),
        "sample_rate": decoded.sample_rate,
        "skipped": {str(Path(k).absolute()): why for k, why in decoded.skipped.items()},
    }
    try:
        # replace=False: another run that decoded the same files first keeps its copy, which
        # it may be reading (two trainings started together)
        with atomic_folder(folder, replace=False) as tmp:
            np.save(tmp / "audio.npy", decoded.audio)
            (tmp / "index.json").write_text(json.dumps(index))
    except OutputError as error:  # a cache that cannot be written only costs time
        warnings.warn(f"decoded audio not cached: {error}", stacklevel=3)
        return False
    return True


def _load_cached(folder: Path, requested: list[Path]) -> DecodedAudio:
    """The cache in ``folder``, its paths spelled as ``requested`` spells them."""
    index = json.loads((folder / "index.json").read_text())
    audio = np.load(folder / "audio.npy", mmap_mode="r")
    spelled = {str(p.absolute()): p for p in requested}
    return DecodedAudio(
        [spelled.get(p, Path(p)) for p in index["paths"]],
        np.asarray(index["offsets"], dtype=np.int64),
        audio,
        index["sample_rate"],
        {str(spelled.get(k, k)): why for k, why in index["skipped"].items()},
    )
