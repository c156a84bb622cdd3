"""Property-based tests of every entry point that reads a file a user hands us: the audio
loader, the dataset scan and split, the recipe parser and the checkpoint loader. Random and
mutated inputs either work or raise audiocnn's own error, one line naming the path.

Examples per test: 200 in CI (the ``ci`` profile in conftest.py); ``HYPOTHESIS_PROFILE=long``
runs 10,000 each.
"""

import functools
import io
import itertools
import json
import math
import warnings
from dataclasses import asdict
from pathlib import Path

import numpy as np
import soundfile as sf
import torch
from hypothesis import event, given
from hypothesis import strategies as st

from audiocnn import checkpoint
from audiocnn.audio import AudioError, audio_info, load_audio, read_blocks
from audiocnn.config import ConfigError, load_recipe
from audiocnn.data import DataError, scan_genre_folder, split_tracks
from audiocnn.denoise.pipeline import DenoiseRunConfig
from audiocnn.denoise.stream import denoise_array
from audiocnn.genre import predict as genre_predict
from audiocnn.genre.pipeline import GenreRunConfig
from audiocnn.models import GenreCNNConfig, SeedFIRDenoiserConfig, model_of

_counter = itertools.count()


def fresh(tmp_path: Path) -> Path:
    """A new folder per example (tmp_path is shared by all examples of a test)."""
    folder = tmp_path / f"ex{next(_counter)}"
    folder.mkdir()
    return folder


def one_line(error: Exception, path: Path) -> None:
    assert str(path) in str(error) and "\n" not in str(error), str(error)


# --- audio files ----------------------------------------------------------------------------

FORMATS = {  # name: (format, subtype, ending)
    "wav16": ("WAV", "PCM_16", ".wav"),
    "wavfloat": ("WAV", "FLOAT", ".wav"),
    "flac": ("FLAC", "PCM_16", ".flac"),
    "ogg": ("OGG", "VORBIS", ".ogg"),
    "aiff": ("AIFF", "PCM_24", ".aiff"),
    "au": ("AU", "PCM_16", ".au"),
    "mp3": ("MP3", "MPEG_LAYER_III", ".mp3"),
}


@functools.lru_cache
def valid_audio(name: str) -> bytes:
    fmt, subtype, _ = FORMATS[name]
    buffer = io.BytesIO()
    wav = 0.3 * np.sin(np.arange(4000) / 7).astype(np.float32)
    sf.write(buffer, np.stack([wav, -wav], 1), 16000, format=fmt, subtype=subtype)
    return buffer.getvalue()


@st.composite
def mutated(draw, original: bytes) -> bytes:
    data = bytearray(original)
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["flip", "cut", "insert", "zero"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if kind == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif kind == "cut":
            data = data[:at]
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=64))
        else:
            span = draw(st.integers(1, 64))
            data[at : at + span] = bytes(len(data[at : at + span]))
    return bytes(data)


@st.composite
def audio_files(draw) -> tuple[str, bytes]:
    name = draw(st.sampled_from(sorted(FORMATS)))
    if draw(st.integers(0, 9)) == 0:
        return name, draw(st.binary(max_size=2000))
    return name, draw(mutated(valid_audio(name)))


@given(case=audio_files())
def test_audio_readers_read_or_raise_audio_error(tmp_path, case):
    name, content = case
    path = fresh(tmp_path) / f"input{FORMATS[name][2]}"
    path.write_bytes(content)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            info = audio_info(path)
            wav, rate = load_audio(path, 8000, mono=False)
            blocks = list(read_blocks(path, 1000))
        except AudioError as error:
            one_line(error, path)
            event(f"refused: {error.problem.split(' (')[0]}")
            return
    event("read")
    assert wav.dtype == torch.float32 and torch.isfinite(wav).all() and rate == 8000
    assert wav.shape[0] == info.channels
    assert all(np.isfinite(b).all() and b.shape[1] == info.channels for b in blocks)


# --- dataset folders --------------------------------------------------------------------------

NAMES = ["blues", "metal", "jazz", "__MACOSX", ".hidden", "sub", "a b", "ünï"]
ENDINGS = [".wav", ".flac", ".au", ".txt", ".WAV", ""]


@st.composite
def trees(draw) -> list[tuple[str, str]]:
    """Relative paths, each with what to put there: audio, junk bytes, nothing, a folder."""
    entries = []
    genres = st.sampled_from(NAMES[:3])
    for _ in range(draw(st.integers(0, 30))):
        depth = draw(st.sampled_from([1, 2, 2, 2, 2, 3]))
        parts = [draw(st.one_of(genres, genres, st.sampled_from(NAMES))) for _ in range(depth - 1)]
        stem = draw(st.sampled_from(["x", "blues.00001", "._x", "take"])) + str(len(entries))
        parts.append(stem + draw(st.sampled_from(ENDINGS[:3] * 3 + ENDINGS[3:])))
        kind = draw(st.sampled_from(["audio"] * 5 + ["junk", "empty", "dir"]))
        entries.append(("/".join(parts), kind))
    return entries


def build(root: Path, entries) -> None:
    for relative, kind in entries:
        path = root / relative
        if any(p.is_file() for p in [path, *path.parents] if root in p.parents):
            continue  # a name already taken by a file
        if kind == "dir":
            path.mkdir(parents=True, exist_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_dir():
            continue
        if kind == "audio":
            path.write_bytes(valid_audio("wav16"))
        else:
            path.write_bytes(b"" if kind == "empty" else b"RIFF\x10\x00\x00\x00WAVEjunk")


@given(
    entries=trees(),
    method=st.sampled_from(["auto", "stratified", "random", "gtzan"]),
    test_size=st.sampled_from([0.2, 0.25, 0.5]),
    val_size=st.sampled_from([0.0, 0.25, 0.5]),
)
def test_dataset_scan_and_split_work_or_raise_data_error(
    tmp_path, entries, method, test_size, val_size
):
    root = fresh(tmp_path)
    build(root, entries)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            folder = scan_genre_folder(root)
            parts = split_tracks(folder, method=method, test_size=test_size, val_size=val_size)
        except DataError as error:
            assert str(root) in str(error) and "\n" not in str(error), str(error)
            event(f"refused: {str(error).split(': ', 1)[1][:30]}")
            return
    event("split")
    assert all(not part.startswith((".", "__MACOSX")) for part in folder.labels)
    used = [t.path for ts in parts.values() for t in ts]
    assert len(used) == len(set(used)) and set(used) <= {t.path for t in folder.tracks}
    assert not any(p.name.startswith(".") or "__MACOSX" in p.parts for p in used)


# --- recipes ----------------------------------------------------------------------------------

FIELDS = {
    section: list(asdict(getattr(run(), section)))
    for run in (GenreRunConfig, DenoiseRunConfig)
    for section in asdict(run())
}
toml_values = st.recursive(
    st.one_of(
        st.integers(-(2**63), 2**63 - 1),
        st.floats(allow_nan=True, allow_infinity=True),
        st.booleans(),
        st.text(max_size=12),
    ),
    lambda inner: st.lists(inner, max_size=4),
    max_leaves=6,
)


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return (
            "nan"
            if math.isnan(value)
            else ("inf" if value > 0 else "-inf")
            if math.isinf(value)
            else repr(value)
        )
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return str(value)


@st.composite
def recipes(draw) -> str:
    lines = []
    sections = st.sampled_from([*FIELDS, *FIELDS, "bogus"])
    for section in draw(st.lists(sections, max_size=4, unique=True)):
        lines.append(f"[{section}]")
        keys = FIELDS.get(section, []) * 4 + ["wings"]
        for key in draw(st.lists(st.sampled_from(keys), max_size=5, unique=True)):
            lines.append(f"{key} = {toml_value(draw(toml_values))}")
    text = "\n".join(lines) + "\n"
    if draw(st.integers(0, 4)) == 0:  # and now and then, damage the text itself
        text = draw(mutated(text.encode())).decode("utf-8", "replace")
    return text


@given(text=recipes(), run=st.sampled_from([GenreRunConfig, DenoiseRunConfig]))
def test_recipes_load_or_raise_config_error(tmp_path, text, run):
    path = fresh(tmp_path) / "recipe.toml"
    path.write_text(text)
    try:
        config = load_recipe(path, run)
    except ConfigError as error:
        assert "\n" not in str(error), str(error)
        event(f"refused: {type(error).__name__}")
        return
    event("loaded")
    assert isinstance(config, run)


# --- checkpoints ------------------------------------------------------------------------------


@functools.lru_cache
def valid_checkpoint(task: str) -> dict:
    torch.manual_seed(0)
    if task == "genre":
        model = model_of(GenreCNNConfig(channels=(4, 4)))
        extra = {"labels": ["a", "b", "c", "d"], "window_samples": 512, "eval_hop": 0.5}
        config = asdict(GenreCNNConfig(channels=(4, 4)))
        name = "GenreCNN"
    else:
        config = asdict(SeedFIRDenoiserConfig())
        model, extra, name = model_of(SeedFIRDenoiserConfig()), {}, "SeedFIRDenoiser"
    return {
        "task": task,
        "model_name": name,
        "model_config": config,
        "state_dict": model.state_dict(),
        "sample_rate": 8000,
        **extra,
    }


junk_values = st.one_of(
    st.none(),
    st.integers(-5, 10**6),
    st.floats(allow_nan=True),
    st.text(max_size=8),
    st.lists(st.integers(-3, 3), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
    st.builds(lambda shape: torch.zeros(shape), st.lists(st.integers(0, 3), max_size=3)),
)


@st.composite
def checkpoint_states(draw, task: str) -> dict:
    state = dict(valid_checkpoint(task))
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["drop", "replace", "config", "weights"]))
        if kind == "drop" and state:
            state.pop(draw(st.sampled_from(sorted(state))))
        elif kind == "replace" and state:
            state[draw(st.sampled_from(sorted(state)))] = draw(junk_values)
        elif kind == "config" and isinstance(state.get("model_config"), dict):
            config = dict(state["model_config"])
            key = draw(st.sampled_from([*sorted(config), "wings"]))
            config[key] = draw(junk_values)
            state["model_config"] = config
        elif isinstance(state.get("state_dict"), dict) and state["state_dict"]:
            weights = dict(state["state_dict"])
            key = draw(st.sampled_from(sorted(weights)))
            weights[key] = draw(junk_values)
            state["state_dict"] = weights
    return state


@given(data=st.data(), task=st.sampled_from(["genre", "denoise"]))
def test_checkpoints_load_or_raise_checkpoint_error(tmp_path, data, task):
    path = fresh(tmp_path) / "model.pt"
    how = data.draw(st.sampled_from(["state", "bytes", "random"]))
    if how == "state":
        checkpoint.save(path, data.draw(checkpoint_states(task)))
    else:
        checkpoint.save(path, valid_checkpoint(task))
        damaged = data.draw(mutated(path.read_bytes()))
        path.write_bytes(damaged if how == "bytes" else data.draw(st.binary(max_size=3000)))
    try:
        model, state = checkpoint.load_model(path, task)
    except checkpoint.CheckpointError as error:
        one_line(error, path)
        event(f"refused: {str(error).split(': ', 1)[1][:28]}")
        return
    event("loaded and ran")
    assert state["task"] == task and not model.training
    noise = torch.randn(1, 3000) * 0.1  # what loads must also run
    if task == "genre":
        probs = genre_predict.classify(model, state, noise)
        assert len(probs) == len(state["labels"]) and torch.isfinite(probs).all()
    else:
        assert denoise_array(model, noise, 8000, state["sample_rate"]).shape == noise.shape
