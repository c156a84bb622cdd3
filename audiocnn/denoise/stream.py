"""Denoise files of any length, rate and channel count, block by block, with flat memory.

The file is read in blocks; each block is resampled to the model's rate, filtered with the
model's streaming state, and resampled back, all three carrying their state across blocks, so
the output equals processing the whole file at once. Each channel goes through the same network
(as a batch). The output's format follows its name; it keeps the input's sample format where
that format can store it, appears only when complete (``audio.AudioWriter``), and is never the
input itself.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
import torch

from audiocnn import runtime
from audiocnn.audio import (
    FLOAT_SUBTYPES,
    AudioError,
    AudioWriter,
    StreamingResampler,
    audio_info,
    read_blocks,
)
from audiocnn.data import list_audio_files
from audiocnn.models import StreamingDenoiser
from audiocnn.progress import tqdm

CLIP_LEVEL = 0.999  # input samples at or above this magnitude count as clipped
# Blocks of fewer model-rate samples than this run on one intra-op thread: below about 4 s at
# 16 kHz, one thread was faster than two (idle, 2-core x86: a 0.25 s block at a real-time factor
# of 0.012 against 0.027, a 2 s block 0.007 against 0.009; docs/speed.md).
THREADED_MIN_SAMPLES = 1 << 16


def denoise_array(
    model: StreamingDenoiser,
    wav: torch.Tensor,
    sample_rate: float,
    model_rate: float,
    block: int = 1 << 16,
) -> torch.Tensor:
    """Denoise a ``(channels, time)`` tensor in blocks (same result as one big block)."""
    pipeline = _Pipeline(model, sample_rate, model_rate, wav.shape[0])
    starts = range(0, wav.shape[-1], block)
    pieces = [pipeline.push(wav[:, i : i + block]) for i in starts[:-1]]
    pieces.append(pipeline.flush(wav[:, starts[-1] :] if starts else None))
    return torch.cat(pieces, dim=-1)[:, : wav.shape[-1]]


class _Pipeline:
    """Resample in -> stream through the model -> resample out, state carried across blocks."""

    def __init__(
        self, model: StreamingDenoiser, sample_rate: float, model_rate: float, channels: int
    ) -> None:
        self.model = model
        self.into = StreamingResampler(sample_rate, model_rate, channels)
        self.out_of = StreamingResampler(model_rate, sample_rate, channels)
        self.state = None
        self.channels = channels
        self.skip = model.delay  # the model's latency, dropped from the start
        self.cores = runtime.FreeCores()

    def _model(self, x: torch.Tensor) -> torch.Tensor:
        small = x.shape[-1] < THREADED_MIN_SAMPLES
        # long blocks: as many threads as other programs leave cores free (runtime.FreeCores)
        with torch.no_grad(), runtime.threads(1 if small else self.cores.next_count()):
            y, self.state = self.model.stream(x[:, None], self.state)
        y = y[:, 0]
        cut = min(self.skip, y.shape[-1])
        self.skip -= cut
        return y[:, cut:]

    def push(self, block: torch.Tensor) -> torch.Tensor:
        return self.out_of.push(self._model(self.into.push(block)))

    def flush(self, last: torch.Tensor | None = None) -> torch.Tensor:
        """The rest of the output, after the input's ``last`` block if it was not pushed.

        The last block, the resampler's tail and the silence that brings out the estimate of
        the last input samples (as long as the latency) go through the model in one call: in
        a call of its own, the silence took a fifth of a 1.5 s file's time (docs/speed.md).
        """
        pieces = [] if last is None else [self.into.push(last)]
        pieces += [self.into.flush(), torch.zeros(self.channels, self.model.delay)]
        tail = self._model(torch.cat(pieces, dim=-1))
        return torch.cat([self.out_of.push(tail), self.out_of.flush()], dim=-1)


def denoise_file(
    model: StreamingDenoiser,
    model_rate: float,
    in_path: str | os.PathLike,
    out_path: str | os.PathLike,
    *,
    block_seconds: float = 10.0,
    progress: bool = True,
) -> dict:
    """Denoise ``in_path`` into ``out_path`` (same rate and channels; the format follows the
    output's ending, keeping the input's sample format where that format can store it).

    Returns:
        ``{"frames", "sample_rate", "channels", "clipped_in", "clipped_out"}``.
    """
    in_path, out_path = Path(in_path), Path(out_path)
    info = audio_info(in_path)
    pipeline = _Pipeline(model, info.samplerate, model_rate, info.channels)
    block = max(1, int(block_seconds * info.samplerate))
    written, clipped_in = 0, 0
    # a float file stores samples beyond full scale as they are: only those at it are clipped
    ceiling = 1.0 + 1e-6 if info.subtype in FLOAT_SUBTYPES else np.inf
    with (
        tqdm(
            total=info.frames,
            unit="sample",
            unit_scale=True,
            leave=False,
            desc=in_path.name,
            disable=not progress or info.duration < 30,
        ) as bar,  # closed on an interruption too, so the message starts on a clean line
        AudioWriter(
            out_path, info.samplerate, info.channels, subtype=info.subtype, source=in_path
        ) as sink,
    ):
        last = None  # each block is pushed once the next is read: the last one goes with flush
        for data in read_blocks(in_path, block):
            level = np.abs(data)
            clipped_in += int(((level >= CLIP_LEVEL) & (level <= ceiling)).sum())
            if last is not None:
                written = _write(sink, pipeline.push(last), written, info)
            last = torch.from_numpy(data.T.copy())
            bar.update(len(data))
        _write(sink, pipeline.flush(last), written, info)
    if clipped_in > 0.001 * info.frames * info.channels:
        warnings.warn(
            f"{in_path}: {clipped_in} input samples are at full scale (clipped "
            "recording); clipping distortion is not noise and stays",
            stacklevel=2,
        )
    if sink.clipped:
        warnings.warn(
            f"{out_path}: {sink.clipped} output samples beyond full scale were clipped",
            stacklevel=2,
        )
    return {
        "frames": info.frames,
        "sample_rate": info.samplerate,
        "channels": info.channels,
        "clipped_in": clipped_in,
        "clipped_out": sink.clipped,
    }


def _write(sink: AudioWriter, out: torch.Tensor, written: int, info) -> int:
    """Write no more than the input's length (the model's tail is cut); returns the count."""
    out = out[:, : max(0, info.frames - written)]
    sink.write(out)
    return written + out.shape[1]


def output_paths(inputs: list[Path], out: Path) -> list[tuple[Path, Path]]:
    """Pair each input with its output.

    One input file and an ``out`` with an audio ending (and not a folder): that file.
    Otherwise ``out`` is a folder: each file of a folder input keeps its path below it (the
    tree is mirrored), a file input goes directly into it. Hidden files (audiocnn's own
    temporaries among them) and files already below ``out`` are not inputs.

    A file named twice (``take.wav take.wav``, or a folder and a file in it: ``rec/
    rec/take.wav``) is one input, denoised once.

    Raises:
        AudioError: a folder with no audio, an output folder that is an input folder or holds
            one, or two inputs that would write the same output (refused before anything is
            written).
    """
    if len(inputs) == 1 and not inputs[0].is_dir() and out.suffix and not out.is_dir():
        return [(inputs[0], out)]
    pairs = []
    for item in inputs:
        if item.is_dir():
            if _below(item / "-", out):
                raise AudioError(
                    item,
                    f"the output folder {out} is this folder or a folder above it; choose "
                    "another output folder (one inside this folder will do)",
                )
            files = [f for f in list_audio_files(item) if not _below(f, out)]
            if not files:
                raise AudioError(item, "folder has no audio files")
            pairs += [(f, out / f.relative_to(item)) for f in files]
        else:
            pairs.append((item, out / item.name))
    return _refuse_collisions(pairs)


def _below(path: Path, folder: Path) -> bool:
    return folder.exists() and Path(os.path.abspath(folder)) in Path(os.path.abspath(path)).parents


def _refuse_collisions(pairs: list[tuple[Path, Path]]) -> list[tuple[Path, Path]]:
    """``pairs`` with each repeat of a pair left out, or an error if two inputs share an
    output."""
    first: dict[str, Path] = {}
    kept = []
    for source, target in pairs:
        key = os.path.abspath(target)
        if key not in first:
            first[key] = source
            kept.append((source, target))
        elif os.path.realpath(first[key]) != os.path.realpath(source):  # (may not exist)
            raise AudioError(
                target,
                f"two inputs would be written here ({first[key]} and {source}); denoise them "
                "into separate output folders",
            )
    return kept


def is_complete(source: Path, target: Path) -> bool:
    """Whether ``target`` is a finished output of ``source``: readable, with the same length,
    rate and channels (outputs appear only when complete, so this is a check of identity)."""
    try:
        made, wanted = audio_info(target), audio_info(source)
    except AudioError:
        return False
    return (made.frames, made.samplerate, made.channels) == (
        wanted.frames,
        wanted.samplerate,
        wanted.channels,
    )
