"""How much of a recording is voiced: frames with a clear pitch, the mark of a voice (or of a
call, a cry, an alarm) as against hiss, impacts and engines.

``pitch_strength`` is each frame's highest normalised autocorrelation at a lag of one pitch
period (60-400 Hz), computed for all frames at once through one batched FFT;
``voiced_share`` is the share of a recording's active frames (within 40 dB of its loudest)
whose pitch strength is above one half. The clean-speech rule of the denoise recipes
(``recipes/denoise/sources.py``) keeps speech whose share is between 0.25 and 0.95. It does
not pick voices out of noise: half of the training noise files have a share of 0.25 or more
(music, hums, alarms, engines), and a third of the cries among them less (session 32).
"""

from __future__ import annotations

import numpy as np
import torch

FRAME_SECONDS = 0.032
HOP_SECONDS = 0.016
PITCH_HZ = (60.0, 400.0)
ACTIVE_DB = 40.0  # frames within this of the loudest count
VOICED_STRENGTH = 0.5  # a frame with a higher pitch strength is voiced


def frames_of(wav: np.ndarray | torch.Tensor, rate: int) -> torch.Tensor:
    """32 ms frames every 16 ms, float64; no frame when the signal is shorter than one.

    Shape:
        ``(time,)`` -> ``(frames, frame_samples)``
    """
    x = torch.as_tensor(np.asarray(wav, dtype=np.float64))
    frame, hop = int(FRAME_SECONDS * rate), int(HOP_SECONDS * rate)
    if len(x) < frame:
        return x.new_zeros(0, frame)
    return x.unfold(0, frame, hop)


def pitch_strength(frames: torch.Tensor, rate: int) -> torch.Tensor:
    """Each frame's highest normalised autocorrelation at lags of 2.5-16.7 ms (400-60 Hz);
    0 for a silent frame.

    Shape:
        ``(frames, frame_samples)`` -> ``(frames,)``
    """
    n = frames.shape[-1]
    x = frames - frames.mean(-1, keepdim=True)
    spectrum = torch.fft.rfft(x, 2 * n)
    r = torch.fft.irfft(spectrum.abs().square(), 2 * n)[..., :n]
    low, high = int(rate / PITCH_HZ[1]), min(int(rate / PITCH_HZ[0]), n - 1)
    best = r[..., low:high].amax(-1)
    energy = r[..., 0]
    return torch.where(energy > 0, best / energy.clamp_min(1e-300), torch.zeros_like(best))


def frame_energy_db(frames: torch.Tensor) -> torch.Tensor:
    """Each frame's mean square in dB. Shape: ``(frames, samples)`` -> ``(frames,)``"""
    return 10 * torch.log10(frames.square().mean(-1) + 1e-12)


def voiced_share(wav: np.ndarray | torch.Tensor, rate: int) -> float:
    """The share of active frames (within 40 dB of the loudest) whose pitch strength is above
    one half; 0 for a signal shorter than a frame."""
    frames = frames_of(wav, rate)
    if not len(frames):
        return 0.0
    energy = frame_energy_db(frames)
    active = frames[energy > energy.max() - ACTIVE_DB]
    return float((pitch_strength(active, rate) > VOICED_STRENGTH).double().mean())
