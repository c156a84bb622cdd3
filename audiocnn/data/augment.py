"""On-the-fly augmentation of denoise training mixtures (seeded, numpy and torchaudio).

Each mixture can get a random speech level, its own spectral colour on the speech and on the
noise (dark and bright recordings), band-limited speech, a speed change, a synthetic room, a
procedural noise instead of a recorded one, or no noise at all. All of it is off by default, so
the recipes written before it reproduce.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torchaudio.functional as AF

from audiocnn.config import check
from audiocnn.data.windows import (
    keep_rms,
    random_colour,
    random_compressor,
    speed_change,
    through_gain,
)

PROCEDURAL = ("coloured", "hum", "babble", "bursts")
TONAL = ("engine", "siren", "beeps", "calls")
EARLY_SECONDS = 0.05  # the reverberant target keeps the direct sound and the first 50 ms


@dataclass(frozen=True)
class MixAugmentConfig:
    """The ``[augment]`` table of a denoise recipe (used when clean and noise are mixed)."""

    speech_level_db: tuple[float, ...] = ()  # [low, high]: the clean window's RMS in dBFS,
    # drawn uniformly (the mixture keeps the SNR); empty: the recording's own level
    tilt_db: float = 0.0  # a spectral tilt of up to this many dB per octave either way,
    # drawn independently for the speech and the noise (pivot 1 kHz)
    lowpass_probability: float = 0.0  # this share of the speech is band-limited ...
    lowpass_hz: tuple[float, ...] = (4000.0, 7000.0)  # ... at a cutoff drawn from this range
    speed: tuple[float, ...] = (1.0, 1.0)  # speed (and pitch) factor of the speech, uniform
    reverb_probability: float = 0.0  # this share gets a synthetic room (target: see below)
    reverb_seconds: tuple[float, ...] = (0.2, 0.8)  # its reverberation time (RT60), uniform
    clean_probability: float = 0.0  # this share has no noise at all (the input is the target)
    noise_only_probability: float = 0.0  # this share has no speech at all: the noise alone
    # (recorded, procedural or tonal as the rest), as loud as it would be under speech at
    # ``speech_level_db`` and an SNR from ``snr_db``; the target is silence. A voice that is not
    # speech must go when no one speaks (the default took 0.1 dB off screams heard alone and
    # 1.5 dB off animals, RNNoise 18 and 38 dB). Tried in session 31: it taught impacts heard
    # alone, not screams or animals, and cost speech; not shipped.
    procedural_probability: float = 0.0  # this share of the noise is procedural instead of
    # recorded: coloured noise of a random slope, mains hum with harmonics, babble of 3-6
    # other training utterances, or bursts
    snr_over_speech: bool = False  # the SNR against the power of the speech's own samples: a
    # clip shorter than the window is padded with silence, which lowers its power over the
    # window and so raises the SNR heard while it speaks (by 1.4 dB on average for the 39% of
    # the broad corpus's clips under 2 s, in 2 s windows); off: over the window, as before
    tonal_probability: float = 0.0  # this share of the noise is harmonic and not speech
    # instead (an engine, a siren, beeps, animal-like calls: :func:`tonal_noise`), what the
    # default lost most to RNNoise on at 0 dB (gap.py; its step did not ship, session 26)
    # What the network may otherwise learn by heart: the few hundred recorded noises
    # themselves (it removed tiled training sound effects far better than unseen ones, issue 16).
    noise_speed_probability: float = 0.0  # this share of the recorded noise is played faster
    # or slower (pitch, resonances and loop rate with it) ...
    noise_speed: tuple[float, ...] = (0.5, 2.0)  # ... by a factor drawn log-uniformly from this
    noise_peaks_probability: float = 0.0  # this share of the noise gets 1-3 random resonances
    noise_peaks_db: float = 12.0  # up to this many dB up or down, 1/3-1 1/2 octaves wide,
    # centred at 100 Hz-6 kHz
    noise_mix_probability: float = 0.0  # this share of the recorded noise has a second one
    # (another file, each augmented alike) added 0-10 dB below it
    noise_gate_probability: float = 0.0  # this share of the noise comes and goes: bursts of
    # 50-500 ms between gaps of 50 ms-1 s, 10-40 dB down (:func:`random_gate`); the SNR is set
    # on the gated noise, so the bursts are loud. A noise-floor tracker cannot follow them.
    # What a voice line from elsewhere may have been through (a microphone, a radio, a
    # broadcast chain); the target keeps it, as it keeps the tilt and the band-limit:
    speech_peaks_probability: float = 0.0  # this share of the speech gets 1-3 random
    speech_peaks_db: float = 6.0  # resonances or notches of up to this many dB
    highpass_probability: float = 0.0  # this share is high-passed (48 dB per octave) ...
    highpass_hz: tuple[float, ...] = (150.0, 400.0)  # ... below a cutoff drawn from this range
    compress_probability: float = 0.0  # this share goes through a random dynamic-range
    # compressor (ratio 2-8, threshold at the 30th-80th percentile of its 10 ms levels)
    # New voices out of the training ones: ``speed`` moves pitch and formants together; this
    # moves the formants (the vocal tract's length) alone, so the two vary independently.
    formant_probability: float = 0.0  # this share of the speech has its formants moved ...
    formant_shift: tuple[float, ...] = (0.85, 1.2)  # ... by a factor drawn log-uniformly

    def __post_init__(self) -> None:
        for name in (
            "speech_level_db",
            "lowpass_hz",
            "speed",
            "reverb_seconds",
            "tilt_db",
            "noise_speed",
            "noise_peaks_db",
            "speech_peaks_db",
            "highpass_hz",
            "formant_shift",
        ):
            value = getattr(self, name)
            values = value if isinstance(value, tuple) else (value,)
            check(all(math.isfinite(v) for v in values), f"{name} must be finite, got {value}")
        ranges = ("speech_level_db", "lowpass_hz", "speed", "reverb_seconds", "noise_speed")
        for name in (*ranges, "highpass_hz", "formant_shift"):
            value = getattr(self, name)
            check(
                len(value) in ((0, 2) if name == "speech_level_db" else (2,))
                and (not value or value[0] <= value[1]),
                f"{name} must be [low, high] with low <= high, got {list(value)}",
            )
        check(
            self.speed[0] > 0.5 and self.speed[1] < 2.0,
            f"speed must lie in 0.5-2, got {list(self.speed)}",
        )
        check(
            self.reverb_seconds[0] > 0 and self.reverb_seconds[1] <= 5,
            f"reverb_seconds must lie in (0, 5], got {list(self.reverb_seconds)}",
        )
        check(
            not self.speech_level_db or self.speech_level_db[1] <= 0,
            f"speech_level_db must be <= 0 dBFS, got {list(self.speech_level_db)}",
        )
        check(self.lowpass_hz[0] > 0, f"lowpass_hz must be > 0, got {list(self.lowpass_hz)}")
        check(self.tilt_db >= 0, f"tilt_db must be >= 0, got {self.tilt_db}")
        check(
            self.noise_speed[0] >= 0.25 and self.noise_speed[1] <= 4.0,
            f"noise_speed must lie in 0.25-4, got {list(self.noise_speed)}",
        )
        for name in ("noise_peaks_db", "speech_peaks_db"):
            check(getattr(self, name) >= 0, f"{name} must be >= 0, got {getattr(self, name)}")
        check(self.highpass_hz[0] > 0, f"highpass_hz must be > 0, got {list(self.highpass_hz)}")
        check(
            self.formant_shift[0] >= 0.5 and self.formant_shift[1] <= 2.0,
            f"formant_shift must lie in 0.5-2, got {list(self.formant_shift)}",
        )
        for name in (
            "lowpass_probability",
            "reverb_probability",
            "clean_probability",
            "noise_only_probability",
            "procedural_probability",
            "tonal_probability",
            "noise_speed_probability",
            "noise_peaks_probability",
            "noise_mix_probability",
            "noise_gate_probability",
            "speech_peaks_probability",
            "highpass_probability",
            "compress_probability",
            "formant_probability",
        ):
            value = getattr(self, name)
            check(0.0 <= value <= 1.0, f"{name} must be in [0, 1], got {value}")

    @property
    def active(self) -> bool:
        return self != MixAugmentConfig()


def room_response(
    rate: int, rt60: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """``(full, early)`` impulse responses of a synthetic room: a direct path, then
    exponentially decaying noise (-60 dB after ``rt60`` s) from 2.5 ms on; ``early`` is the
    first ``EARLY_SECONDS`` of it, the target that keeps the room's colour but not its tail."""
    n = int(rt60 * rate)
    t = np.arange(n) / rate
    tail = rng.standard_normal(n) * 10 ** (-3 * t / rt60)
    tail[: int(0.0025 * rate)] = 0.0
    full = tail * 0.3 / np.sqrt(np.sum(tail**2) + 1e-12)  # direct-to-reverberant about 10 dB
    full[0] = 1.0
    early = full[: int(EARLY_SECONDS * rate)].copy()
    return full, early


def procedural_noise(
    n: int, rate: int, rng: np.random.Generator, utterances: list[np.ndarray]
) -> np.ndarray:
    """One of ``PROCEDURAL``, unit RMS; babble sums 3-6 of ``utterances`` (other speakers;
    bursts when there are none). Hum and bursts are ``synth.speech.noise_signal``'s."""
    kind = PROCEDURAL[int(rng.integers(len(PROCEDURAL)))]
    if kind == "coloured":  # white noise with a slope of -6..+3 dB per octave
        spectrum = np.fft.rfft(rng.standard_normal(n))
        hz = np.maximum(np.fft.rfftfreq(n, 1 / rate), 20.0)
        x = np.fft.irfft(spectrum * (hz / 1000.0) ** (rng.uniform(-6, 3) / 6.02), n=n)
    elif kind == "babble" and utterances:
        count = int(rng.integers(3, 7))
        x = np.zeros(n)
        for k in rng.integers(len(utterances), size=count):
            u = utterances[k]
            start = int(rng.integers(len(u)))
            x += u[(start + np.arange(n)) % len(u)] / (np.std(u) + 1e-9)
    else:  # hum and bursts as the built-in corpus makes them (synth imports data: import here)
        from audiocnn.synth.speech import noise_signal

        x = noise_signal("bursts" if kind == "babble" else kind, n, int(rate), rng)
    return (x / (np.std(x) + 1e-12)).astype(np.float32)


def harmonics(f0: np.ndarray, amplitudes: np.ndarray, rate: int, rng) -> np.ndarray:
    """A harmonic sound on the fundamental ``f0`` (Hz, one value per sample): harmonic ``h``
    at ``amplitudes[h - 1]`` with a random phase, silent wherever it would pass 0.45 ``rate``."""
    phase = 2 * np.pi * np.cumsum(f0) / rate
    x = np.zeros(len(f0))
    for h, amplitude in enumerate(amplitudes, start=1):
        x += amplitude * np.sin(h * phase + rng.uniform(0, 2 * np.pi)) * (h * f0 < 0.45 * rate)
    return x


def wandering(n: int, rate: int, rng, low: float, high: float, depth: float, step: float):
    """A fundamental that starts log-uniformly in ``[low, high]`` Hz and glides between random
    points ``step`` seconds apart, each up to ``depth`` (a factor, e.g. 1.3) either way."""
    start = np.exp(rng.uniform(np.log(low), np.log(high)))
    points = max(2, int(n / rate / step) + 2)
    knots = start * np.exp(rng.uniform(-np.log(depth), np.log(depth), points))
    return np.interp(np.arange(n) / rate / step, np.arange(points), knots)


def tonal_noise(n: int, rate: int, rng: np.random.Generator) -> np.ndarray:
    """One of ``TONAL``, unit RMS: harmonic sounds that are not speech.

    - engine: a 20-120 Hz fundamental wandering by up to a third every 0.2-1 s, 10-40
      harmonics falling 3-9 dB an octave, under pink noise 10-25 dB down;
    - siren: a 300-1500 Hz tone swept up and down by 10-50%, 0.2-4 times a second, with 1-6
      harmonics;
    - beeps: a 400-3000 Hz tone of 1-4 harmonics, on for 50-500 ms and off for 50-500 ms;
    - calls (animals, screams): glides of 0.1-0.8 s from one 150-1000 Hz fundamental to
      another (up to an octave away), 3-15 harmonics under 1-3 random resonances, 0-0.5 s
      apart.
    """
    kind = TONAL[int(rng.integers(len(TONAL)))]
    t = np.arange(n) / rate
    if kind == "engine":
        f0 = wandering(n, rate, rng, 20.0, 120.0, 1.33, rng.uniform(0.2, 1.0))
        count = int(rng.integers(10, 41))
        tilt = rng.uniform(3.0, 9.0) / 6.02  # dB per octave -> exponent of h
        x = harmonics(f0, np.arange(1, count + 1) ** -tilt, rate, rng)
        from audiocnn.synth.speech import colored_noise  # synth imports data: import here

        rumble = colored_noise(n, rng, "pink")
        x += rumble * np.std(x) / (np.std(rumble) + 1e-12) * 10 ** (-rng.uniform(10, 25) / 20)
    elif kind == "siren":
        centre = np.exp(rng.uniform(np.log(300.0), np.log(1500.0)))
        sweep = rng.uniform(0.1, 0.5) * np.sin(2 * np.pi * rng.uniform(0.2, 4.0) * t)
        count = int(rng.integers(1, 7))
        x = harmonics(centre * (1 + sweep), 0.6 ** np.arange(count), rate, rng)
    elif kind == "beeps":
        f0 = np.full(n, np.exp(rng.uniform(np.log(400.0), np.log(3000.0))))
        x = harmonics(f0, 0.5 ** np.arange(int(rng.integers(1, 5))), rate, rng)
        on, off = rng.uniform(0.05, 0.5), rng.uniform(0.05, 0.5)
        gate = ((t % (on + off)) < on).astype(float)
        x *= np.convolve(gate, np.hanning(81) / np.hanning(81).sum(), "same")  # 5 ms edges
    else:  # calls
        x, start = np.zeros(n), int(rng.uniform(0, 0.3) * rate)
        while start < n:
            length = min(int(rng.uniform(0.1, 0.8) * rate), n - start)
            a = np.exp(rng.uniform(np.log(150.0), np.log(1000.0)))
            b = a * 2 ** rng.uniform(-1, 1)
            f0 = np.exp(np.linspace(np.log(a), np.log(b), length))
            call = harmonics(f0, rng.uniform(0.2, 1.0, int(rng.integers(3, 16))), rate, rng)
            x[start : start + length] = call * np.hanning(length)
            start += length + int(rng.uniform(0.0, 0.5) * rate)
        x = random_peaks(x, rate, rng, 12.0)
    return (x / (np.std(x) + 1e-12)).astype(np.float32)


def random_peaks(x: np.ndarray, rate: int, rng: np.random.Generator, peak_db: float) -> np.ndarray:
    """``x`` through 1-3 random resonances (or notches): bumps of up to ``peak_db`` dB either
    way on a log-frequency axis, 1/3-1 1/2 octaves wide (between the -6 dB points of the
    bump's own dB), centred at 100 Hz-6 kHz. The RMS is kept."""
    spectrum = np.fft.rfft(x)
    octaves = np.log2(np.maximum(np.fft.rfftfreq(len(x), 1 / rate), 20.0))
    gain_db = np.zeros_like(octaves)
    for _ in range(int(rng.integers(1, 4))):
        centre = rng.uniform(np.log2(100.0), np.log2(min(6000.0, rate / 2)))
        width = rng.uniform(1 / 3, 1.5) / 2.355  # full width at half height -> Gaussian sigma
        gain_db += rng.uniform(-peak_db, peak_db) * np.exp(-0.5 * ((octaves - centre) / width) ** 2)
    return through_gain(x, spectrum, gain_db)


def highpass(x: np.ndarray, rate: int, cutoff: float, slope_db: float = 48.0) -> np.ndarray:
    """``x`` high-passed at ``cutoff`` Hz, ``slope_db`` per octave below it (in the frequency
    domain, as :func:`random_colour` band-limits from above); the RMS is kept."""
    spectrum = np.fft.rfft(x)
    hz = np.maximum(np.fft.rfftfreq(len(x), 1 / rate), 1.0)
    return through_gain(x, spectrum, -slope_db * np.maximum(np.log2(cutoff / hz), 0.0))


def formant_shift(
    x: np.ndarray, rate: int, factor: float, max_db: float = 15.0, lifter_ms: float = 1.5
) -> np.ndarray:
    """``x`` with its formants moved ``factor`` times up in frequency and its pitch kept.

    Each 512-sample frame's (32 ms at 16 kHz) spectral envelope, its log-magnitude smoothed by
    keeping the cepstrum below ``lifter_ms`` (under the shortest pitch period), is read at
    ``f / factor`` instead of ``f``, and the frame is multiplied by the ratio of the two
    envelopes, at most ``max_db`` either way: a time-varying equaliser, so the phase and the
    harmonics stay. The RMS is kept."""
    n_fft, hop = 512, 128
    signal = torch.from_numpy(np.asarray(x, np.float32))
    window = torch.hann_window(n_fft)
    spectrum = torch.stft(signal, n_fft, hop, window=window, return_complex=True)  # (bins, T)
    log_magnitude = torch.log(spectrum.abs() + 1e-6)
    cepstrum = torch.fft.irfft(log_magnitude, n=n_fft, dim=0)
    keep = max(2, int(lifter_ms * 1e-3 * rate))
    cepstrum[keep : n_fft - keep + 1] = 0.0
    envelope = torch.fft.rfft(cepstrum, dim=0).real  # (bins, T)
    bins = envelope.shape[0]
    source = torch.clamp(torch.arange(bins, dtype=torch.float32) / factor, 0, bins - 1)
    low = source.floor().long()
    high = torch.clamp(low + 1, max=bins - 1)
    frac = (source - low)[:, None]
    moved = envelope[low] * (1 - frac) + envelope[high] * frac
    limit = max_db / 20 * math.log(10)
    gain = torch.exp(torch.clamp(moved - envelope, -limit, limit))
    out = torch.istft(spectrum * gain, n_fft, hop, window=window, length=len(signal)).numpy()
    return keep_rms(x, out)


def random_gate(x: np.ndarray, rate: int, rng: np.random.Generator) -> np.ndarray:
    """``x`` switched on and off: alternate bursts (50-500 ms) and gaps (50 ms-1 s, 10-40 dB
    down), each length log-uniform, the switches smoothed by a 2-20 ms Hann window; it starts
    in either."""
    n = len(x)
    envelope = np.empty(n)
    on, start = bool(rng.random() < 0.5), 0
    while start < n:
        low, high = (0.05, 0.5) if on else (0.05, 1.0)
        length = max(1, int(rate * np.exp(rng.uniform(np.log(low), np.log(high)))))
        envelope[start : start + length] = 1.0 if on else 10 ** (-rng.uniform(10, 40) / 20)
        on, start = not on, start + length
    window = np.hanning(max(3, int(rate * rng.uniform(0.002, 0.02))))
    if len(window) <= n:  # soft edges ("same" would lengthen a signal shorter than the window)
        envelope = np.convolve(envelope, window / window.sum(), mode="same")
    return (x * envelope).astype(np.float32)


def recorded_noise(
    track: np.ndarray, n: int, rate: int, rng: np.random.Generator, config: MixAugmentConfig
) -> np.ndarray:
    """``n`` samples of a recorded noise from a random offset (tiled when it is shorter), played
    faster or slower with ``noise_speed_probability`` (``noise_speed``, log-uniform)."""
    factor = 1.0
    if config.noise_speed_probability and rng.random() < config.noise_speed_probability:
        low, high = np.log(config.noise_speed[0]), np.log(config.noise_speed[1])
        factor = float(np.exp(rng.uniform(low, high)))
    length = int(np.ceil(n * factor)) + 1 if factor != 1.0 else n
    segment = track[(int(rng.integers(len(track))) + np.arange(length)) % len(track)]
    return speed_change(segment, factor, n) if factor != 1.0 else segment


def augment_speech(
    speech: np.ndarray, rate: int, rng: np.random.Generator, config: MixAugmentConfig
) -> tuple[np.ndarray, np.ndarray]:
    """``(speech as heard, target)``: formants, colour, band-limit and room applied to a clean
    window. Without a room the target is the coloured speech itself; with one it is the speech
    through the room's first 50 ms (its colour stays, its tail goes)."""
    speech = speech.astype(np.float32)
    if config.formant_probability and rng.random() < config.formant_probability:
        low, high = np.log(config.formant_shift[0]), np.log(config.formant_shift[1])
        speech = formant_shift(speech, rate, float(np.exp(rng.uniform(low, high))))
    if config.tilt_db or config.lowpass_probability:
        low, high = config.lowpass_hz
        speech = random_colour(
            speech,
            rate,
            rng,
            tilt_db=config.tilt_db,
            lowpass_probability=config.lowpass_probability,
            lowpass_hz=(low, high),
            lowpass_slope_db=48.0,
        )
    if config.speech_peaks_probability and rng.random() < config.speech_peaks_probability:
        speech = random_peaks(speech, rate, rng, config.speech_peaks_db)
    if config.highpass_probability and rng.random() < config.highpass_probability:
        speech = highpass(speech, rate, rng.uniform(*config.highpass_hz))
    if config.compress_probability and rng.random() < config.compress_probability:
        speech = random_compressor(speech, rate, rng)
    if rng.random() >= config.reverb_probability:
        return speech, speech
    full, early = room_response(rate, rng.uniform(*config.reverb_seconds), rng)
    heard = AF.fftconvolve(torch.from_numpy(speech), torch.from_numpy(full.astype(np.float32)))
    target = AF.fftconvolve(torch.from_numpy(speech), torch.from_numpy(early.astype(np.float32)))
    n = len(speech)
    return heard[:n].numpy(), target[:n].numpy()
