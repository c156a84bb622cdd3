"""The genre corpus's music: instruments, a song per genre, and its production."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.signal

from audiocnn.synth.base import CORPUS_VERSION, GENRES, GenreCorpusConfig

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
