"""Which epoch of a run to ship: the issue's rule is to beat the shipped weights at every SNR.

    python recipes/denoise/pick.py runs/broad16k_tune
    python recipes/denoise/pick.py runs/broad16k_tune --average 8   # with [train] keep_epochs

Scores the reference (``--against``, the shipped weights by default) on the run's
``val_pairs`` as training scored every epoch there (whole files, SI-SDR improvement per SNR;
``select_on = "file_si_sdr"``), then lists the epochs of ``history.json`` by their worst SNR's
margin over it. ``--average K`` also scores the mean of the weights of the last K kept epochs
(``epochs/epoch_NNN.pt``) and writes it to ``RUN/averaged.pt``; the line under its margins,
"95%, won", says how sure each is: a paired bootstrap 95% interval of the margin over that SNR's
files, and the share of them on which it is above the reference (on ``val_ood``'s 40 files an
SNR, a margin of a few hundredths of a dB is often inside the noise).

The margins are measured on the set the epoch is chosen on, so the best of them is optimistic.
``--halves`` measures by how much: it scores every kept epoch on each half of the utterances
(every SNR of one utterance in the same half), chooses on one half and reports the other.
``--halves --final`` scores only the run's ``last.pt`` on each half: the ship rule's check that a
final epoch, which nothing chose, beats the reference on both halves. With ``--average K`` it
scores the mean of the last K kept epochs instead (``RUN/averaged.pt``). ``--pairs DIR`` makes
that check on another clean/ + noisy/ folder than the run's ``val_pairs``, such as
``data/denoise_broad/val_ood_all`` (every utterance of ``val_ood`` at every SNR: about 72 files
per half and SNR where ``val_ood`` has 20).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch

from audiocnn import checkpoint
from audiocnn.data import DataError, find_pairs
from audiocnn.denoise import pipeline

KEY = "file_si_sdr_improvement_snr"


def not_pairs(folder: Path) -> bool:
    """Whether ``folder`` holds no clean/ + noisy/ pairs (:func:`find_pairs`; saying why on
    stdout, as the scripts' other errors)."""
    try:
        find_pairs(folder)
    except DataError as error:
        print(f"error: {error}")
        return True
    return False


def add_digits_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--digits", type=int, default=2, choices=range(1, 7), help="decimals to print (2)"
    )


def margins(figures: dict, reference: dict) -> dict[str, float]:
    """Each SNR group's improvement minus the reference's (groups both have)."""
    return {k: figures[k] - reference[k] for k in reference if k.startswith(KEY) and k in figures}


def describe(name: str, figures: dict, reference: dict, d: int = 2) -> str:
    """One line: each SNR group's figure and margin over ``reference``, to ``d`` decimals (4
    tells close candidates apart: ``--digits``)."""
    gaps = margins(figures, reference)
    cells = "  ".join(f"{figures[k]:+{d + 4}.{d}f} ({gaps[k]:+.{d}f})" for k in sorted(gaps))
    return f"{name:>12}  {cells}  worst {min(gaps.values()):+.{d}f}"


def paired(
    gains: list[float], reference_gains: list[float], names: list[str], draws: int = 10_000
) -> dict[str, tuple[float, float, float]]:
    """Per SNR group, how sure a margin is: the 2.5th and 97.5th percentiles of the mean
    file-by-file margin over ``draws`` resamplings of the group's files (a paired bootstrap,
    seeded), and the share of its files above the reference."""
    rng = np.random.default_rng(0)
    margin = np.asarray(gains) - np.asarray(reference_gains)
    spread = {}
    for key, files in pipeline.snr_groups(names).items():
        resampled = margin[files][rng.integers(0, len(files), (draws, len(files)))].mean(1)
        low, high = np.percentile(resampled, [2.5, 97.5])
        spread[key] = (float(low), float(high), float(np.mean(margin[files] > 0)))
    return spread


def describe_paired(spread: dict, d: int = 2) -> str:
    """One line under :func:`describe`'s: each SNR group's 95% interval of the margin and the
    share of files above the reference."""
    cells = "  ".join(
        f"[{low:+.{d}f}, {high:+.{d}f}] {share:4.0%}"
        for low, high, share in (spread[k] for k in sorted(spread))
    )
    return f"{'95%, won':>12}  {cells}"


def halves(names: list[str]) -> list[list[int]]:
    """The file indices of two halves of the utterances: alternate ones in sorted order, with
    each utterance's mixtures at every SNR in the same half."""
    utterances = sorted({pipeline.utterance_of(name) for name in names})
    first = set(utterances[::2])
    return [
        [n for n, name in enumerate(names) if (pipeline.utterance_of(name) in first) == keep]
        for keep in (True, False)
    ]


def on_halves(gains: list[float], names: list[str]) -> list[dict]:
    """:func:`pipeline.summarise_improvements` of each of the two :func:`halves`."""
    return [
        pipeline.summarise_improvements([gains[n] for n in half], [names[n] for n in half])
        for half in halves(names)
    ]


def print_halves(
    label: str, gains: list[float], reference_gains: list[float], names: list[str], d: int = 2
) -> None:
    """One checkpoint's figures and margins on each half (nothing to choose: ``--final``)."""
    sizes, figures = map(len, halves(names)), on_halves(gains, names)
    rows = zip(sizes, figures, on_halves(reference_gains, names), strict=True)
    for n, (size, mine, reference) in enumerate(rows):
        print(f"half {'AB'[n]} ({size} files):")
        print(describe(label, mine, reference, d))


def cross_check(
    kept: list[Path],
    root: Path,
    rate: int,
    names: list[str],
    reference_gains: list[float],
    digits: int = 2,
) -> None:
    """Choose one of the ``kept`` epochs on one half of ``root``'s utterances and score it on
    the other (``names`` and ``reference_gains``: :func:`pipeline.folder_improvements`); with
    one, print it on each half (:func:`print_halves`)."""
    split = halves(names)
    reference = on_halves(reference_gains, names)
    epochs = {}  # epoch name: its figures on each half
    for path in kept:
        model, _ = checkpoint.load_model(path, "denoise")
        gains = pipeline.folder_improvements(model, root, rate, False)[1]
        if len(kept) == 1:  # --final: nothing to choose, the one epoch on each half
            print_halves(path.stem, gains, reference_gains, names, digits)
            return
        epochs[path.stem] = on_halves(gains, names)
    for chosen, other in ((0, 1), (1, 0)):
        worst = {
            name: min(margins(f[chosen], reference[chosen]).values()) for name, f in epochs.items()
        }
        best = max(worst, key=worst.get)
        sizes = f"{len(split[chosen])} files"
        print(f"chosen on half {'AB'[chosen]} ({sizes}), scored on half {'AB'[other]}:")
        print(describe(best, epochs[best][other], reference[other], digits))
        print(describe(kept[-1].stem, epochs[kept[-1].stem][other], reference[other], digits))
        print(f"{'':>12}  (on half {'AB'[chosen]} its worst margin was {worst[best]:+.{digits}f})")


def average(paths: list[Path], model: torch.nn.Module | None = None) -> dict:
    """The mean of the checkpoints' weights (integer buffers from the last one). With ``model``
    (of the last one's design), the weights of a narrower design are first fitted to it as
    ``[train] init`` fits them (``fit_weights``: zero taps from the inputs it lacked, a branch it
    lacked at the branch's starting values): they join as the point a run from them started.
    A GRU they lacked joins with its output layer at zero, as a run starts it, and the last
    checkpoint's GRU weights, which then change nothing: the same network as the narrower
    one, and the mean keeps the trained GRU instead of halving it with a random draw."""
    states = [checkpoint.load(path)["state_dict"] for path in paths]
    if model is not None:
        fitted = [model.fit_weights(s) if hasattr(model, "fit_weights") else s for s in states]
        own = model.state_dict()
        for fit in fitted:
            if set(fit) - set(own):  # a wider design than the last one's: it does not fit
                raise KeyError(f"{sorted(set(fit) - set(own))[0]!r} has no place in the last's")
        if any(set(fit) != set(own) for fit in fitted):
            start = type(model)(model.config).state_dict()  # a fresh branch's starting values
            gru = {k: v for k, v in states[-1].items() if k.startswith("recurrent.")}
            filled = []
            for fit in fitted:  # what fitting left out starts as a run from it starts
                whole = {**start, **fit}
                if "recurrent_out.weight" in start and "recurrent_out.weight" not in fit:
                    whole.update(gru)  # silent behind its zero output layer
                filled.append(whole)
            states = filled
        else:
            states = fitted
    mean = {}
    for key, value in states[-1].items():
        if value.is_floating_point():
            mean[key] = torch.stack([state[key] for state in states]).mean(0)
        else:
            mean[key] = value
    return mean


def save_mean(paths: list[Path], out: Path, names: list[str]) -> tuple[torch.nn.Module, Path]:
    """The denoiser whose weights are the mean of ``paths``' (:func:`average`, fitted to the
    last one's design), written to ``out`` with ``names`` as ``averaged_from`` (which
    ``ship.py`` records), and where it went."""
    model, _ = checkpoint.load_model(paths[-1], "denoise")
    model.load_state_dict(average(paths, model))
    state = checkpoint.load(paths[-1])
    state["state_dict"] = model.state_dict()
    state["averaged_from"] = names
    return model, checkpoint.save(out, state)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run", type=Path, help="a training run's folder (history.json, last.pt)")
    parser.add_argument("--against", type=Path, default=pipeline.SHIPPED_WEIGHTS)
    parser.add_argument("--top", type=int, default=8, help="how many epochs to list")
    add_digits_option(parser)
    parser.add_argument("--average", type=int, default=0, help="average the last K kept epochs")
    parser.add_argument(
        "--halves", action="store_true", help="choose on half the files, score on the other"
    )
    parser.add_argument(
        "--final",
        action="store_true",
        help="with --halves: the last.pt weights (with --average: their mean) on each half",
    )
    parser.add_argument(
        "--pairs",
        type=Path,
        help="with --halves --final: check on this clean/ + noisy/ folder, not val_pairs",
    )
    args = parser.parse_args(argv)
    if args.final and not args.halves:
        parser.error("--final goes with --halves")
    if args.pairs and not args.final:
        parser.error("--pairs goes with --halves --final (the epochs were scored on val_pairs)")
    if args.pairs and not_pairs(args.pairs):
        return 2
    last = checkpoint.load(args.run / "last.pt")
    root = args.pairs or Path(last["run_config"]["data"]["val_pairs"])
    kept = sorted((args.run / "epochs").glob("epoch_*.pt"))
    final = args.run / "last.pt"
    if (args.average or (args.halves and not args.final)) and not kept:
        print(f"error: {args.run / 'epochs'}: no kept epochs (set [train] keep_epochs)")
        return 2
    reference_model, rate = pipeline.load_denoiser(args.against)
    names, reference_gains = pipeline.folder_improvements(reference_model, root, rate, False)
    reference = pipeline.summarise_improvements(reference_gains, names)
    history = [] if args.pairs else json.loads((args.run / "history.json").read_text())
    scored = []  # (worst margin, the epoch's figures) of the epochs scored on whole files
    for row in history:
        figures = {key.removeprefix("val_"): value for key, value in row.items()}
        if gaps := margins(figures, reference):
            scored.append((min(gaps.values()), figures))
    scored.sort(key=lambda item: (-item[0], item[1]["epoch"]))
    print(f"{root}: SI-SDR improvement per SNR (margin over {args.against})")
    print(describe("reference", reference, reference, args.digits))
    for _, figures in scored[: args.top]:
        print(describe(f"epoch {figures['epoch']}", figures, reference, args.digits))
    if args.average:
        last_k = kept[-args.average :]
        model, final = save_mean(last_k, args.run / "averaged.pt", [p.name for p in last_k])
        gains = pipeline.folder_improvements(model, root, rate, False)[1]
        figures = pipeline.summarise_improvements(gains, names)
        print(describe(f"mean of {len(last_k)}", figures, reference, args.digits))
        print(describe_paired(paired(gains, reference_gains, names), args.digits))
        print(f"wrote {final}")
    if args.halves and args.final and args.average:  # the mean, scored just above
        print_halves(final.stem, gains, reference_gains, names, args.digits)
    elif args.halves:
        checked = [final] if args.final else kept
        cross_check(checked, root, rate, names, reference_gains, args.digits)
    return 0


if __name__ == "__main__":
    sys.exit(main())
