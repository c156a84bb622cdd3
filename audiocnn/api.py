"""The Python API in two lines, as ``whisper.load_model(...).transcribe(...)``::

import audiocnn

clean = audiocnn.load_denoiser().denoise(noisy, sample_rate=16000)
audiocnn.load_genre_classifier("runs/genre/best.pt").predict("song.wav")
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch

from audiocnn import checkpoint, runtime
from audiocnn.audio import AudioError, load_audio, resample


class Denoiser:
    """A trained denoiser with its sample rate; see :func:`load_denoiser`."""

    def __init__(self, model, sample_rate: int, path: Path) -> None:
        self.model, self.sample_rate, self.path = model, sample_rate, path

    def denoise(self, audio, sample_rate: float):
        """Denoise an array or tensor at ``sample_rate`` (resampled to the model's rate and back).

        Shape:
            ``(time,)`` or ``(channels, time)``, numpy or torch; the result has the same shape,
            type and rate, in float32. Integer samples (int16 PCM, say) are first scaled by
            their type's full scale into [-1, 1]. Each channel goes through the network on
            its own.
        """
        from audiocnn.denoise.stream import denoise_array

        wav, was_numpy, was_1d = _as_tensor(audio)
        clean = denoise_array(self.model, wav, _rate(sample_rate), self.sample_rate)
        return _like(clean, was_numpy, was_1d)

    def denoise_file(
        self, src: str | os.PathLike, dst: str | os.PathLike, *, progress: bool = False
    ) -> dict:
        """Denoise the file ``src`` into ``dst`` (any length: read and written in blocks).

        Returns:
            ``{"frames", "sample_rate", "channels", "clipped_in", "clipped_out"}``.
        """
        from audiocnn.denoise.stream import denoise_file

        return denoise_file(self.model, self.sample_rate, src, dst, progress=progress)

    def __repr__(self) -> str:
        from audiocnn.models import AttenuationLimit

        model, removes = self.model, ""
        if isinstance(model, AttenuationLimit):
            model, removes = model.model, f", at most {model.limit_db:g} dB removed"
        if getattr(model, "int8_products", False):
            removes += ", int8 products"
        return f"Denoiser({type(model).__name__}, {self.sample_rate} Hz, {self.path}{removes})"


class GenreClassifier:
    """A trained genre classifier with its labels; see :func:`load_genre_classifier`."""

    def __init__(self, model, state: dict, path: Path) -> None:
        self.model, self.state, self.path = model, state, path
        self.labels: list[str] = state["labels"]
        self.sample_rate: float = state["sample_rate"]

    def predict(self, audio, sample_rate: float | None = None, top: int = 3) -> list[dict]:
        """The ``top`` genres of a file, or of an array or tensor at ``sample_rate``.

        Returns:
            ``[{"genre": name, "probability": p}, ...]``, most probable first: the mean of the
            log-probabilities of overlapping windows over the whole signal.
        """
        from audiocnn.genre.predict import classify, top_genres

        if isinstance(audio, str | os.PathLike):
            wav, _ = load_audio(audio, self.sample_rate)
        else:
            if sample_rate is None:
                raise ValueError("give the sample_rate of an array (files carry their own)")
            wav, _, _ = _as_tensor(audio)
            wav = resample(wav.mean(0, keepdim=True), _rate(sample_rate), self.sample_rate)
        return top_genres(classify(self.model, self.state, wav), self.labels, top)

    def __repr__(self) -> str:
        return f"GenreClassifier({', '.join(self.labels)}; {self.path})"


def load_denoiser(
    path: str | os.PathLike | None = None,
    *,
    limit_db: float | None = None,
    int8: bool = False,
) -> Denoiser:
    """The denoiser of a checkpoint; the weights shipped with audiocnn when ``path`` is None,
    and their gentler variant (more noise left, more speech kept) when it is ``"gentle"``.
    ``limit_db``: remove at most this many dB (the output mixed with the input; a milder
    effect, e.g. 12). ``int8``: int8 products in the gain network, faster on a CPU; the
    output is not bit for bit the float32 one's (``docs/speed.md`` says what it costs).

    Raises:
        CheckpointError: not a usable denoiser checkpoint (one line naming it).
        ConfigError: ``limit_db`` not a number of dB above 0.
    """
    from audiocnn.denoise.pipeline import load_denoiser as load
    from audiocnn.denoise.pipeline import weights_path

    runtime.configure()  # the command line's threads: the same results, bit for bit
    path = weights_path(path)
    model, rate = load(path, limit_db, int8=int8)
    return Denoiser(model, rate, path)


def load_genre_classifier(path: str | os.PathLike | None = None) -> GenreClassifier:
    """The genre classifier of a checkpoint (``runs/genre/best.pt`` after ``genre train``);
    the genre weights shipped with audiocnn when ``path`` is None (none are shipped yet).

    Raises:
        CheckpointError: no path and no shipped weights, or not a usable genre checkpoint
            (one line naming it).
    """
    from audiocnn.genre.predict import SHIPPED_WEIGHTS

    if path is None and SHIPPED_WEIGHTS.exists():
        path = SHIPPED_WEIGHTS
    if path is None:
        raise checkpoint.CheckpointError(
            "audiocnn ships no genre weights yet: pass the checkpoint of a model you trained, "
            "e.g. load_genre_classifier('runs/genre/best.pt')"
        )
    runtime.configure()
    model, state = checkpoint.load_model(path, "genre")
    return GenreClassifier(model, state, Path(path))


def _as_tensor(audio) -> tuple[torch.Tensor, bool, bool]:
    """``(channels, time)`` float32 tensor, and whether it was numpy and 1-D.

    Integer samples (``scipy.io.wavfile``'s int16, say) are scaled by their type's full scale
    into [-1, 1], as ``soundfile`` reads them. More channels than samples is taken for a
    ``(time, channels)`` array, soundfile's layout, and refused.
    """
    was_numpy = not isinstance(audio, torch.Tensor)
    wav = torch.from_numpy(_floats(np.asarray(audio))) if was_numpy else _tensor_floats(audio)
    was_1d = wav.dim() == 1
    wav = wav[None] if was_1d else wav
    if wav.dim() != 2:
        raise ValueError(f"expected (time,) or (channels, time) audio, got {tuple(wav.shape)}")
    if wav.shape[-1] == 0:
        raise ValueError("empty audio: no samples")
    if wav.shape[0] > wav.shape[1]:
        raise ValueError(
            f"audio of shape {tuple(wav.shape)} has more channels than samples: audiocnn takes "
            "(channels, time); for soundfile's (time, channels) pass its transpose (audio.T)"
        )
    if not torch.isfinite(wav).all():
        raise AudioError("<array>", "contains NaN or Inf samples")
    return wav.detach().cpu(), was_numpy, was_1d


def _rate(sample_rate) -> float:
    """``sample_rate`` as a positive, finite number of Hz, or a one-line ``ValueError``."""
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, int | float | np.number):
        raise ValueError(f"sample_rate must be a number of Hz, got {sample_rate!r}")
    if not np.isfinite(sample_rate) or sample_rate <= 0:
        raise ValueError(f"sample_rate must be a positive number of Hz, got {sample_rate!r}")
    return int(sample_rate) if float(sample_rate).is_integer() else float(sample_rate)


def _floats(array: np.ndarray) -> np.ndarray:
    if array.dtype.kind not in "iuf":  # booleans, complex numbers, text, objects
        raise ValueError(
            f"audio of type {array.dtype} is not samples: pass real-valued numbers (of complex "
            "audio, its real part)"
        )
    if np.issubdtype(array.dtype, np.integer):
        info = np.iinfo(array.dtype)
        middle = (int(info.max) + int(info.min) + 1) // 2  # 0, or 128 for 8-bit WAV's uint8
        return ((array.astype(np.float64) - middle) / (int(info.max) + 1 - middle)).astype(
            np.float32
        )
    return np.asarray(array, dtype=np.float32)


def _tensor_floats(tensor: torch.Tensor) -> torch.Tensor:
    if tensor.dtype.is_complex:
        raise ValueError(f"audio of type {tensor.dtype} is not samples: pass its real part")
    if tensor.dtype.is_floating_point:
        return tensor.float()
    return torch.from_numpy(_floats(tensor.detach().cpu().numpy()))


def _like(wav: torch.Tensor, was_numpy: bool, was_1d: bool):
    wav = wav[0] if was_1d else wav
    return wav.numpy() if was_numpy else wav
