"""Genre classification end to end: train, evaluate, predict and the MFCC+SVM baseline.

The CLI (:mod:`audiocnn.genre.cli`) only parses arguments and calls these functions.
"""

from __future__ import annotations

import sys
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader

from audiocnn import checkpoint, plots, synth
from audiocnn.config import ConfigError, check, check_choice, check_seed
from audiocnn.data import (
    DataError,
    DecodedAudio,
    GenreFolder,
    RandomWindows,
    SlidingWindows,
    Track,
    decode_files,
    scan_genre_folder,
    split_tracks,
)
from audiocnn.data.windows import BALANCE
from audiocnn.distributed import main_process_first
from audiocnn.metrics import classification_scores, track_predictions
from audiocnn.models import GenreCNNConfig, GenreModelConfig, count_parameters, model_of
from audiocnn.train import (
    TrainConfig,
    fit_best,
    save_metrics,
    seed_everything,
)


@dataclass(frozen=True)
class GenreDataConfig:
    root: str = ""  # folder-per-genre tree; "" = the built-in corpus
    genres: tuple[str, ...] = ()  # subset and order of labels; () = every genre folder
    split: str = "auto"  # "auto", "gtzan", "stratified" or "random" (see data.split_tracks)
    test_size: float = 0.2
    val_size: float = 0.1  # 0: no validation split; the test split is monitored (the notebook)
    split_seed: int = 1
    val_root: str = ""  # explicit validation folder (then root is all training)
    test_root: str = ""  # explicit test folder
    sample_rate: float = 22050 / 4  # Hz the network sees
    window_samples: int = 32768  # ~6 s at 5.5 kHz: a few bars, enough for the rhythm
    windows_per_track: int = 8  # random crops per track per epoch
    random_crop: bool = True  # False: every crop starts at 0 (the notebook's first minute)
    eval_hop: float = 0.5  # sliding-window hop for evaluation, as a fraction of the window
    gain_db: float = 6.0  # random gain range (+-dB) while training
    random_polarity: bool = True
    tilt_db: float = 0.0  # random spectral tilt while training, up to this many dB per octave
    lowpass_probability: float = 0.0  # share of training windows given a random low-pass
    balance: str = "none"  # training windows per genre: as the tracks fall ("none"), the same
    # for every genre ("genre"), and within it the same for every source ("genre_source":
    # the part of a file name before "__", the package in recipes/genre/prepare_real_music.py)
    speed: tuple[float, ...] = (1.0, 1.0)  # random playback speed (pitch and tempo) range
    compression_probability: float = 0.0  # share of windows through a random compressor
    mixup: float = 0.0  # alpha of mixup (windows and labels mixed, Beta(alpha, alpha)); 0: off
    builtin_tracks: int = synth.GenreCorpusConfig.tracks_per_genre  # built-in corpus size

    def __post_init__(self) -> None:
        check(self.sample_rate > 0, f"sample_rate must be > 0 Hz, got {self.sample_rate}")
        for name in ("window_samples", "windows_per_track", "builtin_tracks"):
            check(getattr(self, name) >= 1, f"{name} must be at least 1, got {getattr(self, name)}")
        check(0 < self.test_size < 1, f"test_size must be between 0 and 1, got {self.test_size}")
        check_seed("split_seed", self.split_seed)
        check(0 <= self.val_size < 1, f"val_size must be in [0, 1), got {self.val_size}")
        check(0 < self.eval_hop <= 1, f"eval_hop must be in (0, 1], got {self.eval_hop}")
        check(self.gain_db >= 0, f"gain_db must be >= 0, got {self.gain_db}")
        check(self.tilt_db >= 0, f"tilt_db must be >= 0, got {self.tilt_db}")
        check(0 <= self.lowpass_probability <= 1, "lowpass_probability must be in [0, 1]")
        check_choice("balance", self.balance, BALANCE)
        check(
            len(self.speed) == 2 and 0.5 <= self.speed[0] <= self.speed[1] <= 2.0,
            f"speed must be [low, high] within [0.5, 2], got {list(self.speed)}",
        )
        check(0 <= self.compression_probability <= 1, "compression_probability must be in [0, 1]")
        check(self.mixup >= 0, f"mixup must be >= 0, got {self.mixup}")
        check_choice("split", self.split, ("auto", "gtzan", "stratified", "random"))


@dataclass(frozen=True)
class GenreRunConfig:
    data: GenreDataConfig = field(default_factory=GenreDataConfig)
    model: GenreModelConfig = field(default_factory=GenreCNNConfig)  # [model] name picks one
    # A fixed, seeded number of epochs, so the result is the same on an idle or a busy machine
    # (no clock in it): 20 take about 2 minutes on 2 idle CPU cores. --max-minutes adds a budget.
    train: TrainConfig = field(default_factory=lambda: TrainConfig(epochs=20))


@dataclass
class GenreSplits:
    labels: list[str]
    tracks: dict[str, list[Track]]  # train / val / test
    decoded: DecodedAudio
    root: Path
    val_is_test: bool


# ----------------------------------------------------------------------------------------------
# Data
# ----------------------------------------------------------------------------------------------


def resolve_root(data: GenreDataConfig) -> Path:
    if data.root:
        return Path(data.root)
    corpus = synth.builtin_genre_corpus(synth.GenreCorpusConfig(data.builtin_tracks))
    print(f"no --data given: using the built-in genre corpus at {corpus}", file=sys.stderr)
    return corpus


def prepare_splits(data: GenreDataConfig, progress: bool = True) -> GenreSplits:
    root = resolve_root(data)
    folder = scan_genre_folder(root, data.genres or None)
    if len(folder.labels) < 2:
        raise DataError(
            f"{folder.root}: only one genre ({folder.labels[0]}); a classifier needs at least "
            "two genre folders"
        )
    if data.val_root or data.test_root:
        tracks = {"train": folder.tracks, "val": [], "test": []}
        for part, other in (("val", data.val_root), ("test", data.test_root)):
            if other:
                tracks[part] = relabel(scan_genre_folder(other), folder)
    else:
        tracks = split_tracks(
            folder,
            method=data.split,
            test_size=data.test_size,
            val_size=data.val_size,
            seed=data.split_seed,
        )
    files = [t.path for part in tracks.values() for t in part]
    decoded = decode_files(files, data.sample_rate, progress=progress)
    index = decoded.index_of()  # corrupt files were skipped (with a warning) while decoding
    tracks = {part: [t for t in ts if t.path in index] for part, ts in tracks.items()}
    _check_readable(folder, tracks, decoded.skipped)
    val_is_test = not tracks["val"]
    if val_is_test:
        tracks["val"] = tracks["test"]
    return GenreSplits(folder.labels, tracks, decoded, folder.root, val_is_test)


def _check_readable(folder: GenreFolder, tracks: dict[str, list[Track]], skipped: dict) -> None:
    """After decoding: every genre keeps a training track, and the test split is not empty."""
    trained = {t.label for t in tracks["train"]}
    for label, genre in enumerate(folder.labels):
        if label in trained:
            continue
        files = [str(t.path) for t in folder.tracks if t.label == label]
        bad = [f for f in files if f in skipped]
        example = f" (e.g. {bad[0]}: {skipped[bad[0]]})" if bad else ""
        raise DataError(
            f"{folder.root / genre}: no readable training track for genre '{genre}': "
            f"{len(bad)} of its {len(files)} files cannot be read{example}"
        )
    if not tracks["test"]:
        raise DataError(f"{folder.root}: no readable track left in the test split")


def check_window(model, window_samples: int, n_genres: int) -> None:
    """Refuse a window the network cannot classify (too short, or a length it does not take)."""
    model.eval()
    why = "it gives no single prediction per window"
    try:
        with torch.no_grad():
            shape = tuple(model(torch.zeros(2, 1, window_samples)).shape)
    except (RuntimeError, ValueError) as error:
        shape, why = None, str(error).splitlines()[0]
    model.train()
    if shape != (2, n_genres):
        raise ConfigError(
            f"window_samples = {window_samples} does not fit this network "
            f"({type(model).__name__}): {why}"
        )


def relabel(other: GenreFolder, reference: GenreFolder) -> list[Track]:
    """``other``'s tracks with ``reference``'s label numbers. ``other`` (a validation or test
    folder) may hold a subset of the genres, not a genre the training data lacks."""
    unknown = sorted(set(other.labels) - set(reference.labels))
    if unknown:
        raise DataError(
            f"{other.root}: genre(s) {', '.join(unknown)} not in the training data "
            f"({', '.join(reference.labels)})"
        )
    return [Track(t.path, reference.labels.index(other.labels[t.label])) for t in other.tracks]


# ----------------------------------------------------------------------------------------------
# Evaluation
# ----------------------------------------------------------------------------------------------


def window_log_probs(model, dataset: SlidingWindows, device, batch_size: int = 64):
    """Log-probabilities of every window, with labels and track positions."""
    outputs, labels, positions = [], [], []
    for x, y, position in DataLoader(dataset, batch_size):
        outputs.append(F.log_softmax(model(x.to(device)).float(), dim=1).cpu())
        labels.append(y)
        positions.append(position)
    return torch.cat(outputs), torch.cat(labels), torch.cat(positions)


def score_tracks(model, dataset: SlidingWindows, labels: list[str], device) -> dict:
    """Window-level loss and accuracy, and track-level scores (mean window log-probabilities)."""
    model.eval()
    with torch.no_grad():
        log_probs, y, positions = window_log_probs(model, dataset, device)
    per_track = track_predictions(log_probs, positions, len(dataset.tracks))
    truth = [t.label for t in dataset.tracks]
    scores = classification_scores(truth, per_track.argmax(1).numpy(), labels)
    return {
        "loss": float(F.nll_loss(log_probs, y)),
        "window_accuracy": float((log_probs.argmax(1) == y).float().mean()),
        "track_accuracy": scores["accuracy"],
        "balanced_accuracy": scores["balanced_accuracy"],
        "confusion": scores["confusion"],
        "report": scores["report"],
    }


class GenreTask:
    """Cross-entropy on random windows; validation scored per track."""

    monitor = "val_track_accuracy"
    monitor_mode = "max"
    tiebreak = "val_loss"  # small validation sets tie often: prefer the more confident model

    def __init__(self, val_set: SlidingWindows, labels: list[str], mixup: float = 0.0) -> None:
        self.val_set, self.labels, self.mixup = val_set, labels, mixup

    def batch_loss(self, model, batch, device):
        x, y = batch[0].to(device), batch[1].to(device)
        if not self.mixup:
            logits = model(x)
            accuracy = (logits.argmax(1) == y).float().mean().item()
            return F.cross_entropy(logits, y), {"accuracy": accuracy}
        # mixup: each window mixed with another of the batch, the loss with both labels
        share = float(torch.distributions.Beta(self.mixup, self.mixup).sample())
        other = torch.randperm(len(x), device=x.device)
        logits = model(share * x + (1 - share) * x[other])
        loss = share * F.cross_entropy(logits, y) + (1 - share) * F.cross_entropy(logits, y[other])
        main = y if share >= 0.5 else y[other]
        return loss, {"accuracy": (logits.argmax(1) == main).float().mean().item()}

    def evaluate(self, model, device):
        scores = score_tracks(model, self.val_set, self.labels, device)
        return {
            "val_loss": scores["loss"],
            "val_accuracy": scores["window_accuracy"],
            "val_track_accuracy": scores["track_accuracy"],
            "val_balanced_accuracy": scores["balanced_accuracy"],
        }


# ----------------------------------------------------------------------------------------------
# Train
# ----------------------------------------------------------------------------------------------


def train_genre(
    run: GenreRunConfig, out_dir: Path, *, resume: bool = False, progress: bool = True
) -> dict:
    """Train on ``run.data``, keep the best model by validation track accuracy, score the test
    split, write plots and ``metrics.json`` into ``out_dir``. Returns the test scores ({} on
    the other ranks of a torchrun launch)."""
    data = run.data
    with main_process_first(run.train.device) as ddp:
        splits = prepare_splits(data, progress and ddp.is_main)
    model_config = replace(run.model, n_genres=len(splits.labels))
    seed_everything(run.train.seed)  # the initial weights are part of a reproducible run
    model = model_of(model_config)
    check_window(model, data.window_samples, len(splits.labels))
    hop = max(1, int(data.window_samples * data.eval_hop))
    train_set = RandomWindows(
        splits.decoded,
        splits.tracks["train"],
        data.window_samples,
        windows_per_track=data.windows_per_track,
        seed=run.train.seed,
        gain_db=data.gain_db,
        random_polarity=data.random_polarity,
        random_crop=data.random_crop,
        tilt_db=data.tilt_db,
        lowpass_probability=data.lowpass_probability,
        balance=data.balance,
        speed=tuple(data.speed),
        compression_probability=data.compression_probability,
    )
    val_set = SlidingWindows(splits.decoded, splits.tracks["val"], data.window_samples, hop)
    test_set = SlidingWindows(splits.decoded, splits.tracks["test"], data.window_samples, hop)
    counts = {k: len(v) for k, v in splits.tracks.items()}
    print_main = print if ddp.is_main else (lambda *a, **k: None)
    print_main(
        f"genres {splits.labels}; tracks train {counts['train']} val {counts['val']}"
        f"{' (= test, no validation split)' if splits.val_is_test else ''} test {counts['test']};"
        f" {count_parameters(model):,} parameters",
        file=sys.stderr,
    )
    metadata = {
        "task": "genre",
        "model_name": type(model_config).model_name,
        "model_config": asdict(model_config),
        "labels": splits.labels,
        "sample_rate": data.sample_rate,
        "window_samples": data.window_samples,
        "eval_hop": data.eval_hop,
        "run_config": checkpoint.plain(asdict(run)),
        "data_root": str(splits.root),
    }
    result, best = fit_best(
        model,
        GenreTask(val_set, splits.labels, data.mixup),
        train_set,
        run.train,
        out_dir,
        metadata=metadata,
        resume=resume,
        progress=progress,
    )
    if best is None:
        return {}
    scores = score_tracks(model, test_set, splits.labels, torch.device("cpu"))
    scores["epochs"] = len(result.history)
    scores["test_tracks"] = len(test_set.tracks)
    plots.plot_confusion(
        scores["confusion"],
        splits.labels,
        out_dir / "confusion.png",
        f"test, track level: {scores['track_accuracy']:.1%}",
    )
    save_metrics(result, best, scores, out_dir)
    return scores
