"""Genre models, the shared training loop, and the CLI end to end on generated audio."""

import json

import numpy as np
import pytest
import soundfile as sf
import torch

from audiocnn import checkpoint, plots
from audiocnn.genre import cli
from audiocnn.metrics import track_predictions
from audiocnn.models import (
    GenreCNN,
    GenreCNNConfig,
    SeedGenreCNN,
    SeedGenreCNNConfig,
    build_model,
    count_parameters,
)
from tests.conftest import write_genre_tree

TINY_RECIPE = """
[data]
sample_rate = 4000
window_samples = 2048
windows_per_track = 2
eval_hop = 0.5
test_size = 0.25
val_size = 0.25

[model]
channels = [8, 8, 12]
front_kernel = 16
front_stride = 4

[train]
epochs = 2
batch_size = 8
lr = 0.01
"""


def test_seed_network_is_the_notebooks():
    model = SeedGenreCNN(SeedGenreCNNConfig(n_genres=4))
    # 4 convs (1->10, then 10->10, k=9, bias) and Linear(10, 4), as in the notebook's Net
    assert count_parameters(model) == (10 * 9 + 10) + 3 * (10 * 10 * 9 + 10) + (10 * 4 + 4)
    assert model(torch.zeros(3, 1, 2**16)).shape == (3, 4)
    with pytest.raises(ValueError, match="2\\*\\*16"):
        model(torch.zeros(1, 1, 2**17))


def test_default_network_size_and_any_length():
    model = GenreCNN(GenreCNNConfig())
    assert 100_000 < count_parameters(model) < 300_000
    model.eval()
    assert model(torch.zeros(2, 1, 16384)).shape == (2, 4)
    assert model(torch.zeros(1, 1, 5000)).shape == (1, 4)


def test_checkpoint_round_trip_gives_the_same_outputs(tmp_path):
    config = GenreCNNConfig(channels=(8, 8, 8))
    model = GenreCNN(config).eval()
    checkpoint.save(
        tmp_path / "m.pt",
        {
            "model_name": "GenreCNN",
            "model_config": {"channels": [8, 8, 8]},
            "state_dict": model.state_dict(),
        },
    )
    state = torch.load(tmp_path / "m.pt", weights_only=True)
    again = build_model(state["model_name"], state["model_config"]).eval()
    again.load_state_dict(state["state_dict"])
    x = torch.randn(2, 1, 3000)
    torch.testing.assert_close(again(x), model(x))


def test_track_prediction_is_the_mean_of_window_log_probs():
    log_probs = torch.log(torch.tensor([[0.9, 0.1], [0.2, 0.8], [0.3, 0.7], [0.6, 0.4]]))
    tracks = torch.tensor([0, 0, 1, 1])
    per_track = track_predictions(log_probs, tracks, 2)
    torch.testing.assert_close(per_track[0], (log_probs[0] + log_probs[1]) / 2)
    assert per_track.argmax(1).tolist() == [0, 1]


@pytest.fixture
def genre_tree(tmp_path):
    root = write_genre_tree(
        tmp_path / "genres", genres=("blues", "metal"), per_genre=4, seconds=2.0
    )
    # one track as Sun .au (GTZAN's original format), and one corrupt file
    wav, rate = sf.read(root / "metal" / "metal.00003.wav")
    (root / "metal" / "metal.00003.wav").unlink()
    sf.write(root / "metal" / "metal.00003.au", wav, rate, format="AU", subtype="PCM_16")
    (root / "blues" / "blues.00054.wav").write_bytes(b"RIFF\x10\x00\x00\x00WAVEjunk")
    recipe = tmp_path / "tiny.toml"
    recipe.write_text(TINY_RECIPE)
    return root, recipe


@pytest.mark.slow
def test_train_evaluate_predict_through_the_cli(genre_tree, tmp_path, capsys):
    root, recipe = genre_tree
    out = tmp_path / "run"
    with pytest.warns(UserWarning, match="blues.00054.wav"):
        code = cli.main(
            ["train", "--data", str(root), "--recipe", str(recipe), "--out", str(out), "--quiet"]
        )
    assert code == 0
    printed = capsys.readouterr().out
    assert "track-level accuracy" in printed and str(out / "best.pt") in printed
    for name in (
        "best.pt",
        "last.pt",
        "history.json",
        "history.png",
        "confusion.png",
        "metrics.json",
    ):
        assert (out / name).exists(), name
    state = torch.load(out / "best.pt", weights_only=True)
    assert state["labels"] == ["blues", "metal"] and state["sample_rate"] == 4000
    assert "track_accuracy" in state["metrics"]
    assert len(torch.load(out / "last.pt", weights_only=True)["history"]) == 2

    assert (
        cli.main(["evaluate", "--checkpoint", str(out / "best.pt"), "--data", str(root), "--json"])
        == 0
    )
    scores = json.loads(capsys.readouterr().out)
    assert (
        0 <= scores["track_accuracy"] <= 1 and np.sum(scores["confusion"]) == 8
    )  # the corrupt file skipped

    song = tmp_path / "song.flac"  # another format, rate and length than training
    sf.write(song, np.random.default_rng(0).standard_normal(30000) * 0.1, 11025)
    assert cli.main(["predict", str(song), "--run", str(out), "--json"]) == 0  # its best.pt
    result = json.loads(capsys.readouterr().out)[0]
    assert [t["genre"] for t in result["top"]] in (["blues", "metal"], ["metal", "blues"])
    assert sum(t["probability"] for t in result["top"]) == pytest.approx(1.0, abs=1e-3)


@pytest.mark.slow
def test_an_interrupted_run_resumes_to_the_same_weights(genre_tree, tmp_path, monkeypatch):
    root, recipe = genre_tree
    common = ["train", "--data", str(root), "--recipe", str(recipe), "--quiet", "--epochs", "3"]
    with pytest.warns(UserWarning):
        assert cli.main([*common, "--out", str(tmp_path / "straight")]) == 0
        real_plot = plots.plot_history

        def interrupt_after_two(history, path, *args):
            real_plot(history, path, *args)
            if len(history) == 2:
                raise KeyboardInterrupt  # as if Ctrl-C hit after epoch 2's checkpoints

        monkeypatch.setattr(plots, "plot_history", interrupt_after_two)
        assert cli.main([*common, "--out", str(tmp_path / "resumed")]) == 130
        monkeypatch.setattr(plots, "plot_history", real_plot)
        assert len(torch.load(tmp_path / "resumed" / "last.pt", weights_only=True)["history"]) == 2
        assert cli.main([*common, "--out", str(tmp_path / "resumed"), "--resume"]) == 0
    straight = torch.load(tmp_path / "straight" / "last.pt", weights_only=True)
    resumed = torch.load(tmp_path / "resumed" / "last.pt", weights_only=True)
    assert len(resumed["history"]) == 3
    for key, value in straight["state_dict"].items():
        torch.testing.assert_close(resumed["state_dict"][key], value)
    assert resumed["history"][-1]["train_loss"] == pytest.approx(
        straight["history"][-1]["train_loss"]
    )


@pytest.mark.slow
def test_resume_with_other_settings_is_refused(genre_tree, tmp_path, capsys):
    root, recipe = genre_tree
    common = ["train", "--data", str(root), "--recipe", str(recipe), "--quiet"]
    out = ["--out", str(tmp_path / "run")]
    with pytest.warns(UserWarning):
        assert cli.main([*common, *out, "--epochs", "1"]) == 0
        assert cli.main([*common, *out, "--epochs", "2", "--resume"]) == 2
    assert "changed: epochs" in capsys.readouterr().err


def small_genre_checkpoint(path):
    model = GenreCNN(GenreCNNConfig(channels=(8, 8)))
    checkpoint.save(
        path,
        {
            "task": "genre",
            "model_name": "GenreCNN",
            "model_config": {"channels": [8, 8]},
            "state_dict": model.state_dict(),
            "labels": list("abcd"),
            "sample_rate": 8000,
            "window_samples": 1000,
            "eval_hop": 0.5,
        },
    )
    return path


def test_predict_over_many_files_reports_each_bad_one_and_goes_on(tmp_path, capsys):
    # issue 18, item 11: one bad file made predict print nothing for the good ones.
    ckpt = small_genre_checkpoint(tmp_path / "m.pt")
    noise = np.random.default_rng(0).standard_normal(8000).astype(np.float32) * 0.1
    sf.write(tmp_path / "a.wav", noise, 8000)
    (tmp_path / "b.wav").write_bytes(np.random.default_rng(1).bytes(5000))
    sf.write(tmp_path / "c.wav", noise[:400], 8000)  # shorter than the window
    files = [str(tmp_path / n) for n in ("a.wav", "b.wav", "c.wav")]
    with pytest.warns(UserWarning, match="c.wav: 0.05 s is shorter than the model's window"):
        assert cli.main(["predict", *files, "--checkpoint", str(ckpt)]) == 2
    captured = capsys.readouterr()
    printed = captured.out.splitlines()
    assert [line.split(":")[0] for line in printed] == [files[0], files[2]]
    errors = [line for line in captured.err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "b.wav" in errors[0]
    assert captured.err.strip().endswith("2 done, 1 failed")
    with pytest.warns(UserWarning):
        assert cli.main(["predict", *files, "--checkpoint", str(ckpt), "--json"]) == 2
    results = json.loads(capsys.readouterr().out)
    assert ["top" in r for r in results] == [True, False, True] and "error" in results[1]


def test_bad_input_exits_2_with_one_line(tmp_path, capsys):
    (tmp_path / "notes.wav").write_text("not audio")
    small_genre_checkpoint(tmp_path / "m.pt")
    cases = [
        ["predict", str(tmp_path / "notes.wav"), "--checkpoint", str(tmp_path / "m.pt")],
        ["predict", str(tmp_path / "missing.wav"), "--checkpoint", str(tmp_path / "m.pt")],
        ["predict", str(tmp_path / "notes.wav"), "--checkpoint", str(tmp_path / "notes.wav")],
        ["evaluate", "--checkpoint", str(tmp_path / "m.pt"), "--data", str(tmp_path / "none")],
        ["train", "--data", str(tmp_path), "--recipe", str(tmp_path / "missing.toml")],
    ]
    for argv in cases:
        assert cli.main(argv) == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith("error: ") and "\n" not in err and str(tmp_path) in err


def test_recipe_with_unknown_key_is_rejected(tmp_path, capsys):
    (tmp_path / "bad.toml").write_text("[train]\nepochs = 1\nlearning_rate = 0.1\n")
    assert cli.main(["train", "--recipe", str(tmp_path / "bad.toml")]) == 2
    assert "unknown key(s) learning_rate" in capsys.readouterr().err


def test_recipes_load_and_builtin_spells_out_the_defaults():
    from pathlib import Path

    from audiocnn.config import load_recipe
    from audiocnn.genre.pipeline import GenreRunConfig

    recipes = Path(__file__).resolve().parent.parent / "recipes" / "genre"
    assert load_recipe(recipes / "builtin.toml", GenreRunConfig) == GenreRunConfig()
    seed = load_recipe(recipes / "seed_gtzan4.toml", GenreRunConfig)
    assert seed.model == SeedGenreCNNConfig(n_genres=4)
    assert seed.data.sample_rate * 8 == 22050 and seed.data.window_samples == 2**16
    assert (seed.train.batch_size, seed.train.optimizer, seed.data.split_seed) == (64, "adam", 1)
    for name in ("gtzan4", "gtzan10_filtered"):
        assert load_recipe(recipes / f"{name}.toml", GenreRunConfig).data.split == "gtzan"


def test_predict_names_its_model_says_uncertain_and_remembers_nothing(tmp_path, capsys):
    # issue 17: a global "last trained" pointer made predict use whatever ran last, anywhere.
    ckpt = small_genre_checkpoint(tmp_path / "m.pt")
    song = tmp_path / "song.wav"
    sf.write(song, np.random.default_rng(0).standard_normal(8000).astype(np.float32) * 0.1, 8000)
    assert cli.main(["predict", str(song), "--checkpoint", str(ckpt)]) == 0
    captured = capsys.readouterr()
    assert f"model: {ckpt} (4 genres: a, b, c, d)" in captured.err
    assert cli.main(["predict", str(song), "--run", str(tmp_path)]) == 2  # no best.pt there
    capsys.readouterr()
    assert cli.main(["predict", str(song)]) == 2  # nothing remembered, nothing shipped yet
    assert "no genre model given" in capsys.readouterr().err
    argv = ["predict", str(song), "--checkpoint", str(ckpt), "--min-confidence", "0.99"]
    assert cli.main(argv) == 0
    assert "song.wav: uncertain (" in capsys.readouterr().out
    assert cli.main([*argv, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["uncertain"] is True


def test_band_front_end_ignores_a_fixed_gain_and_eq_but_not_the_music():
    from audiocnn.models import BandGenreCNNConfig, model_of

    torch.manual_seed(0)
    model = model_of(BandGenreCNNConfig(n_genres=5, channels=(8, 8))).eval()
    x = torch.randn(2, 1, 22050) * torch.linspace(0.2, 1.0, 22050)  # a crescendo of noise
    with torch.no_grad():
        energies = model.band_energies(x)
        assert energies.shape == (2, 64, 83)
        torch.testing.assert_close(model.band_energies(4 * x), energies, atol=1e-3, rtol=0)
        # a fixed EQ: a short FIR filter shifts each band's log-energy by about a constant
        eq = torch.nn.functional.conv1d(x, torch.tensor([[[1.0, 0.6, 0.2]]]), padding=2)
        shifted = model.band_energies(eq[..., :22050])
        assert (shifted - energies).abs().mean() < 0.2 < (energies.std(-1)).mean()
        assert not torch.allclose(model(x), model(x.flip(-1)))


def test_balanced_accuracy_is_sklearns_without_its_warning():
    import warnings

    from sklearn.metrics import balanced_accuracy_score

    from audiocnn.metrics import classification_scores

    rng = np.random.default_rng(0)
    for _ in range(50):
        truth, predicted = rng.integers(0, 3, 12), rng.integers(0, 5, 12)  # genres 3, 4 absent
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = balanced_accuracy_score(truth, predicted)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            scores = classification_scores(truth, predicted, list("abcde"))
        assert scores["balanced_accuracy"] == pytest.approx(expected, abs=1e-12)


def test_validation_and_test_folders_may_hold_a_subset_of_the_genres(tmp_path):
    from audiocnn.data import DataError
    from audiocnn.genre.pipeline import GenreDataConfig, prepare_splits

    train = write_genre_tree(tmp_path / "train", genres=("a", "b", "c"), per_genre=2, seconds=0.2)
    write_genre_tree(tmp_path / "test", genres=("b",), per_genre=2, seconds=0.2)
    data = GenreDataConfig(root=str(train), test_root=str(tmp_path / "test"), sample_rate=8000)
    splits = prepare_splits(data, progress=False)
    assert splits.labels == ["a", "b", "c"] and {t.label for t in splits.tracks["test"]} == {1}
    write_genre_tree(tmp_path / "other", genres=("z",), per_genre=1, seconds=0.2)
    data = GenreDataConfig(root=str(train), test_root=str(tmp_path / "other"), sample_rate=8000)
    with pytest.raises(DataError, match="genre\\(s\\) z not in the training data"):
        prepare_splits(data, progress=False)


def test_mixup_mixes_windows_and_labels_of_the_batch():
    from audiocnn.genre.pipeline import GenreTask

    seen = []

    def model(x):
        seen.append(x)
        return torch.zeros(len(x), 3)  # uniform: every label costs log 3

    x = torch.arange(4.0)[:, None, None].expand(4, 1, 5).contiguous()
    y = torch.tensor([0, 1, 2, 0])
    torch.manual_seed(2)  # a draw that moves every window (seed 0 pairs each with itself)
    loss, _ = GenreTask(None, ["a", "b", "c"], mixup=0.4).batch_loss(model, (x, y), "cpu")
    assert float(loss) == pytest.approx(np.log(3))
    mixed = seen[0][:, 0, 0]  # share * i + (1 - share) * j for window i and its partner j
    assert torch.all(mixed != x[:, 0, 0]) and torch.all((mixed >= 0) & (mixed <= 3))
    plain, _ = GenreTask(None, ["a", "b", "c"]).batch_loss(model, (x, y), "cpu")
    torch.testing.assert_close(seen[1], x)
