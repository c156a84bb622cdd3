"""Genre data: a folder per genre (GTZAN's layout or any other labels), and its track-level
splits."""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from audiocnn.data.base import CORPUS_MARKER, GTZAN_NAME, DataError, list_audio_files
from audiocnn.files import is_hidden


@dataclass(frozen=True)
class Track:
    path: Path
    label: int


def track_source(path: Path) -> str:
    """The production a track comes from, by the name ``<source>__<track>`` (as
    ``recipes/genre/prepare_real_music.py`` names them by package); a file named otherwise is
    its own source."""
    stem = Path(path).stem
    return stem.split("__", 1)[0] if "__" in stem else stem


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
