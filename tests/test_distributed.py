"""torchrun with 2 CPU processes reaches the weights of 1 process with the same global batch."""

import subprocess
import sys

import pytest
import torch

from audiocnn import synth

RECIPE = """
[data]
val_files = 4
window_samples = 2000
windows_per_file = 2

[model]
name = "SeedFIRDenoiser"
n_taps = [8, 8]
n_features = [1, 3, 1]
delay = 0

[loss]
l1 = 1.0
si_sdr = 0.0
stft = 0.0

[train]
epochs = 2
batch_size = 8
optimizer = "sgd"
lr = 0.5
weight_decay = 0.0
schedule = "constant"
"""


@pytest.mark.slow
def test_two_processes_equal_one_with_the_same_global_batch(tmp_path):
    pairs = synth.write_denoise_corpus(
        tmp_path / "pairs",
        synth.DenoiseCorpusConfig(clips=12, seconds=0.5),
        workers=1,
        progress=False,
    )
    recipe = tmp_path / "tiny.toml"
    recipe.write_text(RECIPE)
    train = [
        "-m",
        "audiocnn.denoise",
        "train",
        "--pairs",
        str(pairs),
        "--recipe",
        str(recipe),
        "--quiet",
        "--device",
        "cpu",
    ]
    subprocess.run([sys.executable, *train, "--out", str(tmp_path / "one")], check=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--standalone",
            "--nproc_per_node=2",
            *train,
            "--out",
            str(tmp_path / "two"),
        ],
        check=True,
        timeout=300,
    )
    one = torch.load(tmp_path / "one" / "last.pt", weights_only=True)
    two = torch.load(tmp_path / "two" / "last.pt", weights_only=True)
    assert len(one["history"]) == len(two["history"]) == 2
    for key, value in one["state_dict"].items():
        torch.testing.assert_close(two["state_dict"][key], value, rtol=1e-5, atol=1e-6)
    # the epoch's training loss is summed over both ranks: the same figure as one process
    assert two["history"][-1]["train_loss"] == pytest.approx(
        one["history"][-1]["train_loss"], rel=1e-5
    )
    assert not (tmp_path / "two" / "history.png").with_suffix(".tmp").exists()
