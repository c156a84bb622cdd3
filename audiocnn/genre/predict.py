"""Use a trained genre model: choose it, score it on a folder, classify files, and the MFCC +
SVM baseline on the same split."""

from __future__ import annotations

import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from audiocnn import checkpoint
from audiocnn.audio import AudioError, frame, load_audio
from audiocnn.baseline import fit_svm, mfcc_statistics
from audiocnn.data import DataError, GenreFolder, SlidingWindows, decode_files, scan_genre_folder
from audiocnn.genre.pipeline import GenreDataConfig, prepare_splits, relabel, score_tracks
from audiocnn.metrics import classification_scores

MIN_CONFIDENCE = 0.5  # below this top probability, predict says "uncertain"
# Weights shipped with audiocnn, once trained on every track of recipes/genre/real_music.toml's
# data with cross-validated figures that meet issue 17's targets (none yet).
SHIPPED_WEIGHTS = Path(__file__).resolve().parent.parent / "weights" / "genre_real_music.pt"


def resolve_checkpoint(checkpoint_path: Path | None, run_dir: Path | None) -> Path:
    """The model a command uses: ``--checkpoint``, else ``--run DIR``'s ``best.pt``, else the
    genre weights shipped with audiocnn. Nothing is remembered between commands."""
    if checkpoint_path is not None:
        return checkpoint_path
    if run_dir is not None:
        return run_dir / "best.pt"
    if SHIPPED_WEIGHTS.exists():
        return SHIPPED_WEIGHTS
    raise DataError(
        "no genre model given and none shipped with this install: pass --checkpoint "
        "runs/genre/best.pt (or --run runs/genre) after `python -m audiocnn.genre train`"
    )


def load_genre_model(path: Path):
    return checkpoint.load_model(path, "genre")


def evaluate_checkpoint(path: Path, root: Path, progress: bool = True) -> dict:
    """Score a checkpoint on every track of a folder-per-genre tree (its genre folders may be
    a subset of the model's)."""
    model, state = load_genre_model(path)
    found = scan_genre_folder(root)  # any subset of the model's genres
    tracks = relabel(found, GenreFolder(found.root, list(state["labels"]), []))
    decoded = decode_files([t.path for t in tracks], state["sample_rate"], progress=progress)
    hop = max(1, int(state["window_samples"] * state["eval_hop"]))
    dataset = SlidingWindows(decoded, tracks, state["window_samples"], hop)
    return score_tracks(model, dataset, state["labels"], torch.device("cpu"))


def predict_files(
    path: Path, files: list[Path], top: int = 3, min_confidence: float = MIN_CONFIDENCE
) -> list[dict]:
    """Top genres with probabilities for each file (any length, format or sample rate).

    A file that cannot be read does not stop the others: its entry has ``"error"`` (one line
    naming the file) instead of ``"top"``. ``"uncertain"`` is true when the most probable
    genre has less than ``min_confidence``: silence, speech, or music unlike any it learned.
    A file shorter than the model's window is padded with silence, with a warning.
    """
    model, state = load_genre_model(path)
    results = []
    for file in files:
        try:
            ranked = _predict_one(model, state, file, top)
            uncertain = ranked[0]["probability"] < min_confidence
            results.append({"file": str(file), "top": ranked, "uncertain": uncertain})
        except AudioError as error:
            results.append({"file": str(file), "error": str(error)})
    return results


def _predict_one(model, state: dict, file: Path, top: int) -> list[dict]:
    wav, rate = load_audio(file, state["sample_rate"])
    window = state["window_samples"]
    if wav.shape[-1] < window:
        warnings.warn(
            f"{file}: {wav.shape[-1] / rate:.2f} s is shorter than the model's window "
            f"({window / rate:.2f} s); padded with silence, so the genre is a guess",
            stacklevel=3,
        )
    ranked = top_genres(classify(model, state, wav), state["labels"], top)
    return [{**r, "probability": round(r["probability"], 4)} for r in ranked]


def top_genres(probs: torch.Tensor, labels: list[str], top: int) -> list[dict]:
    """``[{"genre", "probability"}, ...]`` of the ``top`` most probable genres, best first."""
    best = probs.argsort(descending=True)[:top]
    return [{"genre": labels[i], "probability": float(probs[i])} for i in best]


def classify(model, state: dict, wav: torch.Tensor) -> torch.Tensor:
    """Genre probabilities of a mono ``(1, time)`` signal at the model's rate: the mean of
    its windows' log-probabilities (windows overlap by ``1 - eval_hop``), softmaxed."""
    window, hop = state["window_samples"], max(1, int(state["window_samples"] * state["eval_hop"]))
    windows = frame(wav[0], window, hop)[:, None]
    with torch.no_grad():
        log_probs = torch.cat([F.log_softmax(model(chunk), 1) for chunk in windows.split(64)])
    return log_probs.mean(0).softmax(0)


def run_baseline(data: GenreDataConfig, progress: bool = True) -> dict:
    """MFCC statistics + RBF SVM, trained on train+val and scored on the test split."""
    splits = prepare_splits(replace(data, sample_rate=22050), progress)
    index = splits.decoded.index_of()

    def features(tracks):
        return np.stack(
            [mfcc_statistics(splits.decoded.track(index[t.path]), 22050) for t in tracks]
        )

    train = splits.tracks["train"] + ([] if splits.val_is_test else splits.tracks["val"])
    svm = fit_svm(features(train), [t.label for t in train])
    test = splits.tracks["test"]
    scores = classification_scores(
        [t.label for t in test], svm.predict(features(test)), splits.labels
    )
    scores["test_tracks"] = len(test)
    return scores
