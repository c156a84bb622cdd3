"""Where the recordings of the denoise corpora come from, and the rule that keeps clean speech.

Every recording is named by its package and its path inside it (``archive.pk3!member`` for a
file inside a zip/pk3/wz archive), so the manifest can say where each file came from.
"""

from __future__ import annotations

import re
import subprocess
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from audiocnn.dsp.voicing import voiced_share

AUDIO = (".ogg", ".wav", ".flac", ".opus")
ARCHIVES = (".zip", ".pk3", ".wz")

# Speech: the voice recordings of each package (a regular expression on the path inside it).
SPEECH = {
    "fillets-ng-data-cs": r"fillets-ng/sound/.*/cs/",
    "hedgewars-data": r"Sounds/voices/",
    "redeclipse-data": r"sounds/(voice|announcer)/",
    "openarena-data": r"sound/voices/",
    "warzone2100-data": r"audio/(memressp|taunts)/",
}
# Noise: everything of the first three (the corpus of the first shipped weights, music
# included), and the sound effects and ambience of the rest: no music, no voices.
NOISE_ALL = ("ufoai-sound", "flare-game", "supertux-data")
NOISE_SOUNDS = (
    "supertuxkart-data",
    "0ad-data",
    "freedroidrpg-data",
    "widelands-data",
    "torcs-data",
    "scorched3d-data",
    "neverball-data",
    "pingus-data",
    "lincity-ng-data",
    "openttd-opensfx",
    "hedgewars-data",
    "redeclipse-data",
)
NOT_SOUNDS = r"music|voice|announcer|speech|/lang/|taunt"
# Voices that are not speech: the cries, laughs, grunts and coughs among the voice lines of the
# two speech packages that are noise packages too, by the names their authors gave them (the
# voiced share cannot tell them from words: session 32). Noise for `train/vocal_noise`.
VOCAL_NOISE = {
    "hedgewars-data": r"(?i)/(Flyaway|Hmm|Jump\d|Laugh|Nooo|Ooff\d|Ouch|Ow\d|Poison\w+)\.ogg$",
    "redeclipse-data": r"sounds/voice/(argh|haha)\d?\.ogg$",
}


@dataclass(frozen=True)
class Recording:
    package: str
    member: str  # path inside the package (archive!member inside an archive)
    source: Path  # the file, or the archive that holds it
    inner: str = ""  # the member inside ``source`` when it is an archive

    def read(self) -> bytes:
        if self.inner:
            with zipfile.ZipFile(self.source) as archive:
                return archive.read(self.inner)
        return self.source.read_bytes()


def fetch(debs: Path, packages: list[str]) -> Path:
    """``apt-get download`` + ``dpkg -x`` each package once, into ``debs/tree/PACKAGE``."""
    debs.mkdir(parents=True, exist_ok=True)
    for name in packages:
        if not list(debs.glob(f"{name}_*.deb")):
            subprocess.run(["apt-get", "download", name], cwd=debs, check=True)
        tree = debs / "tree" / name
        marker = debs / "tree" / f".{name}.done"
        if not marker.exists():
            deb = sorted(debs.glob(f"{name}_*.deb"))[-1]
            tree.mkdir(parents=True, exist_ok=True)  # dpkg -x makes no parent folders
            subprocess.run(["dpkg", "-x", str(deb), str(tree)], check=True)
            marker.touch()
    return debs / "tree"


def recordings(tree: Path, package: str) -> Iterator[Recording]:
    """Every audio file of a package, archives opened, in sorted order."""
    root = tree / package
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        member = str(path.relative_to(root))
        if path.suffix.lower() in AUDIO:
            yield Recording(package, member, path)
        elif path.suffix.lower() in ARCHIVES and zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                names = sorted(n for n in archive.namelist() if n.lower().endswith(AUDIO))
            for name in names:
                yield Recording(package, f"{member}!{name}", path, name)


def speech_recordings(tree: Path, package: str) -> list[Recording]:
    return [r for r in recordings(tree, package) if re.search(SPEECH[package], r.member)]


def vocal_noise_recordings(tree: Path, package: str) -> list[Recording]:
    """The voice lines of ``package`` that :data:`VOCAL_NOISE` names cries, not words."""
    rule = VOCAL_NOISE[package]
    return [r for r in speech_recordings(tree, package) if re.search(rule, r.member)]


def noise_recordings(tree: Path, package: str) -> list[Recording]:
    found = list(recordings(tree, package))
    if package in NOISE_ALL:
        return found
    return [r for r in found if not re.search(NOT_SOUNDS, r.member, re.IGNORECASE)]


# ----------------------------------------------------------------------------------------------
# Clean speech, by rule
# ----------------------------------------------------------------------------------------------

MIN_SECONDS = 1.0  # shorter clips are grunts and one-syllable calls
MIN_RANGE_DB = 30.0  # loud frames over quiet ones: a clean recording has quiet pauses
VOICED = (0.25, 0.95)  # share of active frames with a clear pitch: speech lies between


def speech_verdict(wav: np.ndarray, rate: int) -> tuple[str, dict]:
    """``("", measures)`` for clean speech, else ``(reason, measures)``.

    The rule, measured on 32 ms frames (hop 16 ms):
    - at least 1 s long;
    - not clipped (under 0.1% of samples at the peak when the peak is at full scale);
    - dynamic range (95th over 1st percentile of frame energy) at least 30 dB: music, ambience
      or hiss under the voice fills the pauses;
    - between 25% and 95% of the active frames (within 40 dB of the loudest) voiced, that is
      with a normalised autocorrelation peak above 0.5 at a pitch of 60-400 Hz
      (:func:`audiocnn.dsp.voicing.voiced_share`): effects and noise have almost none,
      singing, music and robotised voices almost only voiced frames.
    """
    seconds = len(wav) / rate
    measures = {"seconds": round(seconds, 2)}
    if seconds < MIN_SECONDS:
        return f"shorter than {MIN_SECONDS:g} s", measures
    peak = float(np.abs(wav).max())
    clipped = float(np.mean(np.abs(wav) >= 0.999 * peak)) if peak >= 0.99 else 0.0
    measures["clipped"] = round(clipped, 5)
    if clipped > 1e-3:
        return "clipped", measures
    frame, hop = int(0.032 * rate), int(0.016 * rate)
    frames = np.lib.stride_tricks.sliding_window_view(wav, frame)[::hop]
    energy = 10 * np.log10(np.mean(frames**2, axis=1) + 1e-12)
    dynamic = float(np.percentile(energy, 95) - np.percentile(energy, 1))
    measures["range_db"] = round(dynamic, 1)
    if dynamic < MIN_RANGE_DB:
        return (
            f"dynamic range {dynamic:.0f} dB < {MIN_RANGE_DB:g} (sound under the voice)",
            measures,
        )
    voiced = voiced_share(wav, rate)
    measures["voiced"] = round(voiced, 3)
    if not VOICED[0] <= voiced <= VOICED[1]:
        return f"voiced share {voiced:.2f} outside {VOICED[0]}-{VOICED[1]}", measures
    return "", measures
