"""How far each denoiser turns noise down when no one speaks, per kind of noise.

    python recipes/denoise/noise_alone.py                      # val_ood's noise, shipped weights
    python recipes/denoise/noise_alone.py --checkpoint runs/x/averaged.pt --other RNNoise

Each noise file under ``--noise`` (by default ``val_ood``'s: 0 A.D. and TORCS sounds, which no
recipe trains on) is scaled to ``--level-db`` dBFS RMS (speech's usual level), padded to at
least 0.5 s, and put through each method alone. Per kind of noise (the package and the first
part of the file's name: ``gap.kind_of``, 0 A.D.'s ``human``, ``fauna``, ...) it
prints the median of ``10 log10(output energy / input energy)``: how many dB the method took
off. A denoiser that keeps a sound heard alone takes it for speech.

With ``--after-speech SECONDS``, each noise follows that much of a clean utterance (the first
file under ``--speech``) and only the noise's part of the output is measured: the same sounds
once the level of the speech is known.

A diagnostic: it chooses nothing. The shipped weights, RNNoise and DeepFilterNet3 (the last
two when installed: ``tools/venv.sh bench``) are the methods unless ``--checkpoint`` or
``--other`` name others.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import gap  # noqa: E402

from audiocnn.audio import AudioError, load_audio  # noqa: E402
from audiocnn.data import list_audio_files  # noqa: E402
from audiocnn.denoise import compare  # noqa: E402
from audiocnn.progress import tqdm  # noqa: E402

RATE = compare.RATE
SHORTEST = RATE // 2  # shorter noises are padded with silence to this many samples


def kind_of(path: Path, root: Path) -> str:
    """``gap.kind_of`` of a noise file below ``root`` (whose first folder is its package; a
    file directly in ``root`` counts as ``root``'s)."""
    noise = path.relative_to(root)
    if len(noise.parts) == 1:
        noise = Path(root.name) / noise
    return gap.kind_of(noise.as_posix())


def taken_off_db(method, noise: np.ndarray, lead: np.ndarray) -> float:
    """dB by which ``method`` turns ``noise`` down (negative: down), heard after ``lead``."""
    out = method(np.concatenate([lead, noise]).astype(np.float32))
    out = np.asarray(out, dtype=np.float64)[len(lead) : len(lead) + len(noise)]
    return float(10 * np.log10((np.mean(out**2) + 1e-20) / np.mean(noise.astype(np.float64) ** 2)))


def measure(
    noise_files: list[Path],
    root: Path,
    methods: dict,
    level_db: float,
    lead: np.ndarray,
    progress: bool = True,
) -> dict[str, dict[str, list[float]]]:
    """kind -> method -> dB taken off each of its files (silent files are left out)."""
    rows: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for path in tqdm(noise_files, desc="noises", disable=not progress):
        noise = load_audio(path, RATE)[0].mean(0).numpy().astype(np.float64)
        noise = np.pad(noise, (0, max(0, SHORTEST - len(noise))))
        power = np.mean(noise**2)
        if power < 1e-12:
            continue
        noise *= 10 ** (level_db / 20) / np.sqrt(power)
        for name, method in methods.items():
            rows[kind_of(path, root)][name].append(taken_off_db(method, noise, lead))
    return rows


def report(rows: dict, names: list[str], min_files: int) -> str:
    width = max(12, *(len(n) for n in names))
    lines = [f"{'noise':<28}{'files':>6}" + "".join(f"{n:>{width + 2}}" for n in names)]
    every: dict[str, list[float]] = defaultdict(list)
    for kind in sorted(rows, key=lambda k: -len(next(iter(rows[k].values())))):
        count = len(next(iter(rows[kind].values())))
        for name in names:
            every[name] += rows[kind][name]
        if count >= min_files:
            cells = "".join(f"{np.median(rows[kind][n]):>+{width + 2}.1f}" for n in names)
            lines.append(f"{kind:<28}{count:>6}{cells}")
    count = len(every[names[0]])
    cells = "".join(f"{np.median(every[n]):>+{width + 2}.1f}" for n in names)
    lines.append(f"{'all':<28}{count:>6}{cells}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--noise", type=Path, default=Path("data/denoise_broad/val_ood/noise"))
    parser.add_argument(
        "--checkpoint",
        type=Path,
        action="append",
        default=[],
        help="weights of ours (repeat for more; default: the shipped default and gentle)",
    )
    parser.add_argument(
        "--other",
        action="append",
        default=None,
        help="a method compare runs (default: RNNoise and DeepFilterNet3 where installed)",
    )
    parser.add_argument("--level-db", type=float, default=-26.0, help="noise level, dBFS RMS")
    parser.add_argument("--after-speech", type=float, default=0.0, help="seconds of speech first")
    parser.add_argument("--speech", type=Path, default=Path("data/denoise_broad/val_ood/speech"))
    parser.add_argument("--min-files", type=int, default=4, help="smallest kind listed")
    args = parser.parse_args(argv)
    try:
        noise_files = list_audio_files(args.noise)
        lead = np.zeros(0)
        if args.after_speech > 0:
            speech = load_audio(list_audio_files(args.speech)[0], RATE)[0].mean(0).numpy()
            n = int(args.after_speech * RATE)
            lead = np.resize(speech, n).astype(np.float64)  # repeated to the length asked
            lead *= 10 ** (args.level_db / 20) / np.sqrt(np.mean(lead**2) + 1e-20)
    except AudioError as error:
        print(f"error: {error}")
        return 2
    if not noise_files:
        print(f"error: {args.noise}: no audio files")
        return 2
    methods = {}
    for path in args.checkpoint or [None, Path("gentle")]:
        name = str(path) if path else "shipped"
        methods[name] = compare.checkpoint_method(path)
    found, _ = compare.methods([])
    for name in args.other if args.other is not None else ["RNNoise", "DeepFilterNet3"]:
        if name in found:
            methods[name] = found[name]
        elif args.other is not None:
            parser.error(f"--other {name}: not one of {', '.join(found)}")
    print(
        f"{args.noise}: dB each method takes off noise alone at {args.level_db:g} dBFS "
        + (f"after {args.after_speech:g} s of speech " if args.after_speech > 0 else "")
        + "(median per kind)"
    )
    rows = measure(noise_files, args.noise, methods, args.level_db, lead)
    print(report(rows, list(methods), args.min_files))
    return 0


if __name__ == "__main__":
    sys.exit(main())
