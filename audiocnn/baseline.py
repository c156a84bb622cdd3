"""The classic genre baseline: MFCC statistics (librosa) and an RBF SVM (scikit-learn)."""

from __future__ import annotations

from collections.abc import Sequence

import librosa
import numpy as np
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

N_MFCC = 20


def mfcc_statistics(wav: np.ndarray, sample_rate: float) -> np.ndarray:
    """Mean and standard deviation over time of 20 MFCCs and their deltas: 80 numbers."""
    mfcc = librosa.feature.mfcc(y=np.asarray(wav, dtype=np.float32), sr=sample_rate, n_mfcc=N_MFCC)
    delta = librosa.feature.delta(mfcc) if mfcc.shape[1] >= 9 else np.zeros_like(mfcc)
    feats = np.concatenate([mfcc, delta])
    return np.concatenate([feats.mean(axis=1), feats.std(axis=1)])


def fit_svm(features: np.ndarray, labels: Sequence[int], seed: int = 0):
    """Standardise, then an RBF SVM with scikit-learn's defaults."""
    model = make_pipeline(StandardScaler(), SVC(C=1.0, gamma="scale", random_state=seed))
    return model.fit(features, np.asarray(labels))
