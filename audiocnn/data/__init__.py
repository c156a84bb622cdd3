"""Datasets and splits for both tasks, on top of a cache of decoded, resampled audio.

Genre data is a folder per genre (GTZAN's layout or any other labels); denoise data is either
paired ``clean/`` + ``noisy/`` folders or clean and noise folders mixed on the fly. Every file is
decoded and resampled once into a memory-mapped ``.npy`` under :func:`cache_root`, so later
epochs and later runs never decode again.

- :mod:`~audiocnn.data.base`: ``DataError``, :func:`cache_root`, :func:`list_audio_files`;
- :mod:`~audiocnn.data.cache`: :func:`decode_files`, ``DecodedAudio``;
- :mod:`~audiocnn.data.genre`: :func:`scan_genre_folder`, :func:`split_tracks`,
  :func:`track_source`;
- :mod:`~audiocnn.data.windows`: ``RandomWindows``, ``SlidingWindows``;
- :mod:`~audiocnn.data.denoise`: :func:`find_pairs`, ``PairedWindows``, ``NoiseMixer``,
  :func:`group_weights`.
"""

from audiocnn.data.augment import MixAugmentConfig
from audiocnn.data.base import (
    CACHE_FORMAT,
    CORPUS_MARKER,
    GTZAN_NAME,
    DataError,
    cache_root,
    list_audio_files,
)
from audiocnn.data.cache import DecodedAudio, clear_decoded_cache, decode_files
from audiocnn.data.denoise import (
    NoiseMixer,
    PairedWindows,
    audio_files_in,
    find_pairs,
    group_weights,
    mix_at_snr,
)
from audiocnn.data.genre import (
    GenreFolder,
    Track,
    scan_genre_folder,
    split_tracks,
    track_source,
)
from audiocnn.data.windows import EpochSeededWindows, RandomWindows, SlidingWindows

__all__ = [
    "MixAugmentConfig",
    "CACHE_FORMAT",
    "CORPUS_MARKER",
    "GTZAN_NAME",
    "DataError",
    "DecodedAudio",
    "EpochSeededWindows",
    "GenreFolder",
    "NoiseMixer",
    "PairedWindows",
    "RandomWindows",
    "SlidingWindows",
    "Track",
    "audio_files_in",
    "cache_root",
    "clear_decoded_cache",
    "decode_files",
    "find_pairs",
    "list_audio_files",
    "group_weights",
    "mix_at_snr",
    "scan_genre_folder",
    "split_tracks",
    "track_source",
]
