"""Scores for both tasks."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.metrics import balanced_accuracy_score, classification_report, confusion_matrix


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
    """Accuracy, balanced accuracy, scikit-learn's report and the confusion matrix."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    ids = list(range(len(labels)))
    return {
        "accuracy": float((y_true == y_pred).mean()) if y_true.size else float("nan"),
        "balanced_accuracy": float(balanced_accuracy_score(y_true, y_pred))
        if y_true.size
        else float("nan"),
        "confusion": confusion_matrix(y_true, y_pred, labels=ids).tolist(),
        "report": classification_report(
            y_true, y_pred, labels=ids, target_names=labels, zero_division=0
        ),
    }
