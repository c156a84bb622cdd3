"""Built-in procedural corpora, so every command runs with no download.

* **Genre corpus**: blues, metal, country and hip-hop (the genre notebook's GTZAN subset), told
  apart by musical cues - progression, rhythm, tempo, articulation - with key, tempo, levels, EQ,
  room, background noise and loudness drawn per track so that no single timbre separates them.
  Written in GTZAN's layout (``<genre>/<genre>.000NN.wav``, 22.05 kHz mono 16-bit).
* **Denoise corpus**: clean music and speech-like sources (glottal pulses through moving formant
  filters), mixed with white, pink, brown, hum, babble and burst noises at SNRs from a range,
  written as paired ``clean/`` + ``noisy/`` folders (16 kHz) plus the ``noise/`` used.

Everything is drawn from ``numpy.random.default_rng([seed, ...])`` per file, so the same seed
gives identical bytes whatever the number of worker processes.

    python -m audiocnn.synth genre OUT_DIR [--tracks 40] [--seconds 30] [--seed 0]
    python -m audiocnn.synth denoise OUT_DIR [--clips 240] [--seconds 4] [--seed 0]
    python -m audiocnn.synth plot CORPUS_DIR OUT.png   # one track per genre, pictured
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from pathlib import Path

import soundfile as sf

from audiocnn.data import CORPUS_MARKER, cache_root
from audiocnn.files import atomic_folder
from audiocnn.progress import tqdm
from audiocnn.synth.base import (
    CORPUS_VERSION,
    DENOISE_SAMPLE_RATE,
    GENRE_SAMPLE_RATE,
    GENRES,
    NOISE_KINDS,
    DenoiseCorpusConfig,
    GenreCorpusConfig,
)
from audiocnn.synth.music import (
    KEY_RANGES,
    TEMPO_RANGES,
    colored_noise,
    render_genre_track,
)
from audiocnn.synth.speech import noise_signal, render_denoise_clip, speech_like

__all__ = [
    "CORPUS_VERSION",
    "DENOISE_SAMPLE_RATE",
    "GENRES",
    "GENRE_SAMPLE_RATE",
    "KEY_RANGES",
    "NOISE_KINDS",
    "TEMPO_RANGES",
    "DenoiseCorpusConfig",
    "GenreCorpusConfig",
    "builtin_denoise_corpus",
    "builtin_genre_corpus",
    "colored_noise",
    "main",
    "noise_signal",
    "plot_genre_examples",
    "render_denoise_clip",
    "render_genre_track",
    "speech_like",
    "write_denoise_corpus",
    "write_genre_corpus",
]

# ----------------------------------------------------------------------------------------------
# Writing corpora
# ----------------------------------------------------------------------------------------------


def _write_genre_track(job: tuple[str, int, GenreCorpusConfig, str]) -> None:
    genre, index, config, out_dir = job
    wav = render_genre_track(genre, index, config)
    sf.write(
        Path(out_dir) / genre / f"{genre}.{index:05d}.wav",
        wav,
        config.sample_rate,
        subtype="PCM_16",
    )


def _write_denoise_clip(job: tuple[int, DenoiseCorpusConfig, str]) -> None:
    index, config, out_dir = job
    for part, wav in zip(
        ("clean", "noise", "noisy"), render_denoise_clip(index, config), strict=True
    ):
        sf.write(
            Path(out_dir) / part / f"clip{index:05d}.wav", wav, config.sample_rate, subtype="PCM_16"
        )


def _run(jobs: list, worker: Callable, desc: str, workers: int | None, progress: bool) -> None:
    workers = workers or min(len(jobs), os.cpu_count() or 1)
    bar = tqdm(total=len(jobs), desc=desc, unit="file", disable=not progress)
    if workers <= 1:
        for job in jobs:
            worker(job)
            bar.update()
    else:
        with ProcessPoolExecutor(workers) as pool:
            for _ in pool.map(worker, jobs, chunksize=2):
                bar.update()
    bar.close()


def _start(tmp: Path, parts, manifest: dict) -> None:
    """Sub-folders and the manifest of a corpus being written into ``tmp``."""
    for part in parts:
        (tmp / part).mkdir()
    (tmp / CORPUS_MARKER).write_text(json.dumps(manifest, indent=2))


def write_genre_corpus(
    out_dir: str | os.PathLike,
    config: GenreCorpusConfig = GenreCorpusConfig(),
    *,
    workers: int | None = None,
    progress: bool = True,
    replace: bool = True,
) -> Path:
    """Generate the genre corpus into ``out_dir`` (replaced whole, atomically; with
    ``replace=False`` a corpus another process finished first is kept)."""
    manifest = {"corpus": "genre", "version": CORPUS_VERSION, **asdict(config)}
    with atomic_folder(out_dir, replace=replace) as tmp:
        _start(tmp, GENRES, manifest)
        jobs = [(g, i, config, str(tmp)) for i in range(config.tracks_per_genre) for g in GENRES]
        _run(jobs, _write_genre_track, "generating genre corpus", workers, progress)
    return Path(out_dir)


def write_denoise_corpus(
    out_dir: str | os.PathLike,
    config: DenoiseCorpusConfig = DenoiseCorpusConfig(),
    *,
    workers: int | None = None,
    progress: bool = True,
    replace: bool = True,
) -> Path:
    """Generate the denoise corpus (``clean/``, ``noisy/``, ``noise/``) into ``out_dir``
    (as :func:`write_genre_corpus` does the genre corpus)."""
    manifest = {
        "corpus": "denoise",
        "version": CORPUS_VERSION,
        **asdict(config),
        "noise_kinds": NOISE_KINDS,
    }
    with atomic_folder(out_dir, replace=replace) as tmp:
        _start(tmp, ("clean", "noise", "noisy"), manifest)
        jobs = [(i, config, str(tmp)) for i in range(config.clips)]
        _run(jobs, _write_denoise_clip, "generating denoise corpus", workers, progress)
    return Path(out_dir)


def _cached(name: str, config, writer: Callable) -> Path:
    manifest = {"version": CORPUS_VERSION, **asdict(config)}
    key = "-".join(f"{v}" for v in manifest.values()).replace(" ", "").replace(",", "_")
    folder = cache_root() / "corpora" / f"{name}-{key}"
    if not (folder / CORPUS_MARKER).exists():
        print(
            f"audiocnn: generating the built-in {name} corpus into {folder} (once)", file=sys.stderr
        )
        # the folder's name says what is in it: one another process finishes first is kept
        writer(folder, config, replace=False)
    return folder


def builtin_genre_corpus(config: GenreCorpusConfig = GenreCorpusConfig()) -> Path:
    """The genre corpus in the user's cache, generated on first use."""
    return _cached("genre", config, write_genre_corpus)


def builtin_denoise_corpus(config: DenoiseCorpusConfig = DenoiseCorpusConfig()) -> Path:
    """The denoise corpus in the user's cache, generated on first use."""
    return _cached("denoise", config, write_denoise_corpus)


def plot_genre_examples(corpus_dir: str | os.PathLike, out_png: str | os.PathLike) -> Path:
    """Save the first track of each genre as waveform + log-mel spectrogram panels."""
    from audiocnn.audio import load_audio
    from audiocnn.data import scan_genre_folder
    from audiocnn.plots import plot_waveforms_and_spectrograms

    folder = scan_genre_folder(corpus_dir)
    signals, rate = {}, GENRE_SAMPLE_RATE
    for label, genre in enumerate(folder.labels):
        first = next(t for t in folder.tracks if t.label == label)
        wav, rate = load_audio(first.path)
        signals[f"{genre} ({first.path.name})"] = wav[0].numpy()
    return plot_waveforms_and_spectrograms(signals, rate, out_png)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m audiocnn.synth", description=__doc__.split("\n\n")[0]
    )
    sub = parser.add_subparsers(dest="corpus", required=True)
    genre = sub.add_parser("genre", help="the genre corpus, in GTZAN's layout")
    genre.add_argument("out_dir", type=Path)
    genre.add_argument(
        "--tracks",
        type=int,
        default=GenreCorpusConfig.tracks_per_genre,
        help="tracks per genre (default %(default)s)",
    )
    genre.add_argument("--seconds", type=float, default=GenreCorpusConfig.seconds)
    genre.add_argument("--seed", type=int, default=0)
    denoise = sub.add_parser("denoise", help="paired clean/ + noisy/ clips")
    denoise.add_argument("out_dir", type=Path)
    denoise.add_argument("--clips", type=int, default=DenoiseCorpusConfig.clips)
    denoise.add_argument("--seconds", type=float, default=DenoiseCorpusConfig.seconds)
    denoise.add_argument("--seed", type=int, default=0)
    picture = sub.add_parser("plot", help="waveform + spectrogram of one track per genre")
    picture.add_argument("corpus_dir", type=Path, help="a genre corpus folder")
    picture.add_argument("out_png", type=Path)
    args = parser.parse_args(argv)
    if args.corpus == "plot":
        print(f"wrote {plot_genre_examples(args.corpus_dir, args.out_png)}")
        return 0
    if args.corpus == "genre":
        out = write_genre_corpus(
            args.out_dir, GenreCorpusConfig(args.tracks, args.seconds, args.seed)
        )
    else:
        out = write_denoise_corpus(
            args.out_dir, DenoiseCorpusConfig(args.clips, args.seconds, seed=args.seed)
        )
    print(f"wrote {out}")
    return 0
