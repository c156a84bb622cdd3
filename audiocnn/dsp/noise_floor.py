"""Streaming noise-floor and level tracking over frames of band powers: what a classical
suppressor (spectral subtraction, minimum statistics) knows about the noise, for a network.

Both trackers are causal and carry their state from block to block, so a signal cut into
blocks gives the same result as the whole signal, and both are vectorised over frames (a
cumulative minimum and a cumulative sum instead of a loop).
"""

from __future__ import annotations

import torch


def noise_floor(
    power: torch.Tensor,
    state: tuple[torch.Tensor, torch.Tensor] | None = None,
    *,
    rise: float,
    smooth_frames: int = 4,
) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
    """The log noise floor of each band: a minimum that follows falls at once and rises
    ``rise`` (natural log units) per frame at most.

    Each band's power is first averaged over its last ``smooth_frames`` frames (``s``), then
    ``floor[t] = min(s[t], floor[t - 1] + rise)``, which unrolls to
    ``floor[t] = min over j <= t of (s[j] + rise * (t - j))``: a cumulative minimum.
    Speech pauses pull the floor down to the noise; the slow rise lets it follow noise that
    grows, and keeps it below the speech, which rarely holds a band for long.
    Shape:
        ``power (batch, frames, bands)`` (linear, >= 0) -> ``(batch, frames, bands)``
    """
    if state is None:  # before the signal: as if its first frame had always been there
        first = power[:, :1].expand(-1, smooth_frames - 1, -1)
        state = (first, None)
    history, previous = state
    joined = torch.cat([history, power], 1)
    if not power.shape[1]:
        return power, state
    smoothed = joined.unfold(1, smooth_frames, 1).mean(-1)  # (batch, frames, bands)
    s = torch.log(smoothed + 1e-10)
    steps = torch.arange(s.shape[1], device=s.device, dtype=s.dtype)[None, :, None] * rise
    lowest = torch.cummin(s - steps, dim=1).values
    if previous is not None:
        lowest = torch.minimum(lowest, (previous + rise)[:, None])
    floor = lowest + steps
    return floor, (joined[:, joined.shape[1] - (smooth_frames - 1) :], floor[:, -1])


def running_level(
    power: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor] | None = None
) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
    """The log of the mean frame power so far (the level of the utterance heard up to each
    frame): loud parts set it, silence barely moves it.

    Shape:
        ``power (batch, frames)`` -> ``(batch, frames)``
    """
    if state is None:
        state = (
            power.new_zeros(power.shape[0], dtype=torch.float64),
            power.new_zeros((), dtype=torch.float64),
        )
    total, count = state
    sums = torch.cumsum(power.double(), 1) + total[:, None]
    counts = count + torch.arange(1, power.shape[1] + 1, device=power.device, dtype=torch.float64)
    level = torch.log(sums / counts + 1e-10).to(power.dtype)
    if not power.shape[1]:
        return level, state
    return level, (sums[:, -1], counts[-1])
