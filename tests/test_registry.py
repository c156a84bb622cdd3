"""The model registry: recipes pick an architecture by name, old checkpoints still load, and a
new architecture needs only its class, its config, a recipe and a test."""

from dataclasses import asdict, dataclass
from pathlib import Path

import pytest
import soundfile as sf
import torch
from torch import nn

from audiocnn import checkpoint
from audiocnn.config import RecipeError, load_recipe
from audiocnn.denoise import cli as denoise_cli
from audiocnn.denoise.pipeline import DenoiseRunConfig
from audiocnn.genre import cli as genre_cli
from audiocnn.genre.pipeline import GenreRunConfig
from audiocnn.models import (
    MODELS,
    GenreCNNConfig,
    GenreModelConfig,
    MaskFIRDenoiser,
    SeedGenreCNN,
    SeedGenreCNNConfig,
    SpectralMaskDenoiser,
    build_model,
    model_of,
)
from audiocnn.models.registry import register
from tests.conftest import tone, write_genre_tree
from tests.test_denoise_models import SMALL_SPECTRAL
from tests.test_genre import TINY_RECIPE


def legacy_denoiser(tmp_path) -> Path:
    """A denoise checkpoint as the first shipped weights were saved, before the registry:
    ``"FIRDenoiser"`` with ``arch = "spectral"`` and one flat config holding every design's
    keys (and none of the options added since)."""
    torch.manual_seed(0)
    model = model_of(SMALL_SPECTRAL)
    added = ("noise_floor_features", "noise_floor_rise_db", "level_normalise", "gain_floor_db")
    flat = {k: v for k, v in asdict(SMALL_SPECTRAL).items() if k not in added}
    flat |= {"arch": "spectral", "n_taps": [40, 40], "bands": 24, "delay": 127}
    path = tmp_path / "legacy.pt"
    checkpoint.save(
        path,
        {
            "task": "denoise",
            "model_name": "FIRDenoiser",
            "model_config": flat,
            "sample_rate": 16000,
            "state_dict": model.state_dict(),
        },
    )
    return path


def recipe(tmp_path, text):
    path = tmp_path / "r.toml"
    path.write_text(text)
    return path


def test_a_recipe_picks_the_architecture_by_name(tmp_path):
    run = load_recipe(recipe(tmp_path, '[model]\nname = "SeedGenreCNN"\n'), GenreRunConfig)
    assert run.model == SeedGenreCNNConfig() and isinstance(model_of(run.model), SeedGenreCNN)
    run = load_recipe(recipe(tmp_path, "[model]\ndropout = 0.1\n"), GenreRunConfig)
    assert run.model == GenreCNNConfig(dropout=0.1)  # no name: the run's default class


@pytest.mark.parametrize(
    "run, text, message",
    [
        (GenreRunConfig, 'name = "SeedGenreCNN"\nfront_kernel = 9', "unknown key(s) front_kernel"),
        (
            GenreRunConfig,
            'name = "Transformer"',
            "known genre models: BandGenreCNN, GenreCNN, SeedGenreCNN",
        ),
        (DenoiseRunConfig, 'name = "SeedFIRDenoiser"\nspectral_hidden = 8', "spectral_hidden"),
        (DenoiseRunConfig, 'name = "GenreCNN"', "known denoise models: MaskFIRDenoiser"),
    ],
)
def test_keys_of_another_architecture_and_unknown_names_are_refused(tmp_path, run, text, message):
    path = recipe(tmp_path, f"[model]\n{text}\n")
    with pytest.raises(RecipeError) as caught:
        load_recipe(path, run)
    assert message in str(caught.value) and str(path) in str(caught.value)


def test_checkpoints_from_before_the_registry_still_load(tmp_path):
    # "GenreCNN" with arch "seed" and one flat config: what genre runs stored before
    flat = {"arch": "seed", "n_genres": 4, "channels": [10, 10, 10, 10], "front_kernel": 64}
    assert isinstance(build_model("GenreCNN", flat), SeedGenreCNN)
    # "FIRDenoiser" with arch "mask" and the keys of every architecture
    legacy = {"arch": "mask", "bands": 6, "hidden": 5, "spectral_hidden": 8, "n_taps": [4]}
    assert isinstance(build_model("FIRDenoiser", legacy), MaskFIRDenoiser)
    # the first shipped weights were saved so, and load as the default architecture
    model, _ = checkpoint.load_model(legacy_denoiser(tmp_path), "denoise")
    assert isinstance(model, SpectralMaskDenoiser)


def test_a_checkpoint_config_of_the_wrong_type_is_refused(tmp_path):
    # found by test_fuzz: "delay": 3001.0 built a model whose streaming failed on a float
    state = {"n_taps": [4, 4], "n_features": [1, 3, 1], "delay": 3001.0}
    with pytest.raises(RecipeError, match="delay must be an integer, got 3001.0"):
        build_model("SeedFIRDenoiser", state)
    assert build_model("SeedFIRDenoiser", {**state, "delay": 3}).delay == 3


def test_old_and_new_names_of_the_same_weights_denoise_byte_identically(tmp_path):
    old = legacy_denoiser(tmp_path)
    state = torch.load(old, weights_only=True)
    model, _ = checkpoint.load_model(old, "denoise")
    renamed = {k: v for k, v in state.items() if k not in ("format_version", "versions")}
    renamed |= {"model_name": "SpectralMaskDenoiser", "model_config": asdict(model.config)}
    checkpoint.save(tmp_path / "new.pt", renamed)
    src = tmp_path / "in.wav"
    sf.write(src, tone(300, 2.0, 22050), 22050, subtype="PCM_16")
    for name, weights in (("old", old), ("new", tmp_path / "new.pt")):
        argv = [str(src), "-o", str(tmp_path / f"{name}.wav"), "--checkpoint", str(weights)]
        assert denoise_cli.main([*argv, "--quiet"]) == 0
    assert (tmp_path / "old.wav").read_bytes() == (tmp_path / "new.wav").read_bytes()


@dataclass(frozen=True)
class TinyGenreNetConfig(GenreModelConfig):
    width: int = 4  # features of the one convolution


class TinyGenreNet(nn.Module):
    """A third genre architecture, for this test only: one strided convolution, a mean."""

    def __init__(self, config: TinyGenreNetConfig) -> None:
        super().__init__()
        self.conv = nn.Conv1d(1, config.width, 16, stride=8)
        self.out = nn.Linear(config.width, config.n_genres)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(self.conv(x).relu().mean(-1))


@pytest.fixture
def tiny_architecture():
    register(TinyGenreNetConfig)(TinyGenreNet)
    yield
    del MODELS["TinyGenreNet"]


def test_a_new_architecture_needs_only_its_class_a_recipe_and_a_test(
    tmp_path, tiny_architecture, capsys
):
    root = write_genre_tree(tmp_path / "data", per_genre=4, seconds=1.0)
    text = TINY_RECIPE.replace(
        "[model]\nchannels = [8, 8, 12]\nfront_kernel = 16\nfront_stride = 4\n",
        '[model]\nname = "TinyGenreNet"\nwidth = 3\n',
    )
    path = recipe(tmp_path, text)
    out = tmp_path / "run"
    argv = ["train", "--data", str(root), "--recipe", str(path), "--out", str(out), "--quiet"]
    assert genre_cli.main(argv) == 0
    model, state = checkpoint.load_model(out / "best.pt", "genre")
    assert state["model_name"] == "TinyGenreNet" and isinstance(model, TinyGenreNet)
    assert model.conv.out_channels == 3
