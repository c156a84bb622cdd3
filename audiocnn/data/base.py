"""What every part of audiocnn.data shares: its error, the cache folder, folder walks."""

from __future__ import annotations

import os
import re
from pathlib import Path

from audiocnn.audio import AUDIO_EXTENSIONS
from audiocnn.files import is_hidden

CACHE_FORMAT = 2  # 2: entries keyed by the path as given, paths stored absolute
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
