"""Build the real-recording corpus behind recipes/denoise/speech16k.toml (and the shipped weights).

    python recipes/denoise/prepare.py [--out data/speech16k] [--debs data/debs]

Clean speech: Czech dialogue of the Debian package fillets-ng-data-cs. Noise: game sound effects,
ambiences and music of ufoai-sound, flare-game and supertux-data. The packages are fetched with
`apt-get download NAME` and unpacked with `dpkg -x` (Debian's archive is the only source).

Held out for validation, never trained on: every speaker (the second field of a file name,
e.g. `m` in `vit-m-hlava.ogg`) whose sorted position is a multiple of 4, and every 5th noise
file. Validation mixtures are fixed: 120 held-out utterances of at least 2 s, each with one
held-out noise at 0, 5 or 10 dB SNR (in turn), named `snrNN_<utterance>.wav`.

Writes OUT/train/clean, OUT/train/noise (16 kHz mono WAV), and OUT/val/speech and OUT/val/noise
(the held-out recordings) with OUT/val/clean + OUT/val/noisy (the fixed validation mixtures).
"""

from __future__ import annotations

import argparse
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import torch

from audiocnn.audio import AudioError, load_audio, save_audio
from audiocnn.data import mix_at_snr

PACKAGES = {
    "speech": ["fillets-ng-data-cs"],
    "noise": ["ufoai-sound", "flare-game", "supertux-data"],
}
RATE = 16000
VAL_SNRS = (0, 5, 10)
VAL_MIXTURES = 120  # 40 per SNR: enough to rank denoisers, small enough to run them all


def fetch(debs: Path) -> Path:
    """Download and unpack the packages once; returns the unpacked tree."""
    tree = debs / "tree"
    debs.mkdir(parents=True, exist_ok=True)
    for name in PACKAGES["speech"] + PACKAGES["noise"]:
        if not list(debs.glob(f"{name}_*.deb")):
            subprocess.run(["apt-get", "download", name], cwd=debs, check=True)
        marker = tree / f".{name}"
        if not marker.exists():
            deb = sorted(debs.glob(f"{name}_*.deb"))[-1]
            subprocess.run(["dpkg", "-x", str(deb), str(tree)], check=True)
            marker.touch()
    return tree


def speech_files(tree: Path) -> list[Path]:
    return sorted((tree / "usr/share/games/fillets-ng/sound").rglob("*.ogg"))


def speaker(path: Path) -> str:
    parts = path.stem.split("-")
    return parts[1] if len(parts) > 2 else "other"


def noise_sources(tree: Path) -> list[tuple[str, bytes | Path]]:
    """(name, path or bytes) of every noise recording, the ufoai ones from inside its pk3."""
    sources: list[tuple[str, bytes | Path]] = []
    for game in ("flare", "supertux2"):
        for path in sorted((tree / "usr/share/games" / game).rglob("*")):
            if path.suffix.lower() in (".ogg", ".wav"):
                sources.append((f"{game}-{path.stem}", path))
    for pk3 in sorted((tree / "usr/share/games/ufoai").rglob("*.pk3")):
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("data/speech16k"))
    parser.add_argument("--debs", type=Path, default=Path("data/debs"))
    args = parser.parse_args()
    tree = fetch(args.debs)
    out = args.out
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
    rng = np.random.default_rng(0)
    order = rng.permutation(len(val_speech))[:VAL_MIXTURES]
    val_speech = [val_speech[i] for i in sorted(order)]
    for i, (name, clean) in enumerate(val_speech):
        noise = val_noise[i % len(val_noise)]
        start = int(rng.integers(len(noise)))
        noise = noise[(start + np.arange(len(clean))) % len(noise)]
        level = VAL_SNRS[i % len(VAL_SNRS)]
        noisy, _ = mix_at_snr(torch.from_numpy(clean), torch.from_numpy(noise), float(level))
        peak = max(1.0, max(float(noisy.abs().max()), float(np.abs(clean).max())) / 0.98)
        stem = f"snr{level:02d}_{name}.wav"
        save_audio(out / "val" / "noisy" / stem, noisy[0] / peak, RATE)
        save_audio(out / "val" / "clean" / stem, torch.from_numpy(clean) / peak, RATE)
    (out / ".tmp").unlink(missing_ok=True)
    (out / ".tmp.ogg").unlink(missing_ok=True)
    counts = {
        p.relative_to(out): len(list(p.glob("*.wav")))
        for p in sorted(out.glob("*/*"))
        if p.is_dir()
    }
    print(f"held-out speakers: {sorted(held_speakers)}")
    for folder, n in counts.items():
        print(f"{folder}: {n} files")


if __name__ == "__main__":
    main()
