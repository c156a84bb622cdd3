"""Denoising end to end: train, evaluate, load the shipped weights.

The CLI (:mod:`audiocnn.denoise.cli`) only parses arguments and calls these functions.
"""

from __future__ import annotations

import math
import os
import re
import sys
import warnings
from dataclasses import asdict, dataclass, field
from itertools import pairwise
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader

from audiocnn import checkpoint, synth
from audiocnn.checkpoint import CheckpointError
from audiocnn.config import ConfigError, check, check_choice, check_seed
from audiocnn.data import (
    DataError,
    MixAugmentConfig,
    NoiseMixer,
    PairedWindows,
    audio_files_in,
    decode_files,
    find_pairs,
    group_weights,
)
from audiocnn.distributed import main_process_first
from audiocnn.metrics import si_sdr, snr
from audiocnn.models import (
    AttenuationLimit,
    DenoiseModelConfig,
    SpectralMaskDenoiserConfig,
    count_parameters,
    model_of,
)
from audiocnn.progress import counted
from audiocnn.train import (
    TrainConfig,
    fit_best,
    save_metrics,
    seed_everything,
)

SHIPPED_WEIGHTS = Path(__file__).resolve().parent.parent / "weights" / "denoiser16k.pt"
SHIPPED_VARIANTS = {  # name: weights shipped beside the default (``--checkpoint gentle``)
    "gentle": SHIPPED_WEIGHTS.with_name("denoiser16k_gentle.pt"),  # leaves more noise and
    # more of the speech: clean speech passes within 1 dB per octave (recipes/denoise/README.md)
}


@dataclass(frozen=True)
class DenoiseDataConfig:
    pairs: str = ""  # folder with clean/ + noisy/ (same names); "" and no clean: built-in corpus
    clean: str = ""  # clean folder to mix with `noise` on the fly (instead of pairs)
    noise: str = ""  # noise folder for on-the-fly mixing
    noise_extra: str = ""  # a second noise folder, its files drawn for noise_extra_share of
    noise_extra_share: float = 0.0  # the recorded noises (each folder's files alike)
    noise_extra_match: str = ""  # a regular expression: files under `noise` whose path under
    # it matches are drawn with noise_extra's, for that share (e.g. animals, cries)
    clean_exclude: str = ""  # a regular expression: clean files whose path under `clean`
    # matches it are left out of training
    clean_exclude_list: str = ""  # a text file: paths under `clean`, one a line ('#' starts a
    # comment), left out of training too (e.g. one a measured rule chose)
    clean_high_snr: str = ""  # a regular expression: clean files whose path under `clean`
    # matches it are drawn only for examples whose SNR (drawn first) is at least
    clean_high_snr_db: float = 5.0  # this; the other examples draw from the rest
    val_pairs: str = ""  # explicit validation clean/ + noisy/ folder
    val_files: int = 50  # files held out for validation when there is no val_pairs
    sample_rate: int = 16000
    window_samples: int = 16000  # 1 s training windows
    windows_per_file: int = 4  # random windows per file per epoch
    snr_db: tuple[float, ...] = (-5.0, 15.0)  # on-the-fly mixing range
    split_seed: int = 0
    balance: float = 1.0  # each folder directly under `clean` (a package) gets a share of the
    # training windows in proportion to its file count to this power: 1, per file; 0.5, larger
    # folders less; 0, every folder alike (its files drawn more often)
    select_on: str = "window_loss"  # what picks best.pt: the loss on validation windows, or
    # "file_si_sdr": the mean SI-SDR improvement of whole val_pairs files (what compare scores)

    def __post_init__(self) -> None:
        check(self.sample_rate > 0, f"sample_rate must be > 0 Hz, got {self.sample_rate}")
        for name in ("window_samples", "windows_per_file"):
            check(getattr(self, name) >= 1, f"{name} must be at least 1, got {getattr(self, name)}")
        check(self.val_files >= 0, f"val_files must be >= 0, got {self.val_files}")
        check_seed("split_seed", self.split_seed)
        check(0 <= self.balance <= 1, f"balance must be in [0, 1], got {self.balance}")
        check(
            0 <= self.noise_extra_share < 1,
            f"noise_extra_share must be in [0, 1), got {self.noise_extra_share}",
        )
        check(
            bool(self.noise_extra or self.noise_extra_match) == (self.noise_extra_share > 0),
            "noise_extra (or noise_extra_match) and noise_extra_share > 0 go together",
        )
        for name in ("noise_extra", "noise_extra_match"):
            check(not getattr(self, name) or bool(self.noise), f"{name} needs a noise folder")
        for name in ("clean_exclude", "clean_exclude_list", "clean_high_snr"):
            check(not getattr(self, name) or bool(self.clean), f"{name} needs a clean folder")
        check(
            math.isfinite(self.clean_high_snr_db),
            f"clean_high_snr_db must be a number of dB, got {self.clean_high_snr_db}",
        )
        for name in ("clean_exclude", "noise_extra_match", "clean_high_snr"):
            try:
                re.compile(getattr(self, name))
            except re.error as error:
                raise ConfigError(f"{name} is not a regular expression: {error}") from None
        check_choice("select_on", self.select_on, ("window_loss", "file_si_sdr"))
        check(
            self.select_on != "file_si_sdr" or bool(self.val_pairs),
            'select_on = "file_si_sdr" needs val_pairs (a clean/ + noisy/ folder of whole files)',
        )
        check(
            len(self.snr_db) == 2 and self.snr_db[0] <= self.snr_db[1],
            f"snr_db must be [low, high] with low <= high, got {list(self.snr_db)}",
        )


@dataclass(frozen=True)
class LossConfig:
    l1: float = 1.0  # the lab's loss: mean absolute error of the waveform
    si_sdr: float = 0.0  # weight of -SI-SDR / 100 (dB scaled to the size of L1 terms)
    sdr: float = 0.0  # weight of -SDR / 100 of the whole batch at once (every window's error
    # over every window's energy: stable where a window is mostly a pause, unlike SI-SDR)
    stft: float = 0.0  # weight of the multi-resolution STFT magnitude loss
    compressed: float = 0.0  # weight of the L1 distance of STFT magnitudes ** 0.3 (512/128):
    # loud and quiet bins both count, as they do to a listener, without log's floor
    removed: float = 0.0  # weight of the same distance counted only where the estimate is
    # below the target (speech taken away): removing speech then costs 1 + removed/compressed
    # times what leaving noise costs (an asymmetric loss, against over-suppression)
    removed_snr_db: tuple[float, ...] = ()  # [low, high]: ``removed`` counts for none of an
    # example whose input SNR is below low, fully above high (and with no noise), linearly
    # between: take noise away at low SNRs, leave speech alone at high ones; empty: fully
    octave: float = 0.0  # weight of the spectral-balance error: |dB| of the estimate's energy
    # over the target's in each of the six octaves below Nyquist, per window, / 10 (what
    # bench/denoise_transparency.py measures; the other terms barely see the top octave)
    octave_clean: float = 0.0  # weight of the same error one-sided and on noiseless examples
    # only (input SNR above 50 dB): the dB each octave of clean speech loses on its way through,
    # / 10, averaged over those examples; noise left cannot count there, so unlike ``octave``
    # it cannot pay for taking a noisy top octave down

    def __post_init__(self) -> None:
        names = ("l1", "si_sdr", "sdr", "stft", "compressed", "removed", "octave", "octave_clean")
        weights = {name: getattr(self, name) for name in names}
        for name, weight in weights.items():
            check(weight >= 0, f"loss weight {name} must be >= 0, got {weight}")
        check(any(weights.values()), "at least one loss weight must be > 0")
        ramp = self.removed_snr_db
        check(
            not ramp or (len(ramp) == 2 and ramp[0] <= ramp[1]),
            f"removed_snr_db must be [low, high] with low <= high, got {list(ramp)}",
        )


@dataclass(frozen=True)
class DenoiseRunConfig:
    data: DenoiseDataConfig = field(default_factory=DenoiseDataConfig)
    model: DenoiseModelConfig = field(default_factory=SpectralMaskDenoiserConfig)
    augment: MixAugmentConfig = field(default_factory=MixAugmentConfig)  # on-the-fly mixing
    loss: LossConfig = field(default_factory=lambda: LossConfig(l1=1.0, si_sdr=1.0, stft=1.0))
    train: TrainConfig = field(
        default_factory=lambda: TrainConfig(epochs=30, lr=3e-3, max_minutes=5.0)
    )


# ----------------------------------------------------------------------------------------------
# Losses
# ----------------------------------------------------------------------------------------------

STFT_RESOLUTIONS = ((512, 128), (1024, 256), (256, 64))


def stft_magnitude(x: torch.Tensor, n_fft: int, hop: int) -> torch.Tensor:
    """``|STFT|`` of every signal in ``x`` (any leading shape, time last), Hann window."""
    window = torch.hann_window(n_fft, device=x.device)
    return torch.stft(
        x.reshape(-1, x.shape[-1]), n_fft, hop, window=window, return_complex=True
    ).abs()


def stft_loss(estimate: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Multi-resolution STFT loss: spectral convergence + log-magnitude L1, averaged over
    three (n_fft, hop) resolutions."""
    total = estimate.new_zeros(())
    for n_fft, hop in STFT_RESOLUTIONS:
        spec = [stft_magnitude(x, n_fft, hop) + 1e-7 for x in (estimate, target)]
        convergence = torch.linalg.norm(spec[1] - spec[0]) / torch.linalg.norm(spec[1])
        total = total + convergence + F.l1_loss(spec[0].log(), spec[1].log())
    return total / len(STFT_RESOLUTIONS)


def compressed_magnitudes(x: torch.Tensor) -> torch.Tensor:
    """Power-law compressed STFT magnitudes (``|X| ** 0.3``, 512-sample Hann frames, hop 128),
    the usual training target of spectral-mask denoisers."""
    return stft_magnitude(x, 512, 128).add(1e-8).pow(0.3)


def compressed_spectrum_loss(estimate: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean absolute difference of :func:`compressed_magnitudes`."""
    return F.l1_loss(compressed_magnitudes(estimate), compressed_magnitudes(target))


def removed_speech_loss(
    estimate: torch.Tensor, target: torch.Tensor, weights: torch.Tensor | None = None
) -> torch.Tensor:
    """The part of :func:`compressed_spectrum_loss` where the estimate falls short of the
    target: the speech a denoiser took away, blind to the noise it left. ``weights`` (one per
    signal) scale each signal's share."""
    shortfall = compressed_magnitudes(target) - compressed_magnitudes(estimate)
    each = shortfall.clamp(min=0).mean(dim=(-2, -1))
    return each.mean() if weights is None else (each * weights.reshape(-1)).mean()


OCTAVE_BANDS = 6  # 4-8 kHz down to 125-250 Hz at 16 kHz, as bench/denoise_transparency.py


def octave_energies(x: torch.Tensor, bands: int = OCTAVE_BANDS) -> torch.Tensor:
    """Energy of each signal in ``x`` (time last) in the ``bands`` octaves below Nyquist, lowest
    first, from one FFT of the whole signal: shape ``x.shape[:-1] + (bands,)``."""
    power = torch.fft.rfft(x).abs().square()
    bins = power.shape[-1] - 1  # bin k of n is k / n of Nyquist
    edges = [round(bins / 2**b) for b in range(bands, -1, -1)]
    return torch.stack([power[..., lo:hi].sum(-1) for lo, hi in pairwise(edges)], -1)


def octave_loss(
    estimate: torch.Tensor, target: torch.Tensor, floor_db: float = -30.0
) -> torch.Tensor:
    """Mean ``|10 log10(estimate's / target's energy)|`` over the octaves of
    :func:`octave_energies` and the signals, divided by 10 (1 dB costs 0.1). Each band's energy
    has a floor ``floor_db`` below the target's total, so that an empty band of the target
    (band-limited speech) gives no infinite ratio; a silent target window has no such floor,
    and any output there costs many dB in every band. Speech taken away and noise left both
    count."""
    return octave_errors_db(estimate, target, floor_db).abs().mean() / 10


def octave_errors_db(
    estimate: torch.Tensor, target: torch.Tensor, floor_db: float = -30.0
) -> torch.Tensor:
    """``10 log10`` of the estimate's energy over the target's in each octave of
    :func:`octave_energies`, with :func:`octave_loss`'s floor: shape ``(..., bands)``."""
    est, tgt = octave_energies(estimate), octave_energies(target)
    floor = tgt.sum(-1, keepdim=True).detach() * 10 ** (floor_db / 10) + 1e-12
    return 10 * torch.log10((est + floor) / (tgt + floor))


NOISELESS_DB = 50.0  # an input this close to its target (SNR, dB) is clean speech


def octave_kept_loss(
    estimate: torch.Tensor, target: torch.Tensor, noisy: torch.Tensor
) -> torch.Tensor:
    """The dB that each octave of the target loses in the estimate (gains above it are free),
    averaged over the octaves, / 10, and averaged over the signals whose input ``noisy`` is
    the target itself (SNR above :data:`NOISELESS_DB`); 0 when there is none."""
    lost = (-octave_errors_db(estimate, target)).clamp(min=0).mean(-1).reshape(-1)
    clean = (snr(noisy, target).detach().reshape(-1) > NOISELESS_DB).to(lost.dtype)
    return (lost * clean).sum() / clean.sum().clamp(min=1) / 10


def snr_ramp(input_snr_db: torch.Tensor, ramp: tuple[float, ...]) -> torch.Tensor:
    """0 below ``ramp[0]`` dB, 1 above ``ramp[1]``, linear between (a step where they meet)."""
    low, high = ramp
    if high == low:
        return (input_snr_db >= low).to(input_snr_db.dtype)
    return ((input_snr_db - low) / (high - low)).clamp(0, 1)


def denoise_loss(
    estimate: torch.Tensor,
    target: torch.Tensor,
    config: LossConfig,
    noisy: torch.Tensor | None = None,
) -> torch.Tensor:
    """The weighted sum of ``config``'s terms. ``noisy`` (the input, aligned with ``target``)
    is needed only where ``config.removed_snr_db`` weighs examples by their input SNR, and for
    ``config.octave_clean``, which counts only noiseless examples."""
    loss = config.l1 * F.l1_loss(estimate, target)
    if config.compressed:
        loss = loss + config.compressed * compressed_spectrum_loss(estimate, target)
    if config.removed:
        weights = None
        if config.removed_snr_db:
            if noisy is None:
                raise ValueError("removed_snr_db needs the noisy input")
            weights = snr_ramp(snr(noisy, target).detach(), config.removed_snr_db)
        loss = loss + config.removed * removed_speech_loss(estimate, target, weights)
    if config.octave:
        loss = loss + config.octave * octave_loss(estimate, target)
    if config.octave_clean:
        if noisy is None:
            raise ValueError("octave_clean needs the noisy input")
        loss = loss + config.octave_clean * octave_kept_loss(estimate, target, noisy)
    if config.si_sdr:
        loss = loss - config.si_sdr * si_sdr(estimate, target).mean() / 100
    if config.sdr:
        batch_sdr = snr(estimate.reshape(1, -1), target.reshape(1, -1))[0]  # one signal
        loss = loss - config.sdr * batch_sdr / 100
    if config.stft:
        loss = loss + config.stft * stft_loss(estimate, target) / 10
    return loss


# ----------------------------------------------------------------------------------------------
# Data
# ----------------------------------------------------------------------------------------------


def prepare_datasets(run: DenoiseRunConfig, progress: bool = True):
    """(train dataset, validation dataset, description) for ``run.data``."""
    data, rate = run.data, run.data.sample_rate
    seed = run.train.seed
    if data.clean or data.noise:
        if not (data.clean and data.noise):
            raise DataError("on-the-fly mixing needs both --clean and --noise folders")
        clean_files = _not_excluded(audio_files_in(data.clean), data)
        recorded = audio_files_in(data.noise)
        second = audio_files_in(data.noise_extra) if data.noise_extra else []
        matched = _matching(recorded, data)
        extra = second + matched
        noise = decode_files(recorded + second, rate, progress=progress)
        noise = _audible(noise, data, progress)
        train_files, val_files = _hold_out(clean_files, data)
        train = NoiseMixer(
            decode_files(train_files, rate, progress=progress),
            noise,
            data.window_samples,
            snr_db=tuple(data.snr_db),
            windows_per_file=data.windows_per_file,
            seed=seed,
            augment=run.augment,
            weights=_balanced(train_files, Path(data.clean), data.balance),
            noise_weights=_extra_share(noise.paths, set(extra), data),
            high_snr_only=_high_snr_only(train_files, data),
            high_snr_db=data.clean_high_snr_db,
        )
        described = (
            f"{counted(len(train_files), 'clean file')} mixed with "
            f"{counted(len(noise), 'noise file')}"
        )
        if extra:
            where = [data.noise_extra] if second else []
            if matched:  # those left after the silent ones are dropped, as they are drawn
                files = counted(len(set(matched) & set(noise.paths)), "file")
                where.append(f"the {files} of {data.noise} matching {data.noise_extra_match!r}")
            described += f" ({data.noise_extra_share:.0%} of draws from {' and '.join(where)})"
        if run.augment.active:
            described += ", augmented"
        val = _val_from(data, val_files, noise, rate, progress)
        return train, val, described
    root = Path(data.pairs) if data.pairs else builtin_pairs()
    clean_files, noisy_files = find_pairs(root)
    order = np.random.default_rng(data.split_seed).permutation(len(clean_files))
    n_val = 0 if data.val_pairs else min(data.val_files, len(order) // 2)
    val_ids, train_ids = order[:n_val], order[n_val:]
    train = PairedWindows(
        decode_files([clean_files[i] for i in train_ids], rate, progress=progress),
        decode_files([noisy_files[i] for i in train_ids], rate, progress=progress),
        data.window_samples,
        windows_per_file=data.windows_per_file,
        seed=seed,
    )
    if data.val_pairs:
        val = _paired(Path(data.val_pairs), data, rate, progress)
    else:
        val = PairedWindows(
            decode_files([clean_files[i] for i in val_ids], rate, progress=progress),
            decode_files([noisy_files[i] for i in val_ids], rate, progress=progress),
            data.window_samples,
            seed=seed + 1,
        )
    return train, val, f"{len(train_ids)} noisy/clean pairs from {root}"


def _audible(noise, data: DenoiseDataConfig, progress: bool = True):
    """The noise files without the silent ones, which would mix no noise at any SNR (each
    left out is named in a warning); an error if all are silent."""
    silent = {
        path
        for n, path in enumerate(noise.paths)
        if float(np.mean(np.square(noise.track(n), dtype=np.float64))) <= 1e-12  # -120 dBFS
    }
    if not silent:
        return noise
    if len(silent) == len(noise):
        raise DataError(f"{data.noise}: every noise file is silent")
    names = ", ".join(str(path) for path in sorted(silent)[:5])
    warnings.warn(
        f"{data.noise}: {counted(len(silent), 'silent noise file')} left out "
        f"({names}{', ...' if len(silent) > 5 else ''})",
        stacklevel=2,
    )
    audible = [p for p in noise.paths if p not in silent]
    return decode_files(audible, data.sample_rate, progress=progress)


def _not_excluded(files: list[Path], data: DenoiseDataConfig) -> list[Path]:
    """``files`` less those ``data.clean_exclude`` matches and ``data.clean_exclude_list`` lists.

    Every path the list names must be among ``files``: a list made for other data is an error,
    not a silent no-op.
    """
    kept = files
    if data.clean_exclude:
        pattern = re.compile(data.clean_exclude)
        kept = [f for f in kept if not pattern.search(os.path.relpath(f, data.clean))]
        if not kept:
            raise DataError(f"{data.clean}: clean_exclude {data.clean_exclude!r} leaves no file")
        print(
            f"{data.clean}: {counted(len(files) - len(kept), 'file')} left out by clean_exclude",
            file=sys.stderr,
        )
    if data.clean_exclude_list:
        listed = _listed_paths(Path(data.clean_exclude_list))
        known = {os.path.relpath(f, data.clean) for f in files}
        unknown = sorted(listed - known)
        if unknown:
            raise DataError(
                f"{data.clean_exclude_list}: {counted(len(unknown), 'listed path')} not under "
                f"{data.clean} (first: {unknown[0]})"
            )
        before = len(kept)
        kept = [f for f in kept if os.path.relpath(f, data.clean) not in listed]
        if not kept:
            raise DataError(f"{data.clean}: clean_exclude_list leaves no file")
        print(
            f"{data.clean}: {counted(before - len(kept), 'file')} left out by "
            f"{data.clean_exclude_list}",
            file=sys.stderr,
        )
    return kept


def _high_snr_only(files: list[Path], data: DenoiseDataConfig) -> np.ndarray | None:
    """A flag per training file: its path under ``data.clean`` matches ``clean_high_snr``
    (None without that option). Matching none of them, or all, is an error."""
    if not data.clean_high_snr:
        return None
    pattern = re.compile(data.clean_high_snr)
    flags = np.array([bool(pattern.search(os.path.relpath(f, data.clean))) for f in files])
    if not flags.any() or flags.all():
        which = "no" if not flags.any() else "every"
        raise DataError(
            f"{data.clean}: clean_high_snr {data.clean_high_snr!r} matches {which} training "
            "file (it must leave some speech for the examples below clean_high_snr_db)"
        )
    print(
        f"{data.clean}: {counted(int(flags.sum()), 'file')} drawn only at SNR >= "
        f"{data.clean_high_snr_db:g} dB (clean_high_snr)",
        file=sys.stderr,
    )
    return flags


def _listed_paths(path: Path) -> set[str]:
    """The paths a ``clean_exclude_list`` file names, one a line, less comments and blanks."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DataError(f"{path}: cannot read the clean_exclude_list ({error})") from None
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return {os.path.normpath(line) for line in lines if line}


def _matching(files: list[Path], data: DenoiseDataConfig) -> list[Path]:
    """The ``files`` (under ``data.noise``) whose path under it matches ``noise_extra_match``."""
    if not data.noise_extra_match:
        return []
    rule = data.noise_extra_match
    found = [f for f in files if re.search(rule, os.path.relpath(f, data.noise))]
    if not found:
        raise DataError(f"{data.noise}: noise_extra_match {rule!r} matches no file")
    return found


def _extra_share(paths: list[Path], extra: set[Path], data: DenoiseDataConfig):
    """Weights that draw the files of ``extra`` for ``data.noise_extra_share`` of the recorded
    noises and the rest for the others, each set's files alike (None without ``extra``)."""
    if not extra:
        return None
    mine = np.array([p in extra for p in paths])
    if mine.all() or not mine.any():
        drawn = data.noise_extra or f"noise_extra_match {data.noise_extra_match!r}"
        raise DataError(f"{drawn}: no audible noise there, or none else in {data.noise}")
    share = data.noise_extra_share
    return np.where(mine, share / mine.sum(), (1 - share) / (~mine).sum())


def builtin_pairs() -> Path:
    corpus = synth.builtin_denoise_corpus()
    print(f"no data given: using the built-in denoise corpus at {corpus}", file=sys.stderr)
    return corpus


def _balanced(files: list[Path], root: Path, power: float) -> np.ndarray | None:
    """:func:`group_weights` by the folder directly under ``root`` (None for ``power`` 1)."""
    if power == 1:
        return None
    parts = [Path(os.path.relpath(f, root)).parts for f in files]
    return group_weights([p[0] if len(p) > 1 else "" for p in parts], power)


def _hold_out(files: list[Path], data: DenoiseDataConfig) -> tuple[list[Path], list[Path]]:
    if data.val_pairs:
        return files, []
    order = np.random.default_rng(data.split_seed).permutation(len(files))
    n_val = min(data.val_files, len(files) // 2)
    return [files[i] for i in order[n_val:]], [files[i] for i in order[:n_val]]


def _val_from(data, val_files, noise, rate, progress):
    if data.val_pairs:
        return _paired(Path(data.val_pairs), data, rate, progress)
    return NoiseMixer(
        decode_files(val_files, rate, progress=progress),
        noise,
        data.window_samples,
        snr_db=tuple(data.snr_db),
        seed=12345,
    )


def _paired(root: Path, data: DenoiseDataConfig, rate: int, progress: bool) -> PairedWindows:
    clean, noisy = find_pairs(root)
    return PairedWindows(
        decode_files(clean, rate, progress=progress),
        decode_files(noisy, rate, progress=progress),
        data.window_samples,
        seed=12345,
    )


# ----------------------------------------------------------------------------------------------
# Train and evaluate
# ----------------------------------------------------------------------------------------------


class DenoiseTask:
    """The configured loss on (noisy, clean) windows; validation L1, SI-SDR and SNR.

    With ``whole_files`` (the validation files' names, in ``val_set``'s order) it also scores
    each whole validation file, and ``best.pt`` is the epoch with the best mean SI-SDR
    improvement over them.
    """

    tiebreak = None

    def __init__(self, val_set, loss: LossConfig, whole_files: list[str] | None = None) -> None:
        self.val_set, self.loss, self.whole_files = val_set, loss, whole_files
        self.monitor = "val_file_si_sdr_improvement" if whole_files else "val_loss"
        self.monitor_mode = "max" if whole_files else "min"

    def batch_loss(self, model, batch, device):
        noisy, clean = batch[0].to(device), batch[1].to(device)
        estimate, clean = latency_aligned(model, model(noisy), clean)
        return denoise_loss(estimate, clean, self.loss, noisy[..., : clean.shape[-1]]), {}

    def evaluate(self, model, device):
        scores = score_pairs(model, self.val_set, device, self.loss)
        if self.whole_files:
            scores |= score_whole_files(model, self.val_set, self.whole_files, device)
        return {f"val_{k}": v for k, v in scores.items()}


def latency_aligned(model, estimate: torch.Tensor, clean: torch.Tensor):
    """Pair output sample ``t + delay`` with clean sample ``t`` (the model's latency).

    ``model`` may be wrapped in DistributedDataParallel (its ``.module`` is the denoiser).
    """
    delay = getattr(model, "module", model).delay
    if not delay:
        return estimate, clean
    return estimate[..., delay:], clean[..., : clean.shape[-1] - delay]


def score_pairs(model, dataset, device, loss: LossConfig = LossConfig()) -> dict[str, float]:
    """Mean loss, L1, SI-SDR and SNR of the model's output and their gain over the input."""
    model.eval()
    sums: dict[str, float] = {}
    count = 0
    with torch.no_grad():
        for noisy, clean in DataLoader(dataset, batch_size=32):
            noisy, clean = noisy.to(device), clean.to(device)
            estimate, clean = latency_aligned(model, model(noisy), clean)
            noisy = noisy[..., : clean.shape[-1]]
            figures = {
                "loss": float(denoise_loss(estimate, clean, loss, noisy)) * len(noisy),
                "l1": float(F.l1_loss(estimate, clean)) * len(noisy),
                "si_sdr": float(si_sdr(estimate, clean).sum()),
                "si_sdr_input": float(si_sdr(noisy, clean).sum()),
                "snr": float(snr(estimate, clean).sum()),
                "snr_input": float(snr(noisy, clean).sum()),
            }
            for key, value in figures.items():
                sums[key] = sums.get(key, 0.0) + value
            count += len(noisy)
    mean = {k: v / max(1, count) for k, v in sums.items()}
    mean["si_sdr_improvement"] = mean["si_sdr"] - mean["si_sdr_input"]
    mean["snr_improvement"] = mean["snr"] - mean["snr_input"]
    return mean


def file_improvements(model, dataset: PairedWindows, device) -> list[float]:
    """The SI-SDR improvement of every whole file of ``dataset``, in its order.

    Each file is padded by the model's delay and its output moved back by it, so every
    input sample is scored, as :func:`audiocnn.denoise.stream.denoise_array` gives them.
    """
    model.eval()
    delay = getattr(model, "module", model).delay
    gains = []
    with torch.no_grad():
        for n in range(len(dataset.clean)):
            clean, noisy = dataset.clean.track(n), dataset.noisy.track(n)
            length = min(len(clean), len(noisy))
            clean = torch.tensor(clean[:length], dtype=torch.float32, device=device)
            noisy = torch.tensor(noisy[:length], dtype=torch.float32, device=device)
            estimate = model(F.pad(noisy, (0, delay))[None, None])[0, 0, delay:]
            gains.append(float(si_sdr(estimate, clean) - si_sdr(noisy, clean)))
    return gains


def snr_groups(names: list[str]) -> dict[str, list[int]]:
    """The indices of the files of each SNR group, keyed ``file_si_sdr_improvement_snrNN``,
    for the names that start ``snrNN_`` (:func:`snr_of`)."""
    groups: dict[str, list[int]] = {}
    for n, name in enumerate(names):
        if (snr_db := snr_of(name)) is not None:
            groups.setdefault(f"file_si_sdr_improvement_snr{snr_db:02d}", []).append(n)
    return groups


def summarise_improvements(gains: list[float], names: list[str]) -> dict:
    """Mean SI-SDR improvement of whole files (``file_si_sdr_improvement``), and per SNR
    group (``file_si_sdr_improvement_snrNN``, :func:`snr_groups`)."""
    if len(gains) != len(names):
        raise ValueError(f"{len(gains)} improvements for {len(names)} file names")
    groups = {"file_si_sdr_improvement": range(len(names)), **snr_groups(names)}
    return {
        key: float(np.mean([gains[n] for n in files])) for key, files in groups.items() if files
    }


def score_whole_files(model, dataset: PairedWindows, names: list[str], device) -> dict:
    """:func:`summarise_improvements` of :func:`file_improvements`."""
    return summarise_improvements(file_improvements(model, dataset, device), names)


def folder_improvements(model, root: Path, rate: int, progress: bool = True):
    """(file names, :func:`file_improvements`) of a clean/ + noisy/ folder."""
    names = [path.name for path in find_pairs(root)[1]]
    pairs = _paired(root, DenoiseDataConfig(), rate, progress)
    return names, file_improvements(model, pairs, torch.device("cpu"))


def utterance_of(name: str) -> str:
    """A mixture's file name without its ``snrNN_`` prefix and any ``~dK`` noise draw before
    its extension: the same for every SNR and every draw of one utterance."""
    return re.sub(r"~d\d+(\.\w+)$", r"\1", re.sub(r"^snr-?\d+_", "", name))


def snr_of(name: str) -> int | None:
    """The input SNR in dB that a mixture's file name states (``snrNN_...``), else None."""
    match = re.match(r"snr(-?\d+)_", name)
    return int(match.group(1)) if match else None


def train_denoiser(
    run: DenoiseRunConfig, out_dir: Path, *, resume: bool = False, progress: bool = True
) -> dict:
    """Train on ``run.data``; ``best.pt`` as ``run.data.select_on`` says; returns its scores."""
    with main_process_first(run.train.device) as ddp:
        train_set, val_set, described = prepare_datasets(run, progress and ddp.is_main)
    whole_files = None
    if run.data.select_on == "file_si_sdr":
        whole_files = [path.name for path in find_pairs(Path(run.data.val_pairs))[1]]
    seed_everything(run.train.seed)
    model = model_of(run.model)
    (print if ddp.is_main else (lambda *a, **k: None))(
        f"{described}; {counted(len(val_set), 'validation window')}; "
        f"{type(run.model).model_name} with {count_parameters(model):,} parameters",
        file=sys.stderr,
    )
    metadata = {
        "task": "denoise",
        "model_name": type(run.model).model_name,
        "model_config": checkpoint.plain(asdict(run.model)),
        "sample_rate": run.data.sample_rate,
        "run_config": checkpoint.plain(asdict(run)),
    }
    result, best = fit_best(
        model,
        DenoiseTask(val_set, run.loss, whole_files),
        train_set,
        run.train,
        out_dir,
        metadata=metadata,
        resume=resume,
        progress=progress,
        plot_metric="si_sdr",
    )
    if best is None:
        return {}
    scores = score_pairs(model, val_set, torch.device("cpu"), run.loss)
    if whole_files:
        scores |= score_whole_files(model, val_set, whole_files, torch.device("cpu"))
    scores["epochs"] = len(result.history)
    save_metrics(result, best, scores, out_dir)
    return scores


def weights_path(path: str | Path | None) -> Path:
    """The file of ``path``: the shipped weights when None; the shipped variant of that name
    (:data:`SHIPPED_VARIANTS`, e.g. ``"gentle"``) when no such file exists; else ``path``."""
    if path is None:
        return SHIPPED_WEIGHTS
    if str(path) in SHIPPED_VARIANTS and not Path(path).exists():
        return SHIPPED_VARIANTS[str(path)]
    return Path(path)


def load_denoiser(
    path: str | Path | None = None, limit_db: float | None = None, *, int8: bool = False
):
    """A denoiser and its sample rate from a checkpoint, or from the shipped weights
    (:func:`weights_path`); with ``limit_db``, one that removes at most that many dB
    (:class:`~audiocnn.models.denoise.AttenuationLimit`); with ``int8``, one whose gain
    network takes int8 products (``SpectralMaskDenoiser.int8``: faster on a CPU, not bit for bit
    the same output)."""
    path = weights_path(path)
    if path in (SHIPPED_WEIGHTS, *SHIPPED_VARIANTS.values()) and not path.exists():
        raise CheckpointError(
            f"{path}: the shipped weights are missing from this install; pass --checkpoint"
        )
    model, state = checkpoint.load_model(path, "denoise")
    if int8:
        if not hasattr(model, "int8"):
            raise CheckpointError(
                f"{path}: int8 products need the spectral denoiser, not {type(model).__name__}"
            )
        model = model.int8()
    if limit_db is not None:
        model = AttenuationLimit(model, limit_db)
    return model, state["sample_rate"]


def evaluate_pairs(
    path: Path | None,
    root: Path,
    progress: bool = True,
    limit_db: float | None = None,
    *,
    int8: bool = False,
) -> dict:
    """Whole-file scores of a denoiser (removing at most ``limit_db`` dB, if given; with int8
    products, if asked) on a clean/ + noisy/ folder (PESQ/STOI if installed)."""
    from audiocnn.denoise.stream import denoise_array

    model, rate = load_denoiser(path, limit_db, int8=int8)
    rows = []
    for _, clean, noisy in load_pairs(root, rate):
        estimate = denoise_array(model, noisy, rate, rate)
        rows.append(file_scores(estimate[0].numpy(), noisy[0].numpy(), clean[0].numpy(), rate))
    return {key: float(np.mean([r[key] for r in rows])) for key in rows[0]} | {"files": len(rows)}


def load_pairs(root: Path, rate: float, *, tolerance_s: float = 0.01):
    """Yield ``(noisy_path, clean, noisy)`` of every pair under ``root/clean`` and
    ``root/noisy`` (:func:`find_pairs`), mono at ``rate``, cut to the shorter of the two.

    Pairs whose lengths differ by more than ``tolerance_s`` are scored over the shorter with a
    warning that names them; a silent clean file, against which no ratio exists, is left out
    with a warning.

    Raises:
        DataError: every clean file is silent.
    """
    from audiocnn.audio import load_audio

    kept = 0
    for clean_path, noisy_path in zip(*find_pairs(root), strict=True):
        clean, _ = load_audio(clean_path, rate)
        noisy, _ = load_audio(noisy_path, rate)
        n = min(clean.shape[-1], noisy.shape[-1])
        if abs(clean.shape[-1] - noisy.shape[-1]) > tolerance_s * rate:
            warnings.warn(
                f"{noisy_path}: {noisy.shape[-1] / rate:.2f} s, its clean partner "
                f"{clean.shape[-1] / rate:.2f} s; scored over the first {n / rate:.2f} s",
                stacklevel=2,
            )
        clean, noisy = clean[..., :n], noisy[..., :n]
        if float(clean.double().pow(2).mean()) <= 1e-12:  # below -120 dBFS
            warnings.warn(f"{clean_path}: silent; no ratio can be scored, left out", stacklevel=2)
            continue
        kept += 1
        yield noisy_path, clean, noisy
    if not kept:
        raise DataError(f"{root}: every clean file is silent; nothing to score")


def file_scores(
    estimate: np.ndarray, noisy: np.ndarray, clean: np.ndarray, rate: int, perceptual: bool = True
) -> dict:
    """L1, SNR and SI-SDR of ``estimate`` and of ``noisy`` against ``clean``, their
    improvements, and with ``perceptual`` PESQ-wb and STOI (:func:`perceptual_scores`)."""
    t = {
        name: torch.from_numpy(np.asarray(x, dtype=np.float64))
        for name, x in (("est", estimate), ("noisy", noisy), ("clean", clean))
    }
    scores = {
        "l1": float((t["est"] - t["clean"]).abs().mean()),
        "l1_input": float((t["noisy"] - t["clean"]).abs().mean()),
        "si_sdr": float(si_sdr(t["est"], t["clean"])),
        "si_sdr_input": float(si_sdr(t["noisy"], t["clean"])),
        "snr": float(snr(t["est"], t["clean"])),
        "snr_input": float(snr(t["noisy"], t["clean"])),
    }
    scores["si_sdr_improvement"] = scores["si_sdr"] - scores["si_sdr_input"]
    scores["snr_improvement"] = scores["snr"] - scores["snr_input"]
    if perceptual:
        scores.update(perceptual_scores(estimate, clean, rate))
    return scores


def perceptual_scores(estimate: np.ndarray, clean: np.ndarray, rate: int) -> dict:
    """PESQ-wb and STOI when the ``bench`` extra (pesq, pystoi) is installed; else nothing."""
    out = {}
    try:
        from pesq import pesq

        out["pesq_wb"] = float(pesq(16000, clean, estimate, "wb")) if rate == 16000 else np.nan
    except Exception:  # not installed, or PESQ found no speech
        pass
    try:
        from pystoi import stoi

        out["stoi"] = float(stoi(clean, estimate, rate))
    except Exception:
        pass
    return out
