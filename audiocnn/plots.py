"""Pictures: training curves, confusion matrices, waveforms and spectrograms (PNG, Agg)."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib.pyplot as plt  # headless machines fall back to the Agg backend by themselves
import numpy as np

from audiocnn.files import atomic_path


def _save(fig, path: str | os.PathLike) -> Path:
    path = Path(path)
    try:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, dpi=110, bbox_inches="tight", format=path.suffix[1:] or "png")
    finally:
        plt.close(fig)
    return path


def plot_history(history: list[dict], path: str | os.PathLike, metric: str = "accuracy") -> Path:
    """Save :func:`history_figure` as a PNG."""
    return _save(history_figure(history, metric), path)


def history_figure(history: list[dict], metric: str = "accuracy"):
    """Loss and ``metric`` per epoch, train against validation (the notebook's curve)."""
    epochs = [row["epoch"] for row in history]
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    for ax, key in zip(axes, ("loss", metric), strict=True):
        for split, style in (("train", "-o"), ("val", "-s")):
            points = [
                (e, row[f"{split}_{key}"])
                for e, row in zip(epochs, history, strict=True)
                if f"{split}_{key}" in row
            ]
            if points:
                ax.plot(*zip(*points, strict=True), style, ms=3, label=f"{split}")
        if any("val_track_accuracy" in row for row in history) and key == metric:
            points = [
                (row["epoch"], row["val_track_accuracy"])
                for row in history
                if "val_track_accuracy" in row
            ]
            ax.plot(*zip(*points, strict=True), "-^", ms=3, label="val (track)")
        ax.set_xlabel("epoch")
        ax.set_ylabel(key.replace("_", " "))
        ax.grid(alpha=0.3)
        ax.legend()
    return fig


def plot_confusion(confusion, labels: list[str], path: str | os.PathLike, title: str = "") -> Path:
    """Save :func:`confusion_figure` as a PNG."""
    return _save(confusion_figure(confusion, labels, title), path)


def confusion_figure(confusion, labels: list[str], title: str = ""):
    """A confusion matrix with counts in the cells (rows: true genre, columns: predicted)."""
    matrix = np.asarray(confusion)
    fig, ax = plt.subplots(figsize=(1.1 * len(labels) + 2, 1.1 * len(labels) + 1.5))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    for (i, j), count in np.ndenumerate(matrix):
        ax.text(
            j,
            i,
            str(count),
            ha="center",
            va="center",
            color="white" if count > matrix.max() / 2 else "black",
        )
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    return fig


def plot_waveforms_and_spectrograms(
    signals: dict[str, np.ndarray], sample_rate: float, path: str | os.PathLike, seconds: float = 5
) -> Path:
    """One row per signal: its first ``seconds`` as a waveform and a log-mel spectrogram."""
    import librosa
    import librosa.display

    fig, axes = plt.subplots(len(signals), 2, figsize=(12, 2.4 * len(signals)), squeeze=False)
    for row, (name, wav) in zip(axes, signals.items(), strict=True):
        wav = np.asarray(wav, dtype=np.float32)[: int(seconds * sample_rate)]
        t = np.arange(wav.size) / sample_rate
        row[0].plot(t, wav, lw=0.4)
        row[0].set_title(f"{name}: waveform")
        row[0].set_xlabel("seconds")
        mel = librosa.feature.melspectrogram(y=wav, sr=sample_rate, n_mels=64)
        librosa.display.specshow(
            librosa.power_to_db(mel, ref=np.max),
            sr=sample_rate,
            x_axis="time",
            y_axis="mel",
            ax=row[1],
        )
        row[1].set_title(f"{name}: log-mel spectrogram")
    fig.tight_layout()
    return _save(fig, path)
