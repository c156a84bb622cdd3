"""Build the real-recording corpora behind the denoise recipes (and the shipped weights).

    python recipes/denoise/prepare.py [--out data] [--debs data/debs]
        [--only speech16k|broad|val_ood_all|val_ood_more [--seed N]|vocal_noise]

Every package is fetched with `apt-get download NAME` and unpacked with `dpkg -x` (Debian's
archive is the only source); zip, pk3 and wz archives inside are read with `zipfile`.

**speech16k** (`OUT/speech16k`, the first shipped weights, and the in-distribution validation
set of every recipe): clean Czech dialogue of fillets-ng-data-cs; noise: game sound effects,
ambiences and music of ufoai-sound, flare-game and supertux-data. Held out, never trained on:
every speaker (the second field of a file name, e.g. `m` in `vit-m-hlava.ogg`) whose sorted
position is a multiple of 4, and every 5th noise file. Validation mixtures are fixed: 120
held-out utterances of at least 2 s, each with one held-out noise at 0, 5 or 10 dB SNR (in
turn), named `snrNN_<utterance>.wav`, in `val/clean` + `val/noisy`.

**broad** (`OUT/denoise_broad`, see `sources.py`): training speech from fillets-ng-data-cs (the
training speakers above), hedgewars-data, redeclipse-data and openarena-data, kept by the clean
speech rule of `sources.speech_verdict`; training noise from the training files of the three
packages above and the sound effects and ambience of eight more (see below). The out-of-distribution
validation set `val_ood` takes its speech and its noise from packages used nowhere in training:
warzone2100-data's voice lines, and the sounds of 0ad-data and torcs-data (120 mixtures at 0, 5
and 10 dB, as above; `val_ood/speech` holds all of its clean speech, for the transparency
bench). `val_ood_all` mixes every one of those utterances at each of the three SNRs (435
mixtures, other noise segments): the ship rule's check on halves of the utterances, with
about 72 files per half and SNR where `val_ood` has 20 (`--only val_ood_all` builds it
from `val_ood`). `val_ood_more` does the same four times over with other noise segments (1740
mixtures, 580 an SNR, `--only val_ood_more`): with 40 mixtures an SNR, `val_ood`'s margins of a
few hundredths of a dB are inside their own noise (`pick.py`'s "95%, won" line). It decides
what ships since session 21 (`judge.py`). `--only val_ood_more --seed N` writes
`val_ood_more_seedN`: the same names and clean speech with other noise draws, a fresh check set
for a later decision once this one has chosen too often.
`train/vocal_noise` (`--only vocal_noise`) holds the cries, laughs, grunts and coughs among
the voice lines of hedgewars-data and redeclipse-data, by name (`sources.VOCAL_NOISE`), as
noise: a voice that is not speech (`vocal_noise.csv` lists them).
neverball-data and openttd-opensfx hold no audio file libsndfile reads (neverball's sounds are
in another package; OpenTTD's are in its own .cat container), so they add nothing.
`manifest.csv` lists every recording looked at: its package, its path inside the package,
where it went (or why it was dropped) and its measures.
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing
import os
import re
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import torch
from sources import (
    NOISE_ALL,
    NOISE_SOUNDS,
    SPEECH,
    VOCAL_NOISE,
    Recording,
    fetch,
    noise_recordings,
    speech_recordings,
    speech_verdict,
    vocal_noise_recordings,
)

from audiocnn import files
from audiocnn.audio import AudioError, load_audio, save_audio
from audiocnn.data import mix_at_snr

RATE = 16000
VAL_SNRS = (0, 5, 10)
VAL_MIXTURES = 120  # 40 per SNR: enough to rank denoisers, small enough to run them all
VAL_MORE_DRAWS = 4  # val_ood_more: every val_ood utterance at every SNR, four times
OOD_SPEECH = ("warzone2100-data",)
OOD_NOISE = ("0ad-data", "torcs-data")
MAX_NOISE_FILES = 400  # per package, evenly spaced over its sorted files
MAX_NOISE_SECONDS = 30.0  # longer noise recordings are cut


def speech_files(tree: Path) -> list[Path]:
    return sorted((tree / "fillets-ng-data-cs/usr/share/games/fillets-ng/sound").rglob("*.ogg"))


def speaker(path: Path) -> str:
    parts = path.stem.split("-")
    return parts[1] if len(parts) > 2 else "other"


def noise_sources(tree: Path) -> list[tuple[str, bytes | Path]]:
    """(name, path or bytes) of every noise recording, the ufoai ones from inside its pk3."""
    sources: list[tuple[str, bytes | Path]] = []
    for package, game in (("flare-game", "flare"), ("supertux-data", "supertux2")):
        for path in sorted((tree / package / "usr/share/games" / game).rglob("*")):
            if path.suffix.lower() in (".ogg", ".wav"):
                sources.append((f"{game}-{path.stem}", path))
    for pk3 in sorted((tree / "ufoai-sound/usr/share/games/ufoai").rglob("*.pk3")):
        with zipfile.ZipFile(pk3) as archive:
            for name in sorted(archive.namelist()):
                if name.lower().endswith((".ogg", ".wav")):
                    sources.append((f"ufoai-{Path(name).stem}", archive.read(name)))
    return sources


def load_any(source: bytes | Path, tmp: Path) -> np.ndarray | None:
    if isinstance(source, bytes):
        tmp.write_bytes(source)
        source = tmp
    try:
        wav, _ = load_audio(source, RATE)
    except AudioError:
        return None
    return wav[0].numpy()


def build_speech16k(tree: Path, out: Path) -> None:
    speakers = sorted({speaker(p) for p in speech_files(tree)})
    held_speakers = set(speakers[::4])
    val_speech = []
    for path in speech_files(tree):
        wav = load_any(path, out / ".tmp")
        if wav is None or len(wav) < RATE // 2:
            continue
        part = "val/speech" if speaker(path) in held_speakers else "train/clean"
        save_audio(out / part / f"{path.parent.parent.name}-{path.stem}.wav", wav, RATE)
        if part == "val/speech" and len(wav) >= 2 * RATE:
            val_speech.append((f"{path.parent.parent.name}-{path.stem}", wav))
    val_noise = []
    for i, (name, source) in enumerate(noise_sources(tree)):
        wav = load_any(source, out / ".tmp.ogg")
        if wav is None or len(wav) < RATE // 10 or np.abs(wav).max() < 1e-3:
            continue
        part = "val" if i % 5 == 0 else "train"
        save_audio(out / part / "noise" / f"{name}.wav", wav, RATE)
        if part == "val" and len(wav) >= RATE:
            val_noise.append(wav)
    write_mixtures(out / "val", val_speech, val_noise, np.random.default_rng(0))
    (out / ".tmp").unlink(missing_ok=True)
    (out / ".tmp.ogg").unlink(missing_ok=True)
    print(f"speech16k: held-out speakers {sorted(held_speakers)}")
    report(out)


def write_mixtures(out: Path, speech: list, noise: list, rng: np.random.Generator) -> None:
    """``VAL_MIXTURES`` of the utterances, each with the next noise at the next SNR."""
    order = rng.permutation(len(speech))[:VAL_MIXTURES]
    speech = [speech[i] for i in sorted(order)]
    for i, (name, clean) in enumerate(speech):
        write_mixture(out, name, clean, noise[i % len(noise)], VAL_SNRS[i % len(VAL_SNRS)], rng)


def write_mixture(
    out: Path, name: str, clean: np.ndarray, noise: np.ndarray, level: int, rng
) -> None:
    """``out/noisy/snrNN_name.wav`` (``noise`` from a random offset, tiled) and its clean."""
    wav = noise[(int(rng.integers(len(noise))) + np.arange(len(clean))) % len(noise)]
    noisy, _ = mix_at_snr(torch.from_numpy(clean), torch.from_numpy(wav), float(level))
    peak = max(1.0, max(float(noisy.abs().max()), float(np.abs(clean).max())) / 0.98)
    stem = f"snr{level:02d}_{name}.wav"
    save_audio(out / "noisy" / stem, noisy[0] / peak, RATE)
    save_audio(out / "clean" / stem, torch.from_numpy(clean) / peak, RATE)


def build_val_ood_all(
    out: Path, folder: str = "val_ood_all", draws: int = 1, seed: int | None = None
) -> None:
    """``val_ood_all``: every utterance of ``val_ood/speech`` at every SNR, each mixture with
    the next noise of ``val_ood/noise`` (shuffled; read back from the files written there).
    With ``draws`` > 1 (``val_ood_more``), each utterance at each SNR ``draws`` times with other
    noise, named ``snrNN_<utterance>~dK.wav`` (:func:`pipeline.utterance_of` drops the ``~dK``,
    so every draw of an utterance falls in the same half). ``seed`` draws other noise (which
    noise, and where in it) for the same names: a fresh check set for each decision.
    ``noises.csv`` names each mixture's noise file (``gap.py`` groups by it)."""
    mixtures, rng = val_mixtures(out, draws, seed)
    rows = ["mixture,noise"]
    for level, name, clean, noise_name, noise in mixtures:
        write_mixture(out / folder, name, clean, noise, level, rng)
        rows.append(f"snr{level:02d}_{name}.wav,{noise_name}")  # file names have no commas
    files.write_text(out / folder / "noises.csv", "\n".join(rows) + "\n")


def val_mixtures(
    out: Path, draws: int = 1, seed: int | None = None
) -> tuple[list, np.random.Generator]:
    """:func:`build_val_ood_all`'s mixtures, ``(snr, name, clean, noise name, noise)`` each,
    in the order it writes them, and the generator that then draws where in each noise the
    mixture starts. The noise name is ``package/file`` under ``val_ood/noise``."""

    def read(kind: str) -> list[tuple[str, np.ndarray]]:
        paths = sorted((out / "val_ood" / kind).rglob("*.wav"))
        wavs = [(p, load_audio(p, RATE)[0][0].numpy()) for p in paths]
        return [(p, wav) for p, wav in wavs if len(wav) >= RATE]

    speech = [(f"{p.parent.name}-{p.stem}", wav) for p, wav in read("speech")]
    noise = [(f"{p.parent.name}/{p.name}", wav) for p, wav in read("noise")]
    if not speech or not noise:
        raise SystemExit(f"error: {out / 'val_ood'}: no speech or no noise (run without --only)")
    if seed is None:
        seed = 2 if draws == 1 else 3  # val_ood_all and val_ood_more as they always were
    rng = np.random.default_rng(seed)
    rng.shuffle(noise)  # the same order as the list of arrays it shuffled before session 26
    mixtures = [
        (level, name if draws == 1 else f"{name}~d{draw}", clean)
        for draw in range(1, draws + 1)
        for level in VAL_SNRS
        for name, clean in speech
    ]
    return [(*m, *noise[i % len(noise)]) for i, m in enumerate(mixtures)], rng


def report(out: Path) -> None:
    for folder in sorted(p for p in out.glob("*/*") if p.is_dir()):
        print(f"  {folder.relative_to(out)}: {sum(1 for _ in folder.rglob('*.wav'))} files")


# ----------------------------------------------------------------------------------------------
# The broad corpus
# ----------------------------------------------------------------------------------------------


def decode(job: tuple[Recording, str]) -> tuple[Recording, str, str, np.ndarray | None, dict]:
    """Decode one recording at 16 kHz and judge it (``kind``: "speech" or "noise")."""
    recording, kind = job
    suffix = Path(recording.inner or recording.member).suffix
    tmp = Path(tempfile.gettempdir()) / f"audiocnn-prepare-{os.getpid()}{suffix}"
    tmp.write_bytes(recording.read())
    try:
        wav = load_audio(tmp, RATE)[0][0].numpy()
    except AudioError as error:
        reason = str(error).replace(str(tmp), recording.member).split("\n")[0]
        return recording, kind, f"unreadable: {reason}", None, {}
    finally:
        tmp.unlink(missing_ok=True)
    if kind == "speech":
        reason, measures = speech_verdict(wav, RATE)
        return recording, kind, reason, wav, measures
    wav = wav[: int(MAX_NOISE_SECONDS * RATE)]
    if len(wav) < RATE // 10 or np.abs(wav).max() < 1e-3:
        return recording, kind, "shorter than 0.1 s or silent", wav, {}
    return recording, kind, "", wav, {"seconds": round(len(wav) / RATE, 2)}


def file_name(recording: Recording) -> str:
    parts = re.split(r"[/!]", recording.member)
    stem = "-".join(parts[-3:-1] + [Path(parts[-1]).stem])
    return re.sub(r"[^A-Za-z0-9_.-]", "_", stem) + ".wav"


def build_broad(tree: Path, out: Path, held_speakers: set[str]) -> None:
    rows, ood_speech, ood_noise = write_recordings(broad_jobs(tree, held_speakers), out)
    rng = np.random.default_rng(1)
    rng.shuffle(ood_noise)  # the two noise packages in turn, not one after the other
    write_mixtures(out / "val_ood", ood_speech, ood_noise, rng)
    build_val_ood_all(out)
    build_val_ood_all(out, "val_ood_more", VAL_MORE_DRAWS)
    with open(out / "manifest.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["package", "member", "kind", "written_to", "dropped_because", "measures"])
        writer.writerows(rows)
    print("broad: kept / looked at, per package")
    for package in dict.fromkeys(r[0] for r in rows):
        for kind in ("speech", "noise"):
            mine = [r for r in rows if r[0] == package and r[2] == kind]
            if mine:
                kept = [r for r in mine if r[3]]
                seconds = sum(r[5].get("seconds", 0) for r in kept)
                print(f"  {package} {kind}: {len(kept)} / {len(mine)} ({seconds / 60:.1f} min)")
    report(out)


def broad_jobs(tree: Path, held_speakers: set[str]) -> list[tuple[Recording, str]]:
    """Every speech recording of the speech packages, and up to ``MAX_NOISE_FILES`` of each
    noise package, less what speech16k holds out for its validation."""
    jobs = []
    for package in SPEECH:
        found = speech_recordings(tree, package)
        if package == "fillets-ng-data-cs":  # its held-out speakers stay out (speech16k/val)
            found = [r for r in found if speaker(Path(r.member)) not in held_speakers]
        jobs += [(r, "speech") for r in found]
    held = {name for i, (name, _) in enumerate(noise_sources(tree)) if i % 5 == 0}
    for package in NOISE_ALL + NOISE_SOUNDS:
        found = noise_recordings(tree, package)
        if package in NOISE_ALL:  # speech16k's validation noise: every 5th file, kept out
            found = [r for r in found if _old_name(r) not in held]
        step = max(1.0, len(found) / MAX_NOISE_FILES)
        jobs += [(found[int(i * step)], "noise") for i in range(min(len(found), MAX_NOISE_FILES))]
    return jobs


def write_recordings(jobs: list, out: Path) -> tuple[list, list, list]:
    """Decode and judge every job (two processes), write what is kept; returns the manifest's
    rows and the out-of-distribution speech and noise."""
    rows, ood_speech, ood_noise, taken = [], [], [], set()
    # spawn, not fork: a forked child of a process that has run torch can hang in its first op
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        for recording, kind, reason, wav, measures in pool.imap(decode, jobs, chunksize=4):
            ood = recording.package in (OOD_SPEECH if kind == "speech" else OOD_NOISE)
            where = ""
            if not reason:
                part = {"speech": "clean", "noise": "noise"}[kind]
                part = f"val_ood/{kind}" if ood else f"train/{part}"
                where = f"{part}/{recording.package}/{file_name(recording)}"
                while where in taken:  # the same name in two folders of a package
                    where = where[: -len(".wav")] + "_.wav"
                taken.add(where)
                save_audio(out / where, wav, RATE)
                if ood and len(wav) >= RATE:
                    if kind == "speech":
                        ood_speech.append((f"{recording.package}-{Path(where).stem}", wav))
                    else:
                        ood_noise.append(wav)
            rows.append([recording.package, recording.member, kind, where, reason, measures])
    return rows, ood_speech, ood_noise


def build_vocal_noise(tree: Path, out: Path) -> None:
    """``train/vocal_noise/PACKAGE``: the cries, laughs and grunts among the voice lines of the
    speech packages that are noise packages too (:data:`sources.VOCAL_NOISE`), as noise; the
    speech rule keeps some of them as clean speech (recipes leave those out with
    ``clean_exclude``). ``vocal_noise.csv`` lists each, as the manifest does."""
    jobs = [(r, "noise") for package in VOCAL_NOISE for r in vocal_noise_recordings(tree, package)]
    rows, taken = [], set()
    for recording, _, reason, wav, measures in map(decode, jobs):  # 229 short files: seconds
        where = ""
        if not reason:
            where = f"train/vocal_noise/{recording.package}/{file_name(recording)}"
            while where in taken:
                where = where[: -len(".wav")] + "_.wav"
            taken.add(where)
            save_audio(out / where, wav, RATE)
        rows.append([recording.package, recording.member, where, reason, measures])
    out.mkdir(parents=True, exist_ok=True)  # a tree with none of them still gets its list
    with open(out / "vocal_noise.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["package", "member", "written_to", "dropped_because", "measures"])
        writer.writerows(rows)
    for package in VOCAL_NOISE:
        kept = [r for r in rows if r[0] == package and r[2]]
        seconds = sum(r[4].get("seconds", 0) for r in kept)
        print(f"  vocal noise, {package}: {len(kept)} files ({seconds / 60:.1f} min)")


def _old_name(recording: Recording) -> str:
    """The name speech16k gave a file of ufoai, flare or supertux."""
    stem = Path(recording.inner or recording.member).stem
    game = {"flare-game": "flare", "supertux-data": "supertux2", "ufoai-sound": "ufoai"}
    return f"{game[recording.package]}-{stem}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("data"))
    parser.add_argument("--debs", type=Path, default=Path("data/debs"))
    parser.add_argument(
        "--only", choices=("speech16k", "broad", "val_ood_all", "val_ood_more", "vocal_noise")
    )
    parser.add_argument(
        "--seed",
        type=int,
        help="with --only val_ood_more: other noise draws, into val_ood_more_seedN",
    )
    args = parser.parse_args()
    if args.seed is not None and args.only != "val_ood_more":
        parser.error("--seed goes with --only val_ood_more")
    if args.only == "val_ood_all":  # from the broad corpus already built
        build_val_ood_all(args.out / "denoise_broad")
        report(args.out / "denoise_broad")
        return
    if args.only == "val_ood_more":
        folder = "val_ood_more" if args.seed is None else f"val_ood_more_seed{args.seed}"
        build_val_ood_all(args.out / "denoise_broad", folder, VAL_MORE_DRAWS, args.seed)
        report(args.out / "denoise_broad")
        return
    packages = list(dict.fromkeys([*SPEECH, *NOISE_ALL, *NOISE_SOUNDS]))
    tree = fetch(args.debs, packages)
    if args.only == "vocal_noise":  # beside a broad corpus built before it
        build_vocal_noise(tree, args.out / "denoise_broad")
        return
    if args.only != "broad":
        build_speech16k(tree, args.out / "speech16k")
    if args.only != "speech16k":
        speakers = sorted({speaker(p) for p in speech_files(tree)})
        build_broad(tree, args.out / "denoise_broad", set(speakers[::4]))
        build_vocal_noise(tree, args.out / "denoise_broad")


if __name__ == "__main__":
    main()
