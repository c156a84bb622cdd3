"""Recipes: every value is checked against its field (type and range), one line naming the key,
and a partial table keeps the run's own defaults (issue 18, item 5)."""

import subprocess
import sys

import pytest

from audiocnn.config import ConfigError, RecipeError, load_recipe
from audiocnn.genre.pipeline import GenreRunConfig, check_window
from audiocnn.models import GenreCNNConfig, SeedGenreCNNConfig, model_of


def recipe(tmp_path, text: str):
    path = tmp_path / "r.toml"
    path.write_text(text)
    return path


def test_a_partial_table_keeps_the_runs_defaults_not_the_classes(tmp_path):
    run = load_recipe(recipe(tmp_path, "[train]\nbatch_size = 8\n"), GenreRunConfig)
    assert run.train.batch_size == 8
    assert run.train.epochs == GenreRunConfig().train.epochs == 20  # TrainConfig's own is 30
    assert run.data == GenreRunConfig().data


def test_integers_are_accepted_where_a_number_is_asked(tmp_path):
    path = recipe(tmp_path, "[train]\nlr = 1\n[data]\nsample_rate = 8000\n")
    run = load_recipe(path, GenreRunConfig)
    assert run.train.lr == 1.0 and isinstance(run.data.sample_rate, float)


@pytest.mark.parametrize(
    "text, key",
    [
        ('[train]\nepochs = "two"', "epochs"),
        ('[train]\nlr = "fast"', "lr"),
        ("[train]\nbatch_size = 0", "batch_size"),
        ('[train]\noptimizer = "adamz"', "optimizer"),
        ("[train]\nepochs = 0", "epochs"),
        ("[train]\nepochs = 2.5", "epochs"),
        ("[train]\nepochs = true", "epochs"),
        ("[train]\nmax_minutes = -1", "max_minutes"),
        ('[train]\nschedule = "linear"', "schedule"),
        ("[data]\nsample_rate = -5", "sample_rate"),
        ("[data]\ntest_size = 1.5", "test_size"),
        ('[data]\nsplit = "by-mood"', "split"),
        ('[data]\ngenres = "blues"', "genres"),
        ('[model]\nchannels = [32, "x"]', "channels"),
        ("[data]\nrandom_crop = 1", "random_crop"),
        ("[train]\nseed = -5", "seed"),
        ("[data]\nsplit_seed = 4294967296", "split_seed"),
    ],
)
def test_bad_values_are_refused_in_one_line_naming_file_and_key(tmp_path, text, key):
    path = recipe(tmp_path, text + "\n")
    with pytest.raises(RecipeError) as caught:
        load_recipe(path, GenreRunConfig)
    message = str(caught.value)
    assert str(path) in message and key in message and "\n" not in message


def test_a_window_the_network_cannot_take_is_refused():
    model = model_of(GenreCNNConfig(n_genres=3))
    check_window(model, 32768, 3)
    with pytest.raises(ConfigError, match="window_samples = 10"):
        check_window(model, 10, 3)
    seed = model_of(SeedGenreCNNConfig(n_genres=3))
    check_window(seed, 2**16, 3)
    with pytest.raises(ConfigError, match="window_samples = 131072"):
        check_window(seed, 2**17, 3)  # the notebook's network ends in exactly one step


@pytest.mark.parametrize(
    "args",
    [
        ["--recipe", "BAD"],
        ["--epochs", "0"],
        ["--batch-size", "0"],
        ["--max-minutes", "-2"],
        ["--seed", "-5"],
    ],
)
def test_the_cli_says_one_line_and_exits_2(tmp_path, args):
    args = [str(recipe(tmp_path, '[train]\nlr = "fast"\n')) if a == "BAD" else a for a in args]
    done = subprocess.run(
        [sys.executable, "-m", "audiocnn.genre", "train", *args, "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "Traceback" not in done.stderr
    assert not (tmp_path / "o").exists()
