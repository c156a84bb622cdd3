"""Built-in procedural corpora, so every command runs with no download.

* **Genre corpus**: blues, metal, country and hip-hop (the genre notebook's GTZAN subset), told
  apart by musical cues - progression, rhythm, tempo, articulation - with key, tempo, levels, EQ,
  room, background noise and loudness drawn per track so that no single timbre separates them.
  Written in GTZAN's layout (``<genre>/<genre>.000NN.wav``, 22.05 kHz mono 16-bit).
* **Denoise corpus**: clean music and speech-like sources (glottal pulses through moving formant
  filters), mixed with white, pink, brown, hum, babble and burst noises at SNRs from a range,
  written as paired ``clean/`` + ``noisy/`` folders (16 kHz) plus the ``noise/`` used.

Everything is drawn from ``numpy.random.default_rng([seed, ...])`` per file, so the same seed
gives identical bytes whatever the number of worker processes.

    python -m audiocnn.synth genre OUT_DIR [--tracks 40] [--seconds 30] [--seed 0]
    python -m audiocnn.synth denoise OUT_DIR [--clips 240] [--seconds 4] [--seed 0]
    python -m audiocnn.synth plot CORPUS_DIR OUT.png   # one track per genre, pictured
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import scipy.signal
import soundfile as sf

from audiocnn.data import CORPUS_MARKER, cache_root
from audiocnn.files import atomic_folder
from audiocnn.progress import tqdm

GENRES = ("blues", "metal", "country", "hiphop")
GENRE_SAMPLE_RATE = 22050
DENOISE_SAMPLE_RATE = 16000
NOISE_KINDS = ("white", "pink", "brown", "hum", "babble", "bursts")
CORPUS_VERSION = 2  # bump when the generators change, so cached corpora are rebuilt


@dataclass(frozen=True)
class GenreCorpusConfig:
    tracks_per_genre: int = 40
    seconds: float = 30.0
    seed: int = 0
    sample_rate: int = GENRE_SAMPLE_RATE


@dataclass(frozen=True)
class DenoiseCorpusConfig:
    clips: int = 240
    seconds: float = 4.0
    snr_db: tuple[float, float] = (-5.0, 15.0)
    seed: int = 0
    sample_rate: int = DENOISE_SAMPLE_RATE


# ----------------------------------------------------------------------------------------------
# Instruments: vectorised numpy, one note or hit at a time
# ----------------------------------------------------------------------------------------------


def midi_hz(note: float) -> float:
    return 440.0 * 2 ** ((note - 69) / 12)


def pluck(freq: float, n: int, sr: int, brightness: float = 1.0, decay: float = 1.5):
    """A plucked string: harmonics with decays that shorten as they rise (Karplus-Strong-like).

    Deterministic in its arguments, so repeated notes come from a cache.
    """
    return _pluck(round(freq, 3), n, sr, brightness, decay)


@functools.lru_cache(maxsize=1024)
def _pluck(freq: float, n: int, sr: int, brightness: float, decay: float) -> np.ndarray:
    t = np.arange(n, dtype=np.float32) / sr
    out = np.zeros(n, dtype=np.float32)
    for h in range(1, 13):
        if h * freq > sr / 2.2:
            break
        envelope = np.exp(-t * np.float32(decay * h**0.8))
        out += (
            np.float32(brightness**h / h)
            * envelope
            * np.sin(np.float32(2 * np.pi * h * freq) * t + h)
        )
    out.flags.writeable = False
    return out


def organ(freq: float, n: int, sr: int) -> np.ndarray:
    """A sustained tone with odd-heavy harmonics and a soft attack and release (cached)."""
    return _organ(round(freq, 3), n, sr)


@functools.lru_cache(maxsize=512)
def _organ(freq: float, n: int, sr: int) -> np.ndarray:
    t = np.arange(n, dtype=np.float32) / sr
    tone = sum(np.sin(np.float32(2 * np.pi * h * freq) * t) / h**1.3 for h in (1, 2, 3, 4, 6))
    envelope = np.minimum(1, t / 0.02) * np.minimum(1, (n - np.arange(n)) / (0.05 * sr))
    out = (tone * envelope).astype(np.float32)
    out.flags.writeable = False
    return out


def kick(sr: int, rng, length: float = 0.35) -> np.ndarray:
    t = np.arange(int(length * sr)) / sr
    pitch = rng.uniform(45, 60) + rng.uniform(60, 120) * np.exp(-t * 30)
    return np.sin(2 * np.pi * np.cumsum(pitch) / sr) * np.exp(-t * rng.uniform(8, 14))


def snare(sr: int, rng, length: float = 0.25) -> np.ndarray:
    t = np.arange(int(length * sr)) / sr
    noise = scipy.signal.lfilter([1, -0.7], [1], rng.standard_normal(t.size))
    body = np.sin(2 * np.pi * rng.uniform(170, 230) * t)
    return (0.7 * noise + 0.5 * body) * np.exp(-t * rng.uniform(15, 25))


def hihat(sr: int, rng, length: float = 0.06) -> np.ndarray:
    t = np.arange(int(length * sr)) / sr
    noise = np.diff(rng.standard_normal(t.size + 1))  # first difference: bright
    return 0.4 * noise * np.exp(-t * rng.uniform(50, 90))


def place(track: np.ndarray, sound: np.ndarray, start: int, gain: float = 1.0) -> None:
    """Add ``sound`` into ``track`` from sample ``start`` (clipped at the end)."""
    if start >= track.size:
        return
    stop = min(track.size, start + sound.size)
    track[start:stop] += gain * sound[: stop - start]


# ----------------------------------------------------------------------------------------------
# Genres: each returns (stems dict of name -> signal) for one track
# ----------------------------------------------------------------------------------------------


@dataclass(eq=False)
class Song:
    sr: int
    n: int
    bpm: float
    key: int  # MIDI note of the tonic
    rng: np.random.Generator

    @property
    def beat(self) -> int:
        return int(60 / self.bpm * self.sr)

    def beats(self) -> range:
        return range(self.n // self.beat + 1)

    def new(self) -> np.ndarray:
        return np.zeros(self.n)

    def __post_init__(self) -> None:
        # One instrument palette per track, drawn from the same pool for every genre, so that
        # timbre alone does not give the genre away: the cues are rhythm, harmony and tempo.
        rng = self.rng
        self.timbre = ["pluck", "organ", "overdrive"][rng.integers(3)]
        self.brightness = rng.uniform(0.5, 0.95)
        self.drive = rng.uniform(1.5, 8)
        self.kit = (
            kick(self.sr, rng, rng.uniform(0.15, 0.5)),
            snare(self.sr, rng),
            hihat(self.sr, rng),
        )

    def voice(self, freq: float, n: int, drive: float = 1.0) -> np.ndarray:
        """A note of this track's harmonic instrument (``drive`` > 1 distorts it further)."""
        if self.timbre == "organ":
            note = organ(freq, n, self.sr)
        else:
            note = pluck(freq, n, self.sr, self.brightness, 2.5)
        gain = drive * (self.drive if self.timbre == "overdrive" else 1.0)
        return np.tanh(gain * note) if gain > 1 else note


def blues(song: Song) -> dict[str, np.ndarray]:
    """12-bar I7-IV7-V7 progression, swung eighths, walking bass, shuffle drums."""
    rng, beat, sr = song.rng, song.beat, song.sr
    bars = [0, 0, 0, 0, 5, 5, 0, 0, 7, 5, 0, 7]
    dominant7 = [0, 4, 7, 10]
    chords, bass, drums = song.new(), song.new(), song.new()
    swing = rng.uniform(0.6, 0.7)
    k, s, h = song.kit
    for b in song.beats():
        root = song.key + bars[(b // 4) % 12]
        start = b * beat
        for offset in (0, swing):  # swung eighths
            at = start + int(offset * beat)
            length = int(beat * (swing if offset == 0 else 1 - swing))
            for interval in dominant7:
                place(chords, song.voice(midi_hz(root + interval), length * 2), at, 0.15)
            place(drums, h, at, 0.6)
        walk = [0, 4, 7, 9][b % 4] + rng.choice([0, 0, -1])
        place(bass, pluck(midi_hz(root - 24 + walk), beat, sr, 0.4, 3), start, 0.5)
        place(drums, k if b % 2 == 0 else s, start, 0.7)
    return {"chords": chords, "bass": bass, "drums": drums}


def metal(song: Song) -> dict[str, np.ndarray]:
    """Distorted palm-muted power chords in sixteenths, double-kick drums, minor riffs."""
    rng, beat, sr = song.rng, song.beat, song.sr
    riff = [[0, 0, 3, 5], [0, 1, 0, 5], [0, 0, 7, 6], [0, 3, 0, 8]][rng.integers(4)]
    guitar, drums = song.new(), song.new()
    k, s, h = song.kit
    k = k[: int(0.15 * sr)]  # short kicks, to fit sixteenths
    drive = rng.uniform(1.5, 4)  # power chords always get some extra distortion
    sixteenth = beat // 4
    for b in song.beats():
        root = song.key - 12 + riff[(b // 2) % len(riff)]
        for q in range(4):
            at = b * beat + q * sixteenth
            chord = sum(song.voice(midi_hz(root + iv), sixteenth, drive) for iv in (0, 7, 12))
            place(guitar, chord / 3, at)
            place(drums, k, at, 0.6)  # double kick on every sixteenth
        place(drums, s, b * beat, 0.8 if b % 2 else 0.0)
        place(drums, h, b * beat + 2 * sixteenth, 0.5)
    return {"guitar": guitar, "drums": drums}


def country(song: Song) -> dict[str, np.ndarray]:
    """Steel-string strums over boom-chick bass, I-IV-V in a major key, brushed snare."""
    rng, beat, sr = song.rng, song.beat, song.sr
    progression = [[0, 5, 7, 0], [0, 0, 5, 7], [0, 7, 5, 0]][rng.integers(3)]
    strums, bass, drums = song.new(), song.new(), song.new()
    s = song.kit[1][: int(0.12 * sr)] * 0.5
    for b in song.beats():
        root = song.key + progression[(b // 4) % 4]
        if b % 2 == 0:  # boom: bass on the root, then the fifth
            interval = 0 if b % 4 == 0 else 7
            place(bass, pluck(midi_hz(root - 24 + interval), beat, sr, 0.5, 3), b * beat, 0.6)
        else:  # chick: a quick down-strum of the major chord, strings a few ms apart
            for i, iv in enumerate((0, 4, 7, 12, 16)):
                note = song.voice(midi_hz(root + iv), 2 * beat)
                place(strums, note, b * beat + i * int(0.012 * sr), 0.18)
            place(drums, s, b * beat, 0.6)
    return {"strums": strums, "bass": bass, "drums": drums}


def hiphop(song: Song) -> dict[str, np.ndarray]:
    """Boom-bap drums, a long sub-bass, and a sparse filtered minor-seventh loop."""
    rng, beat, sr = song.rng, song.beat, song.sr
    drums, sub, loop = song.new(), song.new(), song.new()
    k, s, h = song.kit
    swing = rng.uniform(0.5, 0.62)
    kick_pattern = [[0, 2.5], [0, 1.75, 2.5], [0, 0.75, 2.5]][rng.integers(3)]
    minor7 = [0, 3, 7, 10]
    for bar in range(song.n // (4 * beat) + 1):
        start = bar * 4 * beat
        for when in kick_pattern:
            place(drums, k, start + int(when * beat), 0.9)
        for when in (1, 3):
            place(drums, s, start + when * beat, 0.8)
        for eighth in range(8):
            place(drums, h, start + int((eighth // 2 + swing * (eighth % 2)) * beat), 0.35)
        root = song.key + [0, 0, -4, -2][bar % 4]
        t = np.arange(4 * beat) / sr
        glide = midi_hz(root - 24) * (1 + 0.05 * np.exp(-t * 20))
        place(sub, np.sin(2 * np.pi * np.cumsum(glide) / sr) * np.exp(-t * 0.8), start, 0.8)
        if rng.random() < 0.7:  # sparse: the stab skips some bars
            stab = sum(song.voice(midi_hz(root + iv), beat) for iv in minor7)
            place(loop, stab, start + int(rng.choice([0, 1.5, 2]) * beat), 0.12)
    return {"drums": drums, "sub": sub, "loop": loop}


GENRE_RENDERERS: dict[str, Callable[[Song], dict[str, np.ndarray]]] = {
    "blues": blues,
    "metal": metal,
    "country": country,
    "hiphop": hiphop,
}
TEMPO_RANGES = {"blues": (60, 100), "metal": (140, 200), "country": (90, 130), "hiphop": (80, 100)}
KEY_RANGES = {"blues": (52, 64), "metal": (50, 58), "country": (55, 67), "hiphop": (53, 63)}


# ----------------------------------------------------------------------------------------------
# Production: mix, EQ, room, background noise, loudness
# ----------------------------------------------------------------------------------------------


def produce(stems: dict[str, np.ndarray], sr: int, rng: np.random.Generator) -> np.ndarray:
    """Mix stems at random levels, then random EQ, room, background noise and loudness."""
    mix = sum(stem * 10 ** (rng.uniform(-12, 3) / 20) for stem in stems.values())
    mix = mix + drone(mix.size, sr, rng) * np.sqrt(np.mean(mix**2)) * rng.uniform(0, 0.7)
    mix = random_eq(mix, sr, rng)
    mix = room(mix, sr, rng)
    rms = np.sqrt(np.mean(mix**2)) + 1e-9
    noise = colored_noise(mix.size, rng, rng.choice(["white", "pink", "brown"]))
    mix = mix / rms + noise * 10 ** (-rng.uniform(12, 40) / 20)
    return normalize(mix, rng.uniform(-26, -14))


def drone(n: int, sr: int, rng: np.random.Generator) -> np.ndarray:
    """A genre-neutral distractor: a slowly swelling pad on a random pitch, unit RMS."""
    t = np.arange(n) / sr
    freq = midi_hz(rng.uniform(40, 76))
    pad = sum(np.sin(2 * np.pi * freq * h * t + rng.uniform(0, 2 * np.pi)) / h for h in (1, 2, 3))
    pad *= 1 + 0.8 * np.sin(2 * np.pi * rng.uniform(0.05, 0.3) * t)
    return pad / np.sqrt(np.mean(pad**2))


def random_eq(x: np.ndarray, sr: int, rng) -> np.ndarray:
    """A random low shelf (+-10 dB) and high cut: different 'recordings' of the same music."""
    low = scipy.signal.butter(2, rng.uniform(150, 400), "low", fs=sr, output="sos")
    high = scipy.signal.butter(
        2, rng.uniform(1000, min(9000, 0.45 * sr)), "low", fs=sr, output="sos"
    )
    shelf = scipy.signal.sosfilt(low, x) * (10 ** (rng.uniform(-10, 10) / 20) - 1)
    return scipy.signal.sosfilt(high, x + shelf) * rng.uniform(0.4, 1) + x * rng.uniform(0, 0.6)


def room(x: np.ndarray, sr: int, rng) -> np.ndarray:
    """Convolve with exponentially decaying noise: a room of random size and wetness."""
    rt60 = rng.uniform(0.1, 1.2)
    t = np.arange(int(rt60 * sr)) / sr
    ir = rng.standard_normal(t.size) * np.exp(-6.9 * t / rt60)
    wet = scipy.signal.fftconvolve(x, ir)[: x.size]
    wet *= np.sqrt(np.mean(x**2) / (np.mean(wet**2) + 1e-12))
    mix = rng.uniform(0.05, 0.5)
    return (1 - mix) * x + mix * wet


def colored_noise(n: int, rng: np.random.Generator, kind: str) -> np.ndarray:
    """White, pink (1/f power) or brown (1/f^2) noise, unit RMS."""
    white = rng.standard_normal(n)
    if kind == "white":
        noise = white
    else:
        spectrum = np.fft.rfft(white)
        f = np.arange(spectrum.size) + 1.0
        spectrum /= np.sqrt(f) if kind == "pink" else f
        noise = np.fft.irfft(spectrum, n)
    return noise / (np.sqrt(np.mean(noise**2)) + 1e-12)


def normalize(x: np.ndarray, rms_db: float, peak: float = 0.98) -> np.ndarray:
    """Scale to ``rms_db`` dBFS RMS, then lower further if needed so nothing clips."""
    x = x * 10 ** (rms_db / 20) / (np.sqrt(np.mean(x**2)) + 1e-12)
    return x * min(1.0, peak / (np.abs(x).max() + 1e-12))


def render_genre_track(genre: str, index: int, config: GenreCorpusConfig) -> np.ndarray:
    """One track of ``genre`` (float32, mono), fully determined by (seed, genre, index)."""
    rng = np.random.default_rng([config.seed, GENRES.index(genre), index, CORPUS_VERSION])
    song = Song(
        sr=config.sample_rate,
        n=int(config.seconds * config.sample_rate),
        bpm=rng.uniform(*TEMPO_RANGES[genre]),
        key=int(rng.integers(*KEY_RANGES[genre])),
        rng=rng,
    )
    stems = GENRE_RENDERERS[genre](song)
    return produce(stems, config.sample_rate, rng).astype(np.float32)


# ----------------------------------------------------------------------------------------------
# Speech-like sources and noises for the denoise corpus
# ----------------------------------------------------------------------------------------------

# Formant targets (F1, F2, F3 in Hz) of a few vowels.
VOWELS = np.array(
    [[730, 1090, 2440], [270, 2290, 3010], [300, 870, 2240], [530, 1840, 2480], [570, 840, 2410]]
)


def speech_like(n: int, sr: int, rng: np.random.Generator) -> np.ndarray:
    """Babble-free 'speech': a glottal pulse train through moving formant resonators, shaped
    into syllables (3-6 per second) with a falling pitch contour and unvoiced noise bits."""
    t = np.arange(n) / sr
    f0_base = rng.uniform(90, 230)
    f0 = (
        f0_base * (1 + 0.15 * np.sin(2 * np.pi * rng.uniform(0.2, 0.6) * t)) * (1 - 0.1 * t / t[-1])
    )
    phase = np.cumsum(f0) / sr
    source = (np.diff(np.floor(phase), prepend=0) > 0).astype(float)  # one pulse per period
    source = scipy.signal.lfilter([1], [1, -0.95], source)  # glottal roll-off
    syllable_rate = rng.uniform(3, 6)
    syllables = (
        np.maximum(0, np.sin(2 * np.pi * syllable_rate * t + rng.uniform(0, 2 * np.pi))) ** 1.5
    )
    unvoiced = (rng.random(n // 800 + 1).repeat(800)[:n] < 0.15) * rng.standard_normal(n) * 0.3
    excitation = source * syllables + unvoiced * (1 - syllables)
    return formant_filter(excitation, sr, rng) * (0.2 + syllables)


def formant_filter(x: np.ndarray, sr: int, rng, block: int = 160) -> np.ndarray:
    """Three resonators whose frequencies glide between random vowel targets, block by block."""
    n_blocks = x.size // block + 1
    targets = VOWELS[rng.integers(len(VOWELS), size=n_blocks // 25 + 2)]
    positions = np.linspace(0, len(targets) - 1, n_blocks)
    tracks = np.stack(
        [np.interp(positions, np.arange(len(targets)), targets[:, i]) for i in range(3)], 1
    )
    out = np.zeros_like(x)
    states = [np.zeros(2) for _ in range(3)]
    for b in range(n_blocks):
        seg = x[b * block : (b + 1) * block]
        if not seg.size:
            break
        y = np.zeros_like(seg)
        for i, freq in enumerate(tracks[b] * rng.uniform(0.97, 1.03)):
            r = np.exp(-np.pi * (60 + 20 * i) / sr)
            a = [1, -2 * r * np.cos(2 * np.pi * freq / sr), r * r]
            part, states[i] = scipy.signal.lfilter([1 - r], a, seg, zi=states[i])
            y += part / (i + 1)
        out[b * block : b * block + seg.size] = y
    return out


def noise_signal(kind: str, n: int, sr: int, rng: np.random.Generator) -> np.ndarray:
    """One of ``NOISE_KINDS``, unit RMS."""
    if kind in ("white", "pink", "brown"):
        return colored_noise(n, rng, kind)
    t = np.arange(n) / sr
    if kind == "hum":
        mains = rng.choice([50.0, 60.0])
        x = sum(
            np.sin(2 * np.pi * h * mains * t + rng.uniform(0, 2 * np.pi)) / h**0.7
            for h in range(1, 9)
        )
        x = x + 0.05 * colored_noise(n, rng, "white")
    elif kind == "babble":
        x = sum(speech_like(n, sr, rng) for _ in range(int(rng.integers(4, 8))))
    else:  # bursts: non-stationary noise switching on and off
        gates = rng.random(n // 1600 + 1) < 0.4
        envelope = np.convolve(gates.repeat(1600)[:n].astype(float), np.hanning(400) / 200, "same")
        x = colored_noise(n, rng, rng.choice(["white", "pink"])) * envelope
        x = x + 0.01 * colored_noise(n, rng, "white")
    return x / (np.sqrt(np.mean(x**2)) + 1e-12)


def render_denoise_clip(index: int, config: DenoiseCorpusConfig) -> tuple[np.ndarray, ...]:
    """(clean, noise, noisy) for clip ``index``: speech-like or music, one noise kind, one SNR."""
    rng = np.random.default_rng([config.seed, 99, index, CORPUS_VERSION])
    n, sr = int(config.seconds * config.sample_rate), config.sample_rate
    if index % 3 == 2:  # a third music, two thirds speech-like
        genre = GENRES[index % 4]
        music = GenreCorpusConfig(seconds=config.seconds, seed=config.seed + 1000, sample_rate=sr)
        clean = render_genre_track(genre, index, music).astype(np.float64)
    else:
        clean = speech_like(n, sr, rng)
    clean = normalize(clean, rng.uniform(-28, -18), peak=0.5)
    noise = noise_signal(NOISE_KINDS[index % len(NOISE_KINDS)], n, sr, rng)
    snr = rng.uniform(*config.snr_db)
    noise *= np.sqrt(np.mean(clean**2) / 10 ** (snr / 10))
    noisy = clean + noise
    scale = min(1.0, 0.98 / np.abs(noisy).max())  # never clip: scale all three alike
    return tuple((x * scale).astype(np.float32) for x in (clean, noise, noisy))


# ----------------------------------------------------------------------------------------------
# Writing corpora
# ----------------------------------------------------------------------------------------------


def _write_genre_track(job: tuple[str, int, GenreCorpusConfig, str]) -> None:
    genre, index, config, out_dir = job
    wav = render_genre_track(genre, index, config)
    sf.write(
        Path(out_dir) / genre / f"{genre}.{index:05d}.wav",
        wav,
        config.sample_rate,
        subtype="PCM_16",
    )


def _write_denoise_clip(job: tuple[int, DenoiseCorpusConfig, str]) -> None:
    index, config, out_dir = job
    for part, wav in zip(
        ("clean", "noise", "noisy"), render_denoise_clip(index, config), strict=True
    ):
        sf.write(
            Path(out_dir) / part / f"clip{index:05d}.wav", wav, config.sample_rate, subtype="PCM_16"
        )


def _run(jobs: list, worker: Callable, desc: str, workers: int | None, progress: bool) -> None:
    workers = workers or min(len(jobs), os.cpu_count() or 1)
    bar = tqdm(total=len(jobs), desc=desc, unit="file", disable=not progress)
    if workers <= 1:
        for job in jobs:
            worker(job)
            bar.update()
    else:
        with ProcessPoolExecutor(workers) as pool:
            for _ in pool.map(worker, jobs, chunksize=2):
                bar.update()
    bar.close()


def _start(tmp: Path, parts, manifest: dict) -> None:
    """Sub-folders and the manifest of a corpus being written into ``tmp``."""
    for part in parts:
        (tmp / part).mkdir()
    (tmp / CORPUS_MARKER).write_text(json.dumps(manifest, indent=2))


def write_genre_corpus(
    out_dir: str | os.PathLike,
    config: GenreCorpusConfig = GenreCorpusConfig(),
    *,
    workers: int | None = None,
    progress: bool = True,
) -> Path:
    """Generate the genre corpus into ``out_dir`` (replaced whole, atomically)."""
    manifest = {"corpus": "genre", "version": CORPUS_VERSION, **asdict(config)}
    with atomic_folder(out_dir) as tmp:
        _start(tmp, GENRES, manifest)
        jobs = [(g, i, config, str(tmp)) for i in range(config.tracks_per_genre) for g in GENRES]
        _run(jobs, _write_genre_track, "generating genre corpus", workers, progress)
    return Path(out_dir)


def write_denoise_corpus(
    out_dir: str | os.PathLike,
    config: DenoiseCorpusConfig = DenoiseCorpusConfig(),
    *,
    workers: int | None = None,
    progress: bool = True,
) -> Path:
    """Generate the denoise corpus (``clean/``, ``noisy/``, ``noise/``) into ``out_dir``."""
    manifest = {
        "corpus": "denoise",
        "version": CORPUS_VERSION,
        **asdict(config),
        "noise_kinds": NOISE_KINDS,
    }
    with atomic_folder(out_dir) as tmp:
        _start(tmp, ("clean", "noise", "noisy"), manifest)
        jobs = [(i, config, str(tmp)) for i in range(config.clips)]
        _run(jobs, _write_denoise_clip, "generating denoise corpus", workers, progress)
    return Path(out_dir)


def _cached(name: str, config, writer: Callable) -> Path:
    manifest = {"version": CORPUS_VERSION, **asdict(config)}
    key = "-".join(f"{v}" for v in manifest.values()).replace(" ", "").replace(",", "_")
    folder = cache_root() / "corpora" / f"{name}-{key}"
    if not (folder / CORPUS_MARKER).exists():
        print(
            f"audiocnn: generating the built-in {name} corpus into {folder} (once)", file=sys.stderr
        )
        writer(folder, config)
    return folder


def builtin_genre_corpus(config: GenreCorpusConfig = GenreCorpusConfig()) -> Path:
    """The genre corpus in the user's cache, generated on first use."""
    return _cached("genre", config, write_genre_corpus)


def builtin_denoise_corpus(config: DenoiseCorpusConfig = DenoiseCorpusConfig()) -> Path:
    """The denoise corpus in the user's cache, generated on first use."""
    return _cached("denoise", config, write_denoise_corpus)


def plot_genre_examples(corpus_dir: str | os.PathLike, out_png: str | os.PathLike) -> Path:
    """Save the first track of each genre as waveform + log-mel spectrogram panels."""
    from audiocnn.audio import load_audio
    from audiocnn.data import scan_genre_folder
    from audiocnn.plots import plot_waveforms_and_spectrograms

    folder = scan_genre_folder(corpus_dir)
    signals, rate = {}, GENRE_SAMPLE_RATE
    for label, genre in enumerate(folder.labels):
        first = next(t for t in folder.tracks if t.label == label)
        wav, rate = load_audio(first.path)
        signals[f"{genre} ({first.path.name})"] = wav[0].numpy()
    return plot_waveforms_and_spectrograms(signals, rate, out_png)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m audiocnn.synth", description=__doc__.split("\n\n")[0]
    )
    sub = parser.add_subparsers(dest="corpus", required=True)
    genre = sub.add_parser("genre", help="the genre corpus, in GTZAN's layout")
    genre.add_argument("out_dir", type=Path)
    genre.add_argument(
        "--tracks",
        type=int,
        default=GenreCorpusConfig.tracks_per_genre,
        help="tracks per genre (default %(default)s)",
    )
    genre.add_argument("--seconds", type=float, default=GenreCorpusConfig.seconds)
    genre.add_argument("--seed", type=int, default=0)
    denoise = sub.add_parser("denoise", help="paired clean/ + noisy/ clips")
    denoise.add_argument("out_dir", type=Path)
    denoise.add_argument("--clips", type=int, default=DenoiseCorpusConfig.clips)
    denoise.add_argument("--seconds", type=float, default=DenoiseCorpusConfig.seconds)
    denoise.add_argument("--seed", type=int, default=0)
    picture = sub.add_parser("plot", help="waveform + spectrogram of one track per genre")
    picture.add_argument("corpus_dir", type=Path, help="a genre corpus folder")
    picture.add_argument("out_png", type=Path)
    args = parser.parse_args(argv)
    if args.corpus == "plot":
        print(f"wrote {plot_genre_examples(args.corpus_dir, args.out_png)}")
        return 0
    if args.corpus == "genre":
        out = write_genre_corpus(
            args.out_dir, GenreCorpusConfig(args.tracks, args.seconds, args.seed)
        )
    else:
        out = write_denoise_corpus(
            args.out_dir, DenoiseCorpusConfig(args.clips, args.seconds, seed=args.seed)
        )
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
