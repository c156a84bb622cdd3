"""Denoise files of any length, rate and channel count, block by block, with flat memory.

The file is read in blocks; each block is resampled to the model's rate, filtered with the
model's streaming state, and resampled back, all three carrying their state across blocks, so
the output equals processing the whole file at once. Each channel goes through the same network
(as a batch). The output keeps the input's format and subtype, is written to a temporary file
beside the destination and renamed at the end, and is never the input itself.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from pathlib import Path

import numpy as np
import soundfile as sf
import torch
from tqdm.auto import tqdm

from audiocnn.audio import AUDIO_EXTENSIONS, AudioError, StreamingResampler, audio_info, publish

# Formats libsndfile reads but cannot write well; their output is written as WAV instead.
WRITE_AS_WAV = {"MP3": "FLOAT"}
CLIP_LEVEL = 0.999  # input samples at or above this magnitude count as clipped


def denoise_array(
    model, wav: torch.Tensor, sample_rate: float, model_rate: float, block: int = 1 << 16
) -> torch.Tensor:
    """Denoise a ``(channels, time)`` tensor in blocks (same result as one big block)."""
    pipeline = _Pipeline(model, sample_rate, model_rate, wav.shape[0])
    pieces = [pipeline.push(wav[:, i : i + block]) for i in range(0, wav.shape[-1], block)]
    pieces.append(pipeline.flush())
    return torch.cat(pieces, dim=-1)[:, : wav.shape[-1]]


class _Pipeline:
    """Resample in -> stream through the model -> resample out, state carried across blocks."""

    def __init__(self, model, sample_rate: float, model_rate: float, channels: int) -> None:
        self.model = model
        self.into = StreamingResampler(sample_rate, model_rate, channels)
        self.out_of = StreamingResampler(model_rate, sample_rate, channels)
        self.state = None
        self.channels = channels
        self.skip = getattr(model, "delay", 0)  # the model's latency, dropped from the start

    def _model(self, x: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            y, self.state = self.model.stream(x[:, None], self.state)
        y = y[:, 0]
        cut = min(self.skip, y.shape[-1])
        self.skip -= cut
        return y[:, cut:]

    def push(self, block: torch.Tensor) -> torch.Tensor:
        return self.out_of.push(self._model(self.into.push(block)))

    def flush(self) -> torch.Tensor:
        tail = self._model(self.into.flush())
        # Silence as long as the latency brings out the estimate of the last input samples.
        latency = getattr(self.model, "delay", 0)
        tail = torch.cat([tail, self._model(torch.zeros(self.channels, latency))], dim=-1)
        return torch.cat([self.out_of.push(tail), self.out_of.flush()], dim=-1)


def denoise_file(
    model,
    model_rate: float,
    in_path: str | os.PathLike,
    out_path: str | os.PathLike,
    *,
    block_seconds: float = 10.0,
    progress: bool = True,
) -> dict:
    """Denoise ``in_path`` into ``out_path`` (same rate, channels, format and subtype).

    Returns:
        ``{"frames", "sample_rate", "channels", "clipped_in", "clipped_out"}``.
    """
    in_path, out_path = Path(in_path), Path(out_path)
    info = audio_info(in_path)
    if info.frames == 0:
        raise AudioError(in_path, "zero-length recording (no samples)")
    if out_path.exists() and os.path.samefile(in_path, out_path):
        raise AudioError(out_path, "refusing to overwrite the input file; choose another output")
    subtype = WRITE_AS_WAV.get(info.format, info.subtype)
    fmt = "WAV" if info.format in WRITE_AS_WAV else info.format
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        dir=out_path.parent, prefix=f".{out_path.stem}.", suffix=out_path.suffix or ".wav"
    )
    os.close(fd)
    pipeline = _Pipeline(model, info.samplerate, model_rate, info.channels)
    block = max(1, int(block_seconds * info.samplerate))
    written, clipped_in, clipped_out = 0, 0, 0
    try:
        with (
            sf.SoundFile(str(in_path)) as source,
            sf.SoundFile(
                tmp,
                "w",
                samplerate=info.samplerate,
                channels=info.channels,
                subtype=subtype,
                format=fmt,
            ) as sink,
        ):
            bar = tqdm(
                total=info.frames,
                unit="sample",
                unit_scale=True,
                leave=False,
                desc=in_path.name,
                disable=not progress or info.duration < 30,
            )
            for data in source.blocks(blocksize=block, dtype="float32", always_2d=True):
                if not np.isfinite(data).all():
                    raise AudioError(in_path, "contains NaN or Inf samples")
                clipped_in += int((np.abs(data) >= CLIP_LEVEL).sum())
                out = pipeline.push(torch.from_numpy(data.T.copy()))
                written, clipped_out = _write(sink, out, written, info.frames, clipped_out)
                bar.update(len(data))
            _, clipped_out = _write(sink, pipeline.flush(), written, info.frames, clipped_out)
            bar.close()
        publish(tmp, out_path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if clipped_in > 0.001 * info.frames * info.channels:
        warnings.warn(
            f"{in_path}: {clipped_in} input samples are at full scale (clipped "
            "recording); clipping distortion is not noise and stays",
            stacklevel=2,
        )
    if clipped_out:
        warnings.warn(
            f"{out_path}: {clipped_out} output samples beyond full scale were clipped", stacklevel=2
        )
    return {
        "frames": info.frames,
        "sample_rate": info.samplerate,
        "channels": info.channels,
        "clipped_in": clipped_in,
        "clipped_out": clipped_out,
    }


def _write(sink, out: torch.Tensor, written: int, total: int, clipped: int) -> tuple[int, int]:
    out = out[:, : max(0, total - written)].numpy()
    over = np.abs(out) > 1.0
    if over.any():  # clip rather than let the integer conversion wrap around
        clipped += int(over.sum())
        out = np.clip(out, -1.0, 1.0)
    sink.write(out.T)
    return written + out.shape[1], clipped


def output_paths(inputs: list[Path], out: Path) -> list[tuple[Path, Path]]:
    """Pair each input with its output: a file for one input, a mirrored tree for a folder."""
    if len(inputs) == 1 and inputs[0].is_file():
        target = out / inputs[0].name if out.is_dir() else out
        return [(inputs[0], target)]
    pairs = []
    for item in inputs:
        if item.is_dir():
            files = sorted(
                p for p in item.rglob("*") if p.is_file() and p.suffix.lower() in AUDIO_EXTENSIONS
            )
            if not files:
                raise AudioError(item, "folder has no audio files")
            pairs += [(f, out / f.relative_to(item)) for f in files]
        else:
            pairs.append((item, out / item.name))
    return pairs
