"""Scores for both tasks."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.metrics import classification_report, confusion_matrix


def track_predictions(
    log_probs: torch.Tensor, track_index: torch.Tensor, n_tracks: int
) -> torch.Tensor:
    """A track's prediction: the mean of its windows' log-probabilities.

    Shape:
        log_probs ``(n_windows, n_classes)``, track_index ``(n_windows,)``
        -> ``(n_tracks, n_classes)``
    """
    sums = torch.zeros(n_tracks, log_probs.shape[1], dtype=log_probs.dtype)
    sums.index_add_(0, track_index, log_probs)
    counts = torch.bincount(track_index, minlength=n_tracks).clamp(min=1)
    return sums / counts[:, None]


def classification_scores(y_true, y_pred, labels: list[str]) -> dict:
    """Accuracy, balanced accuracy, scikit-learn's report and the confusion matrix.

    Balanced accuracy is the mean recall over the genres present in ``y_true`` (a test set of
    a few packages may lack some genres; predicting one of those is simply wrong)."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    ids = list(range(len(labels)))
    present = np.unique(y_true)
    recall = [float((y_pred[y_true == c] == c).mean()) for c in present]
    return {
        "accuracy": float((y_true == y_pred).mean()) if y_true.size else float("nan"),
        "balanced_accuracy": float(np.mean(recall)) if y_true.size else float("nan"),
        "confusion": confusion_matrix(y_true, y_pred, labels=ids).tolist(),
        "report": classification_report(
            y_true, y_pred, labels=ids, target_names=labels, zero_division=0
        ),
    }


def si_sdr(estimate: torch.Tensor, reference: torch.Tensor, eps: float = 1e-8) -> torch.Tensor:
    """Scale-invariant signal-to-distortion ratio in dB (Le Roux et al., 2019), zero-mean.

    Shape:
        ``(..., time)`` each -> ``(...)``
    """
    estimate = estimate - estimate.mean(-1, keepdim=True)
    reference = reference - reference.mean(-1, keepdim=True)
    scale = (estimate * reference).sum(-1, keepdim=True) / (
        reference.square().sum(-1, keepdim=True) + eps
    )
    target = scale * reference
    noise = estimate - target
    return 10 * torch.log10((target.square().sum(-1) + eps) / (noise.square().sum(-1) + eps))


def snr(estimate: torch.Tensor, reference: torch.Tensor, eps: float = 1e-8) -> torch.Tensor:
    """Plain signal-to-noise ratio in dB: the reference's energy over the error's.

    Shape:
        ``(..., time)`` each -> ``(...)``
    """
    error = (estimate - reference).square().sum(-1)
    return 10 * torch.log10((reference.square().sum(-1) + eps) / (error + eps))


def align(estimate: np.ndarray, reference: np.ndarray, max_lag: int) -> np.ndarray:
    """Shift ``estimate`` by the lag (within +-``max_lag`` samples) that best correlates it with
    ``reference``, zero-filling, and cut it to the reference's length. Denoisers that buffer
    (RNNoise, DeepFilterNet, ...) delay their output; scoring without this punishes the delay.
    """
    from scipy.signal import correlate

    n = len(reference)
    estimate = np.pad(estimate[:n], (0, max(0, n - len(estimate))))
    corr = correlate(estimate, reference, mode="full", method="fft")
    lags = np.arange(-n + 1, n)
    window = np.abs(lags) <= max_lag
    lag = int(lags[window][np.argmax(corr[window])])
    if lag > 0:  # estimate is late
        return np.concatenate([estimate[lag:], np.zeros(lag)])
    if lag < 0:
        return np.concatenate([np.zeros(-lag), estimate[:lag]])
    return estimate
