"""Notebook helpers: listen to audio, compare before and after, plot a run's history.

Everything returns matplotlib figures or IPython display objects, so it works in Jupyter and
in executed notebooks alike. Figures are returned closed: Jupyter shows a returned figure once
(an open one it would also show by itself at the end of the cell, a second time).
"""

from __future__ import annotations

import os

import numpy as np
import torch

from audiocnn import (
    checkpoint,
    plots,
    progress,  # noqa: F401  (it silences tqdm's widget warning)
)
from audiocnn.audio import load_audio

Signal = str | os.PathLike | np.ndarray | torch.Tensor


def _as_array(signal: Signal, sample_rate: float | None) -> tuple[np.ndarray, float]:
    if isinstance(signal, str | os.PathLike):
        wav, rate = load_audio(signal, sample_rate)
        return wav[0].numpy(), rate
    if sample_rate is None:
        raise ValueError("sample_rate is needed for an array or tensor")
    array = signal.detach().cpu().numpy() if isinstance(signal, torch.Tensor) else signal
    return np.asarray(array, dtype=np.float32).reshape(-1), sample_rate


def listen(signal: Signal, sample_rate: float | None = None):
    """An ``IPython.display.Audio`` player for a file, array or tensor (mono)."""
    from IPython.display import Audio

    array, rate = _as_array(signal, sample_rate)
    return Audio(array, rate=int(rate), normalize=True)


def before_after(
    noisy: Signal,
    denoised: Signal,
    clean: Signal | None = None,
    *,
    sample_rate: float | None = None,
    labels: tuple[str, str, str] = ("noisy", "denoised", "clean"),
    show: bool = True,
):
    """Labelled players side by side, with a waveform and a spectrogram panel per signal.

    Returns:
        The matplotlib figure (also displayed, with the players, when ``show``).
    """
    import librosa
    import librosa.display
    import matplotlib.pyplot as plt

    signals = [(labels[0], noisy), (labels[1], denoised)]
    if clean is not None:
        signals.append((labels[2], clean))
    arrays = [(name, *_as_array(s, sample_rate)) for name, s in signals]
    fig, axes = plt.subplots(
        2, len(arrays), figsize=(4.2 * len(arrays), 5), squeeze=False, sharex="row"
    )
    for column, (name, wav, rate) in enumerate(arrays):
        t = np.arange(wav.size) / rate
        axes[0, column].plot(t, wav, lw=0.3)
        axes[0, column].set_title(name)
        axes[0, column].set_ylim(-1, 1)
        db = librosa.amplitude_to_db(
            np.abs(librosa.stft(wav, n_fft=512, hop_length=128)), ref=np.max
        )
        librosa.display.specshow(
            db, sr=rate, hop_length=128, x_axis="time", y_axis="hz", ax=axes[1, column]
        )
    fig.tight_layout()
    if show:
        from IPython.display import HTML, display

        players = "".join(
            f"<div style='display:inline-block;margin-right:1em'><b>{name}</b><br>"
            f"{listen(wav, rate)._repr_html_()}</div>"
            for name, wav, rate in arrays
        )
        display(HTML(players))
    return _closed(fig)


def plot_checkpoint_history(path: str | os.PathLike, metric: str = "accuracy"):
    """Training curves stored in a checkpoint (train vs validation, per epoch); use
    ``metric="si_sdr"`` for a denoiser."""
    return _closed(plots.history_figure(checkpoint.load(path)["history"], metric))


def plot_checkpoint_confusion(path: str | os.PathLike):
    """The test confusion matrix stored in a genre checkpoint (after ``train``)."""
    state = checkpoint.load(path)
    if "metrics" not in state:
        raise ValueError(f"{path}: no test metrics stored; was the run finished?")
    accuracy = state["metrics"]["track_accuracy"]
    return _closed(
        plots.confusion_figure(
            state["metrics"]["confusion"], state["labels"], f"test, track level: {accuracy:.1%}"
        )
    )


def _closed(fig):
    import matplotlib.pyplot as plt

    plt.close(fig)
    return fig


def small_settings() -> bool:
    """True when ``AUDIOCNN_NOTEBOOK_SMALL`` is set: the test suite's quick settings."""
    return bool(os.environ.get("AUDIOCNN_NOTEBOOK_SMALL"))


__all__ = [
    "listen",
    "before_after",
    "plot_checkpoint_history",
    "plot_checkpoint_confusion",
    "small_settings",
]
