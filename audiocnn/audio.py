"""Load, save and frame audio (resampling is in :mod:`audiocnn.resample`).

Files are read with ``soundfile`` (libsndfile: WAV, FLAC, OGG/Vorbis, AIFF, Sun .au, MP3 where
libsndfile has it); ``torchaudio.load`` needs FFmpeg since torchaudio 2.9, so it is not used.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import soundfile as sf
import torch

from audiocnn.files import OutputError, atomic_path
from audiocnn.resample import StreamingResampler, rate_ratio, resample

__all__ = [
    "AUDIO_EXTENSIONS",
    "AudioError",
    "AudioWriter",
    "StreamingResampler",
    "audio_info",
    "frame",
    "load_audio",
    "output_format",
    "read_blocks",
    "rate_ratio",
    "resample",
    "save_audio",
]

# File endings the loaders look for in a folder (libsndfile reads them; .au is GTZAN's original).
AUDIO_EXTENSIONS = frozenset(
    {".wav", ".au", ".snd", ".flac", ".ogg", ".oga", ".aif", ".aiff", ".aifc", ".mp3", ".w64"}
)

# Sample formats that store samples beyond full scale (1.0) as they are: nothing is clipped.
FLOAT_SUBTYPES = frozenset({"FLOAT", "DOUBLE"})

# File sample rates accepted. Below 1 kHz is no recording but a damaged or crafted header, and
# resampling it to a model's rate would multiply its length (1 Hz -> 16 kHz: 16,000 times).
MIN_FILE_RATE, MAX_FILE_RATE = 1000, 1_536_000


class AudioError(ValueError):
    """A file that cannot be used as audio; the message names the file and what is wrong."""

    def __init__(self, path: str | os.PathLike, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = Path(path)
        self.problem = problem


def load_audio(
    path: str | os.PathLike, sample_rate: float | None = None, *, mono: bool = True
) -> tuple[torch.Tensor, float]:
    """Read an audio file into a float32 tensor.

    Integer samples (8/16/24/32-bit) are scaled to [-1, 1); float samples are kept as stored.

    Args:
        path: the file.
        sample_rate: resample to this rate in Hz; ``None`` keeps the file's rate. Need not be an
            integer: ``22050 / 8`` is the genre notebook's rate.
        mono: average the channels into one.

    Returns:
        ``(wav, sample_rate)``: wav of shape ``(channels, time)`` and its rate in Hz.

    Raises:
        AudioError: missing or unreadable path, not audio, truncated, empty, or NaN/Inf samples.
    """
    data, file_rate = _read(Path(path))
    wav = torch.from_numpy(np.ascontiguousarray(data.T))
    if mono and wav.shape[0] > 1:
        wav = wav.mean(dim=0, keepdim=True)
    if sample_rate is not None and sample_rate != file_rate:
        try:
            wav = resample(wav, file_rate, sample_rate)
        except ValueError as error:
            raise AudioError(path, str(error)) from None
        file_rate = sample_rate
    return wav, file_rate


def audio_info(path: str | os.PathLike) -> sf._SoundFileInfo:
    """The header of an audio file (rate, channels, frames, format, subtype)."""
    path = Path(path)
    _check_path(path)
    try:
        info = sf.info(str(path))
    except Exception as error:  # libsndfile raises several types for bad input
        raise AudioError(path, f"not a readable audio file ({_short(error)})") from None
    if not MIN_FILE_RATE <= info.samplerate <= MAX_FILE_RATE:
        raise AudioError(
            path, f"sample rate {info.samplerate} Hz is outside {MIN_FILE_RATE}-{MAX_FILE_RATE} Hz"
        )
    _warn_if_truncated(path, info.extra_info)
    return info


# libsndfile's header log, e.g. "data : 32000 (should be 15978)": the chunk is cut short.
_SHORT_CHUNK = re.compile(r"^(?:data|SSND) : (\d+) \(should be (\d+)\)", re.MULTILINE)


def _warn_if_truncated(path: Path, header_log: str) -> None:
    match = _SHORT_CHUNK.search(header_log)
    if match and int(match.group(2)) < int(match.group(1)):
        promised, present = int(match.group(1)), int(match.group(2))
        warnings.warn(
            f"{path}: truncated file: its header promises {promised} bytes of audio, only "
            f"{present} are there ({present / promised:.0%}); using what is there",
            stacklevel=3,
        )


def _check_path(path: Path) -> None:
    if not path.exists():
        raise AudioError(path, "no such file")
    if path.is_dir():
        raise AudioError(path, "is a folder, expected an audio file")
    if not os.access(path, os.R_OK):
        raise AudioError(path, "permission denied")
    if path.stat().st_size == 0:
        raise AudioError(path, "empty file (0 bytes)")


def _read(path: Path) -> tuple[np.ndarray, int]:
    # audio_info: also the path's checks, and a warning if the file is truncated
    pcm16 = audio_info(path).subtype == "PCM_16"  # read as integers (pcm16_to_float)
    try:
        data, rate = sf.read(str(path), dtype="int16" if pcm16 else "float32", always_2d=True)
    except Exception as error:  # LibsndfileError, RuntimeError, TypeError, ... on bad bytes
        raise AudioError(path, f"not a readable audio file ({_short(error)})") from None
    if data.shape[0] == 0 or data.shape[1] == 0:
        raise AudioError(path, "zero-length recording (no samples)")
    if pcm16:
        return pcm16_to_float(data), rate
    if not np.isfinite(data).all():
        raise AudioError(path, "contains NaN or Inf samples")
    return data, rate


def pcm16_to_float(data: np.ndarray) -> np.ndarray:
    """16-bit samples as float32 in [-1, 1): the very values libsndfile gives when asked for
    floats (``x / 32768``), at 0.9 against 2.5 ms for 10 s at 44.1 kHz (``docs/speed.md``)."""
    out = data.astype(np.float32)
    out *= np.float32(1 / 32768)
    return out


def float_to_pcm16(data: np.ndarray) -> np.ndarray:
    """Samples in [-1, 1] as the 16-bit integers libsndfile 1.2 writes for them in WAV, W64,
    AIFF and AU files: it rounds ``x * 2**31`` to a 32-bit integer (1.0 kept at the largest)
    and keeps its top 16 bits, which floors but for values within 2**-16 of a step
    (``tests/test_audio.py`` checks it against libsndfile, float32 and float64)."""
    top = data * np.float32(2.0**31)  # exact, in the samples' own precision, as libsndfile's
    np.rint(top, out=top)
    top *= np.float32(2.0**-16)
    np.floor(top, out=top)
    np.clip(top, -32768, 32767, out=top)
    return top.astype(np.int16)


def _short(error: Exception) -> str:
    text = str(error).strip().splitlines()[-1] if str(error).strip() else type(error).__name__
    return text.split(": ", 1)[-1] if text.startswith("Error opening") else text


def save_audio(
    path: str | os.PathLike,
    wav: torch.Tensor | np.ndarray,
    sample_rate: float,
    *,
    subtype: str | None = None,
    source: str | os.PathLike | None = None,
) -> Path:
    """Write audio atomically: to a temporary file beside ``path``, then renamed onto it.

    Samples outside [-1, 1] are clipped (with a warning) rather than wrapped by the integer
    conversion.

    Args:
        path: destination; the format follows its ending (see :func:`output_format`).
        wav: ``(channels, time)`` or ``(time,)``.
        sample_rate: in Hz (rounded to an integer: file headers hold integers).
        subtype: soundfile subtype such as ``"PCM_16"`` or ``"FLOAT"``; the format's default
            when ``None`` (or when the format cannot store it).
        source: the input this output was made from; writing over it is refused.

    Returns:
        The path written.
    """
    path = Path(path)
    data = wav.detach().cpu().numpy() if isinstance(wav, torch.Tensor) else np.asarray(wav)
    data = data[None] if data.ndim == 1 else data
    if not np.isfinite(data).all():
        raise AudioError(path, "refusing to write NaN or Inf samples")
    with AudioWriter(path, sample_rate, data.shape[0], subtype=subtype, source=source) as sink:
        sink.write(data)
    if sink.clipped:
        warnings.warn(
            f"{path}: peak {sink.peak:.3f} > 1, clipping {sink.clipped} samples to [-1, 1]",
            stacklevel=2,
        )
    return path


class AudioWriter:
    """Write audio to ``path`` block by block, atomically (the file appears, complete, when the
    ``with`` block ends; on an error or interruption nothing is left behind).

    Samples beyond [-1, 1] are clipped for formats that store integers (counted in
    :attr:`clipped`), not wrapped around.

    Args:
        path: destination; the format follows its ending (see :func:`output_format`).
        sample_rate: in Hz (rounded to an integer).
        channels: number of channels.
        subtype: the sample format to keep if the output format can store it.
        source: the input this output is made from; writing over it is refused.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        sample_rate: float,
        channels: int,
        *,
        subtype: str | None = None,
        source: str | os.PathLike | None = None,
    ) -> None:
        self.path = Path(path)
        if source is not None and _same_file(self.path, Path(source)):
            raise AudioError(
                self.path, "refusing to overwrite the input file; choose another output"
            )
        self.format, self.subtype = output_format(self.path, subtype)
        self.sample_rate, self.channels = int(round(sample_rate)), channels
        self.clipped, self.peak = 0, 0.0  # samples clipped, and the largest magnitude seen
        self._stack = contextlib.ExitStack()

    def __enter__(self) -> AudioWriter:
        with self._stack as stack:
            tmp = stack.enter_context(atomic_path(self.path))
            try:
                self._sink = stack.enter_context(
                    sf.SoundFile(
                        tmp,
                        "w",
                        samplerate=self.sample_rate,
                        channels=self.channels,
                        subtype=self.subtype,
                        format=self.format,
                    )
                )
            except (sf.LibsndfileError, RuntimeError, ValueError, TypeError) as error:
                raise AudioError(
                    self.path,
                    f"cannot write {self.format} ({self.subtype}) with {self.channels} channels "
                    f"at {self.sample_rate} Hz: {_short(error)}",
                ) from None
            self._stack = stack.pop_all()
        return self

    def write(self, block: torch.Tensor | np.ndarray) -> None:
        """Append a ``(channels, time)`` block."""
        data = block.numpy() if isinstance(block, torch.Tensor) else np.asarray(block)
        if self.subtype not in FLOAT_SUBTYPES:
            over = np.abs(data) > 1.0
            if over.any():
                self.clipped += int(over.sum())
                self.peak = max(self.peak, float(np.abs(data).max()))
                data = np.clip(data, -1.0, 1.0)
        if self.subtype == "PCM_16" and self.format in SAME_PCM16_FORMATS:
            data = float_to_pcm16(data)  # the same integers, converted faster
        try:
            self._sink.write(np.ascontiguousarray(data.T))
        except sf.LibsndfileError as error:
            raise OutputError(self.path, _write_failure(self.path, error)) from None

    def __exit__(self, *exc) -> None:
        self._stack.__exit__(*exc)


def _write_failure(path: Path, error: Exception) -> str:
    """Why libsndfile could not write: it says only "System error." when the disk is full."""
    try:
        if shutil.disk_usage(path.parent).free < 1 << 20:
            return "no space left on the device"
    except OSError:
        pass
    return _short(error)


def read_blocks(path: str | os.PathLike, block_frames: int) -> Iterator[np.ndarray]:
    """The samples of ``path`` as float32 ``(frames, channels)`` blocks, checked as
    :func:`load_audio` checks them, for files too long to hold in memory."""
    path = Path(path)
    info = audio_info(path)
    if info.frames == 0:
        raise AudioError(path, "zero-length recording (no samples)")
    try:
        source = sf.SoundFile(str(path))
    except Exception as error:  # libsndfile raises several types for bad input
        raise AudioError(path, f"not a readable audio file ({_short(error)})") from None
    pcm16 = info.subtype == "PCM_16"  # read as integers and converted here (pcm16_to_float)
    with source:
        dtype = "int16" if pcm16 else "float32"
        blocks = source.blocks(blocksize=block_frames, dtype=dtype, always_2d=True)
        done = 0
        while True:
            try:
                data = next(blocks)
            except StopIteration:
                return
            except Exception as error:  # damage past the header shows only when decoded
                raise AudioError(
                    path, f"cannot be decoded after {done} frames ({_short(error)})"
                ) from None
            if pcm16:
                data = pcm16_to_float(data)
            elif not np.isfinite(data).all():
                raise AudioError(path, "contains NaN or Inf samples")
            done += len(data)
            yield data


# Containers whose 16-bit samples libsndfile 1.2 writes as float_to_pcm16 does (FLAC rounds
# otherwise, so libsndfile converts for it).
SAME_PCM16_FORMATS = frozenset({"WAV", "W64", "AIFF", "AU"})

# The format written for each file ending (libsndfile 1.2 writes all of these, MP3 included).
OUTPUT_FORMATS = {
    ".wav": "WAV",
    ".w64": "W64",
    ".flac": "FLAC",
    ".ogg": "OGG",
    ".oga": "OGG",
    ".au": "AU",
    ".snd": "AU",
    ".aif": "AIFF",
    ".aiff": "AIFF",
    ".aifc": "AIFF",
    ".mp3": "MP3",
}


def output_format(path: str | os.PathLike, like: str | None = None) -> tuple[str, str]:
    """The container and sample format to write ``path`` in, chosen by its ending.

    Args:
        like: the subtype to keep when the format can store it (an input's ``PCM_16``, say);
            float input going to a format without float samples becomes 24-bit where it can.

    Returns:
        ``(format, subtype)`` for ``soundfile``.

    Raises:
        AudioError: an ending that names no format audiocnn writes.
    """
    path = Path(path)
    fmt = OUTPUT_FORMATS.get(path.suffix.lower())
    if fmt is None:
        endings = ", ".join(sorted(set(OUTPUT_FORMATS)))
        raise AudioError(
            path, f"cannot tell the output format from its name (use one of {endings})"
        )
    if like and sf.check_format(fmt, like):
        return fmt, like
    if (like in FLOAT_SUBTYPES or like == "PCM_32") and sf.check_format(fmt, "PCM_24"):
        return fmt, "PCM_24"
    return fmt, sf.default_subtype(fmt)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def frame(
    wav: torch.Tensor, window_samples: int, hop_samples: int, *, pad: bool = True
) -> torch.Tensor:
    """Cut fixed-length windows along the last axis.

    Args:
        window_samples: samples per window.
        hop_samples: samples between window starts.
        pad: zero-pad the end so the last samples get a window (and a signal shorter than one
            window gives one padded window); ``False`` drops the incomplete last window.

    Shape:
        ``(..., time)`` -> ``(..., n_windows, window_samples)``
    """
    if window_samples < 1 or hop_samples < 1:
        raise ValueError("window_samples and hop_samples must be >= 1")
    time = wav.shape[-1]
    if pad:
        n_windows = 1 + max(0, math.ceil((time - window_samples) / hop_samples))
        total = (n_windows - 1) * hop_samples + window_samples
        wav = torch.nn.functional.pad(wav, (0, total - time))
    elif time < window_samples:
        return wav.new_zeros(*wav.shape[:-1], 0, window_samples)
    return wav.unfold(-1, window_samples, hop_samples)
