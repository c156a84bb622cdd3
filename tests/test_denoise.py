"""The denoise pipeline end to end: streaming equals offline, any rate and channel count, the
input is never overwritten, bad input exits 2, training and evaluation through the CLI."""

import csv
import importlib.util
import json
import os
import re
import shutil
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch

from audiocnn import runtime, synth
from audiocnn.config import ConfigError, override
from audiocnn.denoise import cli, compare, pipeline
from audiocnn.denoise.pipeline import load_denoiser
from audiocnn.denoise.stream import THREADED_MIN_SAMPLES, denoise_array, denoise_file
from audiocnn.metrics import align, si_sdr
from audiocnn.models import SeedFIRDenoiserConfig, model_of
from tests.conftest import tone
from tests.test_denoise_models import SMALL_SPECTRAL

SMALL = SMALL_SPECTRAL


def load_recipe_script(name: str, monkeypatch):
    """A module of ``recipes/denoise/`` (not a package), imported from its file."""
    path = Path(__file__).resolve().parent.parent / "recipes" / "denoise" / name
    spec = importlib.util.spec_from_file_location(f"denoise_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # a dataclass looks itself up
    spec.loader.exec_module(module)
    return module


def one_second_pairs(root: Path, clips: int) -> Path:
    """A small built-in denoise corpus: ``clips`` one-second noisy/clean pairs."""
    config = synth.DenoiseCorpusConfig(clips=clips, seconds=1.0)
    return synth.write_denoise_corpus(root, config, workers=1, progress=False)


def test_block_streaming_equals_offline_with_resampling():
    model = model_of(SMALL).eval()
    wav = torch.randn(2, 44100) * 0.1
    whole = denoise_array(model, wav, 44100, 16000, block=10**9)
    for block in (1000, 4410, 30000):
        torch.testing.assert_close(
            denoise_array(model, wav, 44100, 16000, block=block), whole, rtol=0, atol=1e-5
        )
    assert whole.shape == wav.shape


@pytest.mark.parametrize("int8", [False, True])
def test_the_thread_count_of_a_long_block_does_not_change_the_output(monkeypatch, int8):
    """Long blocks take as many threads as other programs leave cores (runtime.FreeCores): the
    shipped network gives the same samples on one thread as on two, in float32 and int8."""
    model, rate = load_denoiser(int8=int8)
    wav = torch.randn(1, 5 * rate, generator=torch.Generator().manual_seed(0)) * 0.1
    assert wav.shape[-1] >= THREADED_MIN_SAMPLES  # one long block
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        outputs = []
        for count in (1, 2):
            monkeypatch.setattr(runtime.FreeCores, "next_count", lambda self, n=count: n)
            outputs.append(denoise_array(model, wav, rate, rate, block=10**9))
    finally:
        torch.set_num_threads(before)
    assert torch.equal(outputs[0], outputs[1])


@pytest.mark.parametrize(
    "rate,channels,subtype", [(8000, 1, "PCM_16"), (44100, 2, "PCM_24"), (16000, 1, "FLOAT")]
)
def test_files_round_trip_with_rate_length_channels_and_subtype(
    tmp_path, small_checkpoint, rate, channels, subtype
):
    noisy = np.random.default_rng(0).standard_normal((rate * 2 + 17, channels)) * 0.1
    src, dst = tmp_path / "in.wav", tmp_path / "out" / "in.wav"
    sf.write(src, noisy.astype(np.float32), rate, subtype=subtype)
    before = src.read_bytes()
    assert (
        cli.main([str(src), "-o", str(dst), "--checkpoint", str(small_checkpoint), "--quiet"]) == 0
    )
    info = sf.info(str(dst))
    assert (info.samplerate, info.channels, info.frames, info.subtype) == (
        rate,
        channels,
        rate * 2 + 17,
        subtype,
    )
    assert src.read_bytes() == before
    assert [p.name for p in dst.parent.iterdir()] == ["in.wav"]  # no temporary left behind


def test_file_output_equals_offline_processing(tmp_path, small_checkpoint):
    model, rate = pipeline.load_denoiser(small_checkpoint)
    wav = np.random.default_rng(1).standard_normal(16000 * 3).astype(np.float32) * 0.1
    sf.write(tmp_path / "a.wav", wav, 16000, subtype="FLOAT")
    denoise_file(
        model, rate, tmp_path / "a.wav", tmp_path / "b.wav", block_seconds=0.37, progress=False
    )
    written, _ = sf.read(tmp_path / "b.wav", dtype="float32")
    offline = denoise_array(model, torch.from_numpy(wav)[None], 16000, 16000, block=10**9)[0]
    assert np.abs(written - offline.numpy()).max() <= 1e-5


def test_folder_mode_mirrors_the_tree(tmp_path, small_checkpoint):
    for name in ("a.wav", "sub/b.flac"):
        (tmp_path / "in" / name).parent.mkdir(parents=True, exist_ok=True)
        sf.write(tmp_path / "in" / name, np.zeros(1600, np.float32), 16000)
    assert (
        cli.main(
            [
                str(tmp_path / "in"),
                "-o",
                str(tmp_path / "out"),
                "--checkpoint",
                str(small_checkpoint),
                "--quiet",
            ]
        )
        == 0
    )
    assert sorted(
        p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.*")
    ) == ["a.wav", "sub/b.flac"]


def test_an_output_folder_that_holds_the_input_folder_is_refused(
    tmp_path, small_checkpoint, capsys
):
    (tmp_path / "in").mkdir()
    sf.write(tmp_path / "in" / "a.wav", np.zeros(1600, np.float32), 16000)
    before = (tmp_path / "in" / "a.wav").read_bytes()
    for out in (tmp_path / "in", tmp_path):
        argv = [str(tmp_path / "in"), "-o", str(out), "--checkpoint", str(small_checkpoint)]
        assert cli.main(argv) == 2
        err = capsys.readouterr().err.strip()
        assert "choose another output folder" in err and "\n" not in err
    assert (tmp_path / "in" / "a.wav").read_bytes() == before
    # an output folder inside the input folder is fine: its files are not inputs
    argv = [str(tmp_path / "in"), "-o", str(tmp_path / "in" / "clean"), "--quiet"]
    assert cli.main([*argv, "--checkpoint", str(small_checkpoint)]) == 0
    assert (tmp_path / "in" / "clean" / "a.wav").exists()


def test_pairs_of_unequal_length_warn_and_silent_clean_files_are_left_out(
    tmp_path, small_checkpoint, capsys
):
    for folder in ("clean", "noisy"):
        (tmp_path / folder).mkdir()
    speech = tone(300, 1.0, 16000)
    sf.write(tmp_path / "clean" / "a.wav", speech, 16000)
    sf.write(tmp_path / "noisy" / "a.wav", speech[:8000] + 0.01, 16000)  # half as long
    sf.write(tmp_path / "clean" / "b.wav", np.zeros(16000, np.float32), 16000)  # silent
    sf.write(tmp_path / "noisy" / "b.wav", speech, 16000)
    with pytest.warns(UserWarning) as caught:
        pairs = list(pipeline.load_pairs(tmp_path, 16000))
    messages = [str(w.message) for w in caught]
    assert any("a.wav: 0.50 s, its clean partner 1.00 s" in m for m in messages), messages
    assert any("b.wav: silent" in m for m in messages), messages
    assert [(path.name, clean.shape[-1], noisy.shape[-1]) for path, clean, noisy in pairs] == [
        ("a.wav", 8000, 8000)
    ]
    # nothing left to score: one line, exit 2
    (tmp_path / "clean" / "a.wav").unlink()
    argv = ["evaluate", "--pairs", str(tmp_path), "--checkpoint", str(small_checkpoint)]
    assert cli.main(argv) == 2
    assert "every clean file is silent" in capsys.readouterr().err


def test_bad_input_exits_2_and_the_input_is_never_overwritten(tmp_path, small_checkpoint, capsys):
    src = tmp_path / "in.wav"
    sf.write(src, np.zeros(1600, np.float32), 16000)
    before = src.read_bytes()
    (tmp_path / "text.wav").write_text("hello")
    cases = [
        [str(src), "-o", str(src)],
        [str(tmp_path / "text.wav"), "-o", str(tmp_path / "o.wav")],
        [str(tmp_path / "missing.wav"), "-o", str(tmp_path / "o.wav")],
    ]
    for argv in cases:
        assert cli.main([*argv, "--checkpoint", str(small_checkpoint)]) == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith("error: ") and "\n" not in err and str(tmp_path) in err
    assert src.read_bytes() == before
    assert (
        cli.main(
            [str(src), "-o", str(tmp_path / "o.wav"), "--checkpoint", str(tmp_path / "text.wav")]
        )
        == 2
    )


def test_clipped_output_is_clipped_not_wrapped(tmp_path):
    class Loud(torch.nn.Module):  # a "denoiser" that amplifies 10x
        delay = 0

        def stream(self, x, state):
            return 10 * x, state

    sf.write(tmp_path / "in.wav", np.full(1000, 0.5, np.float32), 16000, subtype="PCM_16")
    with pytest.warns(UserWarning, match="clipped"):
        denoise_file(Loud(), 16000, tmp_path / "in.wav", tmp_path / "out.wav", progress=False)
    out, _ = sf.read(tmp_path / "out.wav")
    assert out.min() > 0.99  # 5.0 clipped to 1.0, not wrapped to a negative integer


def test_clipped_input_is_named_but_a_float_files_loud_samples_are_not(tmp_path):
    class Same(torch.nn.Module):
        delay = 0

        def stream(self, x, state):
            return x, state

    loud = np.tile(np.float32([4.0, -3.0, 0.2]), 400)  # beyond full scale, not clipped
    sf.write(tmp_path / "float.wav", loud, 16000, subtype="FLOAT")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        denoise_file(Same(), 16000, tmp_path / "float.wav", tmp_path / "o.wav", progress=False)
    np.testing.assert_allclose(sf.read(tmp_path / "o.wav")[0], loud, atol=1e-6)  # kept
    sf.write(tmp_path / "at.wav", np.clip(loud, -1, 1), 16000, subtype="FLOAT")
    sf.write(tmp_path / "pcm.wav", np.clip(loud, -1, 1), 16000, subtype="PCM_16")
    for name in ("at.wav", "pcm.wav"):
        with pytest.warns(UserWarning, match="clipped recording"):
            denoise_file(Same(), 16000, tmp_path / name, tmp_path / "o.wav", progress=False)


def test_si_sdr_and_alignment():
    ref = torch.randn(4000, dtype=torch.float64)
    assert si_sdr(3 * ref, ref) > 100  # scale-invariant
    noisy = ref + 0.1 * torch.randn(4000, dtype=torch.float64)
    assert float(si_sdr(noisy, ref)) == pytest.approx(20, abs=1)
    late = np.concatenate([np.zeros(37), ref.numpy()[:-37]])
    np.testing.assert_allclose(align(late, ref.numpy(), 100)[:-37], ref.numpy()[:-37])


@pytest.mark.parametrize(
    "weights",
    [
        {"l1": 1.0},
        {"l1": 0, "compressed": 1.0},
        {"l1": 0, "compressed": 1.0, "removed": 1.0},
        {"l1": 0, "stft": 1.0},
        {"l1": 0, "sdr": 1.0},
        {"l1": 0, "octave": 1.0},
    ],
)
def test_each_loss_prefers_the_clean_signal(weights):
    torch.manual_seed(3)
    clean = torch.randn(4, 1, 4000)
    clean[0] = 0  # a window that is all pause: the batch SDR stays finite
    config = pipeline.LossConfig(**weights)
    slightly = pipeline.denoise_loss(clean + 0.01 * torch.randn_like(clean), clean, config)
    badly = pipeline.denoise_loss(clean + 0.3 * torch.randn_like(clean), clean, config)
    assert torch.isfinite(slightly) and slightly < badly


def test_removed_loss_counts_speech_taken_away_not_noise_left():
    torch.manual_seed(4)
    clean = torch.randn(2, 1, 4000)
    config = pipeline.LossConfig(l1=0, removed=1.0)
    assert float(pipeline.denoise_loss(clean, clean, config)) == 0
    louder = pipeline.denoise_loss(clean + 0.3 * torch.randn_like(clean), clean, config)
    quieter = pipeline.denoise_loss(0.5 * clean, clean, config)
    assert float(pipeline.denoise_loss(2 * clean, clean, config)) == 0  # nothing taken away
    assert 0 < float(louder) < float(quieter)
    both = pipeline.LossConfig(l1=0, compressed=1.0, removed=1.0)
    halved = pipeline.compressed_spectrum_loss(0.5 * clean, clean)
    assert float(pipeline.denoise_loss(0.5 * clean, clean, both)) == pytest.approx(2 * halved)
    # removed_snr_db: weighed by the input's SNR, none below 0 dB, all above 10 dB
    ramped = pipeline.LossConfig(l1=0, removed=1.0, removed_snr_db=(0.0, 10.0))
    noisy = clean.clone()
    noisy[0] += 2 * torch.randn_like(clean[0])  # -6 dB: its speech may go
    unweighted = [float(pipeline.removed_speech_loss(0.5 * clean[n], clean[n])) for n in (0, 1)]
    assert float(pipeline.denoise_loss(0.5 * clean, clean, ramped, noisy)) == pytest.approx(
        unweighted[1] / 2  # the clean example's, averaged over the two
    )
    assert pipeline.snr_ramp(torch.tensor([-3.0, 5.0, 40.0]), (0, 10)).tolist() == [0, 0.5, 1]
    with pytest.raises(ValueError, match="needs the noisy input"):
        pipeline.denoise_loss(clean, clean, ramped)
    with pytest.raises(ValueError, match="removed_snr_db must be"):
        pipeline.LossConfig(removed_snr_db=(10.0, 0.0))


def test_sdr_loss_is_the_batch_sdr_in_hundreds_of_db():
    clean = torch.ones(2, 1, 100)
    estimate = clean.clone()
    estimate[0] += 0.1  # error energy 1 over clean energy 200: 23.0 dB
    loss = pipeline.denoise_loss(estimate, clean, pipeline.LossConfig(l1=0, sdr=1.0))
    assert float(loss) == pytest.approx(-10 * np.log10(200) / 100, rel=1e-5)


def test_octave_energies_are_the_bands_below_nyquist_in_hz():
    torch.manual_seed(5)
    x = torch.randn(3, 16000)  # one second at 16 kHz: FFT bin k is k Hz
    power = torch.fft.rfft(x).abs().square()
    expected = [power[:, low : 2 * low].sum(-1) for low in (125, 250, 500, 1000, 2000, 4000)]
    assert torch.allclose(pipeline.octave_energies(x), torch.stack(expected, -1))


def test_octave_loss_charges_each_band_in_decibels():
    torch.manual_seed(6)
    clean = torch.randn(2, 1, 16000)
    assert float(pipeline.octave_loss(clean, clean)) == 0
    # 3 dB down in every band: 0.3, a little less for the floor 30 dB below the total
    assert float(pipeline.octave_loss(clean * 10 ** (-3 / 20), clean)) == pytest.approx(0.3, 0.05)
    # the top octave alone 6 dB down: one band of six, 0.1
    spectrum = torch.fft.rfft(clean)
    spectrum[..., 4000:] *= 0.5
    darker = torch.fft.irfft(spectrum, 16000)
    assert float(pipeline.octave_loss(darker, clean)) == pytest.approx(0.1, 0.03)
    # a target with an empty band (low-passed speech) and silence: finite, with gradients
    spectrum[..., 4000:] = 0
    low_passed = torch.fft.irfft(spectrum, 16000)
    estimate = (clean + 0.1 * torch.randn_like(clean)).requires_grad_()
    loss = pipeline.octave_loss(estimate, torch.cat([low_passed[:1], 0 * clean[:1]]))
    loss.backward()
    assert torch.isfinite(loss) and torch.isfinite(estimate.grad).all()
    with pytest.raises(ValueError, match="octave must be >= 0"):
        pipeline.LossConfig(octave=-1.0)


def test_octave_kept_loss_charges_only_speech_lost_from_noiseless_inputs():
    torch.manual_seed(7)
    clean = torch.randn(2, 1, 16000)
    noisy = torch.cat([clean[:1], clean[1:] + 0.3 * torch.randn_like(clean[1:])])  # 1st: none
    spectrum = torch.fft.rfft(clean)
    spectrum[..., 4000:] *= 0.5  # the top octave 6 dB down: 1 dB of six bands, 0.1
    darker = torch.fft.irfft(spectrum, 16000)
    kept = pipeline.octave_kept_loss
    assert float(kept(darker, clean, noisy)) == pytest.approx(0.1, 0.03)  # the clean one only
    assert float(kept(torch.cat([clean[:1], darker[1:]]), clean, noisy)) == 0  # noisy: free
    assert float(kept(2 * clean, clean, noisy)) == 0  # louder: free (octave would charge 0.6)
    assert float(kept(darker, clean, clean + 0.3 * torch.randn_like(clean))) == 0  # none clean
    config = pipeline.LossConfig(l1=0, octave_clean=2.0)
    loss = pipeline.denoise_loss(darker, clean, config, noisy)
    assert float(loss) == pytest.approx(2 * float(kept(darker, clean, noisy)))
    with pytest.raises(ValueError, match="octave_clean needs the noisy input"):
        pipeline.denoise_loss(darker, clean, config)


@pytest.mark.slow
def test_train_then_evaluate_through_the_cli(tmp_path, capsys, monkeypatch):
    corpus = one_second_pairs(tmp_path / "pairs", 12)
    recipe = tmp_path / "tiny.toml"
    recipe.write_text(
        "[data]\nval_files = 4\nwindow_samples = 4000\n"
        "[model]\nframe_taps = 64\nhop = 16\nspectral_hidden = 8\nspectral_taps = [3, 2]\n"
        "spectral_dilations = [1, 4]\nspectral_bands = 8\ndeep_filter_bins = 9\n"
        "[train]\nepochs = 2\nbatch_size = 8\n"
    )
    out = tmp_path / "run"
    assert (
        cli.main(
            ["train", "--pairs", str(corpus), "--recipe", str(recipe), "--out", str(out), "--quiet"]
        )
        == 0
    )
    assert "SI-SDR" in capsys.readouterr().out
    state = torch.load(out / "best.pt", weights_only=True)
    assert state["task"] == "denoise" and "si_sdr_improvement" in state["metrics"]
    assert (
        cli.main(
            ["evaluate", "--pairs", str(corpus), "--checkpoint", str(out / "best.pt"), "--json"]
        )
        == 0
    )
    scores = json.loads(capsys.readouterr().out)
    assert scores["files"] == 12 and np.isfinite(scores["si_sdr"])


def test_seed_lab_recipe_is_the_lab():
    from pathlib import Path

    from audiocnn.config import load_recipe
    from audiocnn.denoise.pipeline import DenoiseRunConfig

    recipes = Path(__file__).resolve().parent.parent / "recipes" / "denoise"
    lab = load_recipe(recipes / "seed_lab.toml", DenoiseRunConfig)
    assert lab.model == SeedFIRDenoiserConfig()
    assert (lab.train.optimizer, lab.train.lr, lab.train.batch_size, lab.train.epochs) == (
        "sgd",
        0.5,
        32,
        20,
    )
    assert (lab.loss.l1, lab.loss.si_sdr, lab.loss.stft, lab.data.val_files) == (1, 0, 0, 50)
    load_recipe(recipes / "speech16k.toml", DenoiseRunConfig)
    broad = load_recipe(recipes / "broad16k.toml", DenoiseRunConfig)
    assert broad.augment.active and broad.model.noise_floor_features
    assert broad.data.val_pairs.endswith("val_ood")  # chosen on packages never trained on


def test_every_denoise_recipe_loads_and_none_starts_from_the_shipped_file():
    """Each recipe is valid as committed, and a fine-tune names a fixed start: the shipped
    weights change when new ones ship (recipes/denoise/README.md), a copy taken with
    ``git show COMMIT:...`` does not."""
    from audiocnn.config import load_recipe
    from audiocnn.denoise.pipeline import DenoiseRunConfig

    recipes = sorted(
        (Path(__file__).resolve().parent.parent / "recipes" / "denoise").glob("*.toml")
    )
    assert len(recipes) > 30
    for recipe in recipes:
        init = load_recipe(recipe, DenoiseRunConfig).train.init
        assert "audiocnn/weights" not in init, f"{recipe.name}: starts from the shipped file"


def write_tone_pairs(root: Path) -> Path:
    """A gated tone in white noise at 0, 10 and 10 dB, named as compare groups them."""
    rng = np.random.default_rng(0)
    t = np.arange(16000) / 16000
    for name, snr_db in (("snr00_a.wav", 0), ("snr10_b.wav", 10), ("snr10_c.wav", 10)):
        clean = 0.3 * np.sin(2 * np.pi * 220 * t) * (t > 0.3)
        noise = rng.standard_normal(t.size)
        noise *= np.sqrt((clean**2).mean() / (noise**2).mean()) * 10 ** (-snr_db / 20)
        for folder, x in (("clean", clean), ("noisy", clean + noise)):
            (root / folder).mkdir(parents=True, exist_ok=True)
            sf.write(root / folder / name, x.astype(np.float32), 16000)
    return root


def test_compare_scores_each_method_per_snr_and_notes_missing_packages(
    tmp_path, small_checkpoint, monkeypatch
):
    from audiocnn.denoise import compare

    write_tone_pairs(tmp_path / "pairs")

    def missing():
        raise ImportError("no", name="pyrnnoise")

    monkeypatch.setattr(compare, "EXTERNAL", {"RNNoise": missing})
    result = compare.compare(tmp_path / "pairs", [small_checkpoint])
    methods = result["methods"]
    ours = f"audiocnn ({small_checkpoint})"
    shipped = {"audiocnn (shipped)", "audiocnn (shipped, gentle)"}
    assert set(methods) == {"noisy input", "spectral subtraction", ours} | shipped
    assert result["files"] == 3
    assert any("RNNoise skipped: pyrnnoise not installed" in note for note in result["notes"])
    for name, row in methods.items():
        assert list(row["groups"]) == ["0 dB", "10 dB"]
        assert row["rtf"] > 0 or name == "noisy input"
    for group in methods["noisy input"]["groups"].values():
        assert group["si_sdr_improvement"] == pytest.approx(0.0, abs=1e-9)
    # the shipped model removes white noise from a tone
    assert methods["audiocnn (shipped)"]["groups"]["0 dB"]["si_sdr_improvement"] > 3.0
    table = compare.format_table(result)
    assert "SI-SDRi 0 dB" in table and "RNNoise skipped" in table
    rows = table.splitlines()[1 : 2 + len(methods)]  # the header and a row per method
    assert len({len(row) for row in rows}) == 1  # aligned, however long a checkpoint's path
    # 20 dB quieter: the same improvement for the level-independent methods
    quiet = compare.compare(tmp_path / "pairs", [], gain_db=-20.0)["methods"]
    for group in ("0 dB", "10 dB"):
        assert quiet["noisy input"]["groups"][group]["si_sdr_improvement"] == pytest.approx(0.0)


def test_whole_file_selection_scores_what_compare_scores(tmp_path, monkeypatch):
    from audiocnn.denoise import compare

    root = write_tone_pairs(tmp_path / "pairs")
    data = pipeline.DenoiseDataConfig(val_pairs=str(root), select_on="file_si_sdr")
    names = [path.name for path in pipeline.find_pairs(root)[1]]
    model, _ = pipeline.load_denoiser(None)
    ours = pipeline.score_whole_files(
        model, pipeline._paired(root, data, 16000, False), names, torch.device("cpu")
    )
    monkeypatch.setattr(compare, "EXTERNAL", {})
    shipped = compare.compare(root, [])["methods"]["audiocnn (shipped)"]["groups"]
    for key, group in (("snr00", "0 dB"), ("snr10", "10 dB")):
        expected = shipped[group]["si_sdr_improvement"]
        assert ours[f"file_si_sdr_improvement_{key}"] == pytest.approx(expected, abs=0.02)
    assert ours["file_si_sdr_improvement"] == pytest.approx(
        (shipped["0 dB"]["si_sdr_improvement"] + 2 * shipped["10 dB"]["si_sdr_improvement"]) / 3,
        abs=0.02,
    )
    with pytest.raises(ValueError, match="needs val_pairs"):
        pipeline.DenoiseDataConfig(select_on="file_si_sdr")


def test_halves_keep_each_utterance_together(monkeypatch):
    pick = load_recipe_script("pick.py", monkeypatch)
    names = [f"snr{snr:02d}_{who}.wav" for snr in (0, 5, 10) for who in "abcde"] + ["x.wav"]
    first, second = pick.halves(names)
    assert sorted(first + second) == list(range(len(names)))
    assert [names[n] for n in first if names[n].endswith("a.wav")] == [
        "snr00_a.wav",
        "snr05_a.wav",
        "snr10_a.wav",
    ]
    assert pipeline.utterance_of("snr-5_x.wav") == "x.wav"
    for half in (first, second):  # a, c, e and b, d, x
        assert len({pipeline.utterance_of(names[n]) for n in half}) == 3


def test_paired_interval_of_a_margin(monkeypatch):
    pick = load_recipe_script("pick.py", monkeypatch)
    names = [f"snr{snr:02d}_{who}.wav" for snr in (0, 10) for who in "abcd"] + ["x.wav"]
    reference = [0.5] * 9
    gains = [1.5] * 4 + [-0.5, 1.5, -0.5, 1.5] + [9.0]  # x.wav has no SNR: in no group
    spread = pick.paired(gains, reference, names)
    assert set(spread) == {f"{pick.KEY}00", f"{pick.KEY}10"}
    assert spread[f"{pick.KEY}00"] == pytest.approx((1.0, 1.0, 1.0))  # every file +1: sure
    low, high, share = spread[f"{pick.KEY}10"]  # two files -1, two +1
    assert -1.0 <= low < 0.0 < high <= 1.0 and share == 0.5
    assert spread == pick.paired(gains, reference, names)  # seeded
    line = pick.describe_paired(spread)
    assert line.split() == ["95%,", "won", "[+1.00,", "+1.00]", "100%",
                            f"[{low:+.2f},", f"{high:+.2f}]", "50%"]  # fmt: skip


def test_judge_gives_nine_margins_and_ranks_by_the_smallest(
    tmp_path, small_checkpoint, monkeypatch, capsys
):
    judge = load_recipe_script("judge.py", monkeypatch)
    names = [f"snr{snr:02d}_{who}~d{k}.wav" for snr in (0, 5, 10) for who in "ab" for k in (0, 1)]
    reference = [1.0] * len(names)
    lines, nine = judge.judge([2.0] * len(names), reference, names, 2)
    assert nine == pytest.approx([1.0] * 9) and len(lines) == 4  # whole, 95%, half A, half B
    # utterance b (both draws) loses at 10 dB: 0 on the whole set, +1 and -1 on the halves
    gains = [0.0 if name.startswith("snr10_b") else 2.0 for name in names]
    _, nine = judge.judge(gains, reference, names, 2)
    assert sorted(nine) == pytest.approx([-1.0, 0.0] + [1.0] * 7)
    assert judge.labelled("j=runs/a=b.pt") == ("j", Path("runs/a=b.pt"))
    assert judge.labelled("runs/soup_j.pt") == ("soup_j", Path("runs/soup_j.pt"))
    # end to end: a checkpoint against itself has no margin, so not all nine are above zero
    root = write_tone_pairs(tmp_path / "val")
    same = ["--against", str(small_checkpoint), "--pairs", str(root)]
    assert judge.main([f"self={small_checkpoint}", *same]) == 0
    out = capsys.readouterr().out
    assert re.search(r"self +[+-]0\.00  not all above zero", out)
    assert "half A" in out and "half B" in out and "95%, won" in out
    assert judge.main([str(tmp_path / "none.pt"), *same]) == 2
    assert "none.pt: no such checkpoint" in capsys.readouterr().out
    for folder in ("clean", "noisy"):  # no snrNN_ names: nothing to judge by SNR
        (tmp_path / "plain" / folder).mkdir(parents=True)
        shutil.copy(root / folder / "snr00_a.wav", tmp_path / "plain" / folder / "a.wav")
    plain = ["--against", str(small_checkpoint), "--pairs", str(tmp_path / "plain")]
    assert judge.main([str(small_checkpoint), *plain]) == 2
    assert "no snrNN_ mixtures" in capsys.readouterr().out


def test_best_checkpoint_by_whole_file_improvement(tmp_path, monkeypatch, capsys):
    root = write_tone_pairs(tmp_path / "val")
    corpus = one_second_pairs(tmp_path / "pairs", 8)
    run = pipeline.DenoiseRunConfig(
        data=pipeline.DenoiseDataConfig(
            pairs=str(corpus), val_pairs=str(root), window_samples=4000, select_on="file_si_sdr"
        ),
        model=SMALL,
        train=pipeline.TrainConfig(
            epochs=3, batch_size=8, lr=3e-3, max_minutes=0, keep_epochs=True
        ),
    )
    scores = pipeline.train_denoiser(run, tmp_path / "run", progress=False)
    history = json.loads((tmp_path / "run" / "history.json").read_text())
    gains = [row["val_file_si_sdr_improvement"] for row in history]
    assert all(np.isfinite(row["val_file_si_sdr_improvement_snr00"]) for row in history)
    assert scores["file_si_sdr_improvement"] == pytest.approx(max(gains), abs=1e-4)
    # recipes/denoise/pick.py: each epoch's margin over a reference, here epoch 1's weights
    pick = load_recipe_script("pick.py", monkeypatch)
    epochs = tmp_path / "run" / "epochs"
    assert pick.main([str(tmp_path / "run"), "--against", str(epochs / "epoch_001.pt"),
                      "--average", "2"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert re.search(r"epoch 1 .*worst \+0\.00", out)
    assert re.search(r"mean of 2 .*\n +95%, won  \[[+-]\d\.\d\d, [+-]\d\.\d\d\] +\d+%", out)
    averaged, _ = pipeline.load_denoiser(tmp_path / "run" / "averaged.pt")
    for key, value in averaged.state_dict().items():
        parts = [torch.load(epochs / f"epoch_00{n}.pt", weights_only=True)["state_dict"][key]
                 for n in (2, 3)]  # fmt: skip
        torch.testing.assert_close(value, (parts[0] + parts[1]) / 2)
    # recipes/denoise/ship.py: without the optimizer, saying what it was made from
    ship = load_recipe_script("ship.py", monkeypatch)
    assert ship.main([str(tmp_path / "run" / "averaged.pt"), "--out", str(tmp_path / "s.pt")]) == 0
    shipped = torch.load(tmp_path / "s.pt", weights_only=True)
    assert "optimizer" not in shipped and "state_dict" in shipped
    assert shipped["shipped_from"].endswith("(the mean of epoch_002.pt, epoch_003.pt)")
    # --halves: chosen on one half of the utterances, scored on the other
    assert pick.main([str(tmp_path / "run"), "--against", str(epochs / "epoch_001.pt"),
                      "--halves"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert out.count("chosen on half") == 2 and out.count("epoch_003 ") == 2
    # --halves --final: last.pt on each half, against itself: no margin on either
    assert pick.main([str(tmp_path / "run"), "--against", str(tmp_path / "run" / "last.pt"),
                      "--halves", "--final"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "chosen on half" not in out
    assert len(re.findall(r"half [AB] .*\n +last .*worst [+-]0\.00", out)) == 2
    # --average --halves --final: the mean of the last 2 epochs on each half, against itself
    averaged_path = str(tmp_path / "run" / "averaged.pt")
    assert pick.main([str(tmp_path / "run"), "--against", averaged_path,
                      "--average", "2", "--halves", "--final"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert len(re.findall(r"half [AB] .*\n +averaged .*worst [+-]0\.00", out)) == 2
    # --pairs: that check on another folder (here val plus a fourth utterance: 2 files a half)
    more = tmp_path / "more"
    shutil.copytree(root, more)
    for folder in ("clean", "noisy"):
        shutil.copy(more / folder / "snr00_a.wav", more / folder / "snr00_d.wav")
    final = ["--average", "2", "--halves", "--final"]
    assert pick.main([str(tmp_path / "run"), "--against", averaged_path, *final,
                      "--pairs", str(more)]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert f"{more}: SI-SDR" in out and "half B (2 files)" in out and "epoch 1 " not in out
    with pytest.raises(SystemExit):  # the epochs' figures in history.json are on val_pairs
        pick.main([str(tmp_path / "run"), "--halves", "--pairs", str(more)])
    assert pick.main([str(tmp_path / "run"), *final, "--pairs", str(tmp_path / "nowhere")]) == 2
    assert "nowhere/clean: no such folder" in capsys.readouterr().out
    # recipes/denoise/soup.py: the mean of checkpoints from anywhere, scored the same way
    soup = load_recipe_script("soup.py", monkeypatch)
    mixed = [str(epochs / "epoch_002.pt"), str(epochs / "epoch_003.pt")]
    assert soup.main([str(tmp_path / "soup.pt"), *mixed, "--against", averaged_path,
                      "--pairs", str(more), "--digits", "4"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert len(re.findall(r"worst [+-]0\.0000\n", out)) == 8  # --digits 4, every line of both
    assert len(re.findall(r"\n +mean .*worst [+-]0\.00", out)) == 2  # the same mean as pick's
    assert len(re.findall(r"\n +mean .*\n +95%, won  \[", out)) == 2  # how sure, on both
    assert len(re.findall(r"half [AB] .*\n +soup .*worst [+-]0\.00", out)) == 4
    assert f"{more}: SI-SDR" in out and "half B (2 files)" in out  # and on --pairs
    assert torch.load(tmp_path / "soup.pt", weights_only=True)["averaged_from"] == mixed
    with pytest.raises(SystemExit):  # never written over one of its inputs
        soup.main([mixed[0], *mixed])
    assert soup.main([str(tmp_path / "s2.pt"), *mixed, "--pairs", str(tmp_path / "run")]) == 2


def _plain_and_trained_wider(tmp_path, seed, **wider):
    """SMALL's weights and a wider design's, moved from its start as training would move them,
    saved as plain.pt and wider.pt: (the two models, their paths)."""
    from dataclasses import replace

    from audiocnn import checkpoint

    torch.manual_seed(seed)
    plain, grown = model_of(SMALL), model_of(replace(SMALL, **wider))
    with torch.no_grad():
        for p in grown.parameters():
            p.add_(torch.randn_like(p))
    paths = [tmp_path / "plain.pt", tmp_path / "wider.pt"]
    for path, model in zip(paths, (plain, grown), strict=True):
        checkpoint.save(path, {"state_dict": model.state_dict()})
    return plain, grown, paths


def test_a_soup_fits_weights_without_the_context_branch_to_its_design(tmp_path, monkeypatch):
    # soup.py D + c: D's weights join as the point a run from D started (zero columns for the
    # branch, the branch at its moving average), and the mean lies halfway from there to c
    from dataclasses import replace

    pick = load_recipe_script("pick.py", monkeypatch)
    plain, context, paths = _plain_and_trained_wider(tmp_path, 8, spectral_context=6)
    mean = pick.average(paths, context)
    start = model_of(replace(SMALL, spectral_context=6)).state_dict()["context_fir.taps"]
    trained = context.state_dict()
    torch.testing.assert_close(mean["context_fir.taps"], (start + trained["context_fir.taps"]) / 2)
    first = "gains.layers.0.taps"
    torch.testing.assert_close(mean[first][:, -8:], trained[first][:, -8:] / 2)
    torch.testing.assert_close(
        mean[first][:, :-8], (plain.state_dict()[first] + trained[first][:, :-8]) / 2
    )
    with pytest.raises((KeyError, RuntimeError)):  # another design still does not mix (soup.py)
        pick.average(paths, model_of(replace(SMALL, spectral_hidden=5)))


def test_a_soup_gives_the_start_the_runs_gru_behind_a_silent_output(tmp_path, monkeypatch):
    # soup.py E + g, g trained with a GRU that E lacks: E joins as the same network with g's GRU
    # and a zero output layer, so the mean keeps g's GRU whole and halves only its output
    from dataclasses import replace

    pick = load_recipe_script("pick.py", monkeypatch)
    plain, gru, paths = _plain_and_trained_wider(tmp_path, 9, spectral_recurrent=4)
    mean = pick.average(paths, gru)
    trained = gru.state_dict()
    for key in ("recurrent.weight_ih_l0", "recurrent.weight_hh_l0", "recurrent.bias_hh_l0"):
        torch.testing.assert_close(mean[key], trained[key])
    for key in ("recurrent_out.weight", "recurrent_out.bias"):
        torch.testing.assert_close(mean[key], trained[key] / 2)
    first = "gains.layers.0.taps"
    torch.testing.assert_close(mean[first], (plain.state_dict()[first] + trained[first]) / 2)
    # The start as it joined is the plain network exactly
    start = pick.average([paths[0], paths[0]], gru)
    joined = model_of(replace(SMALL, spectral_recurrent=4))
    joined.load_state_dict(start)
    x = torch.randn(1, 1, 2000)
    with torch.no_grad():
        torch.testing.assert_close(joined.eval()(x), plain.eval()(x), rtol=0, atol=1e-6)
    with pytest.raises(KeyError):  # the GRU's weights have no place in the plain design
        pick.average(paths[::-1], plain)


def test_fine_tuning_starts_from_a_checkpoint_and_may_add_a_branch(tmp_path, capsys):
    from dataclasses import replace

    from audiocnn import train

    corpus = one_second_pairs(tmp_path / "pairs", 8)
    run = pipeline.DenoiseRunConfig(
        data=pipeline.DenoiseDataConfig(pairs=str(corpus), val_files=2, window_samples=4000),
        model=SMALL,
        train=pipeline.TrainConfig(epochs=1, batch_size=8, max_minutes=0),
    )
    pipeline.train_denoiser(run, tmp_path / "first", progress=False)
    first = tmp_path / "first" / "last.pt"
    # The weights it holds go in; the new GRU starts fresh and adds nothing yet.
    grown = model_of(replace(SMALL, spectral_recurrent=4)).eval()
    train._initialise(grown, first, {"task": "denoise", "model_name": "SpectralMaskDenoiser"}, True)
    assert "6 new tensors start fresh (recurrent.bias_hh_l0" in capsys.readouterr().err
    trained, _ = pipeline.load_denoiser(first)
    x = torch.randn(1, 1, 2000)
    with torch.no_grad():
        torch.testing.assert_close(grown(x), trained(x))
    # Through the CLI: a recipe whose [train] init names the checkpoint
    recipe = tmp_path / "tune.toml"
    recipe.write_text(
        f"[data]\nval_files = 2\nwindow_samples = 4000\n"
        f"[model]\nframe_taps = 64\nhop = 16\nspectral_hidden = 8\nspectral_taps = [3, 2]\n"
        f"spectral_dilations = [1, 4]\nspectral_bands = 8\ndeep_filter_bins = 9\n"
        f"spectral_recurrent = 4\n[train]\nepochs = 1\nbatch_size = 8\ninit = '{first}'\n"
    )
    common = ["train", "--pairs", str(corpus), "--quiet", "--recipe", str(recipe)]
    assert cli.main([*common, "--out", str(tmp_path / "tuned")]) == 0
    assert f"starting from the weights of {first}" in capsys.readouterr().err
    # Weights that do not fit, and another task's checkpoint: one line naming the file
    wide = tmp_path / "wide.toml"
    wide.write_text(recipe.read_text().replace("spectral_hidden = 8", "spectral_hidden = 6"))
    assert cli.main([*common[:-1], str(wide), "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err.strip().splitlines()  # what data it read, then the error
    assert len(err) == 2 and str(first) in err[1] and "has shape" in err[1]
    genre = tmp_path / "genre.pt"
    genre.write_bytes(first.read_bytes())
    state = torch.load(genre, weights_only=True)
    state["task"] = "genre"
    torch.save(state, genre)
    assert cli.main([*common, "--init", str(genre), "--out", str(tmp_path / "y")]) == 2
    assert "a genre checkpoint, not a denoise checkpoint" in capsys.readouterr().err


def test_each_epoch_kept_and_a_run_saved_before_a_setting_existed_resumes(tmp_path):
    from dataclasses import replace

    from audiocnn.train import ResumeError

    corpus = one_second_pairs(tmp_path / "pairs", 8)
    data = pipeline.DenoiseDataConfig(pairs=str(corpus), val_files=2, window_samples=4000)
    train = pipeline.TrainConfig(epochs=2, batch_size=8, max_minutes=0, keep_epochs=True)
    run = pipeline.DenoiseRunConfig(data=data, model=SMALL, train=train)
    out = tmp_path / "run"
    pipeline.train_denoiser(run, out, progress=False)
    kept = sorted(path.name for path in (out / "epochs").iterdir())
    assert kept == ["epoch_001.pt", "epoch_002.pt"]  # every epoch's weights, to choose from
    last = torch.load(out / "last.pt", weights_only=True)["state_dict"]
    model, _ = pipeline.load_denoiser(out / "epochs" / "epoch_002.pt")
    for key, value in model.state_dict().items():
        torch.testing.assert_close(value, last[key])
    state = torch.load(out / "last.pt", weights_only=True)
    del state["train_config"]["init"]  # as a checkpoint from before `init` was added
    torch.save(state, out / "last.pt")
    pipeline.train_denoiser(run, out, resume=True, progress=False)  # not "changed: init"
    assert len(json.loads((out / "history.json").read_text())) == 2
    longer = replace(run, train=replace(run.train, max_minutes=90.0))  # a budget, not the setup
    pipeline.train_denoiser(longer, out, resume=True, progress=False)
    changed = replace(run, train=replace(run.train, init=str(out / "best.pt")))
    with pytest.raises(ResumeError, match="changed: init"):
        pipeline.train_denoiser(changed, out, resume=True, progress=False)


def test_compare_cli_prints_one_table_per_set(tmp_path, monkeypatch, capsys):
    from audiocnn.denoise import cli, compare

    t = np.arange(8000) / 16000
    for root in ("in", "out"):
        for folder, x in (
            ("clean", np.sin(2 * np.pi * 300 * t)),
            ("noisy", np.sin(2 * np.pi * 300 * t) + 0.3),
        ):
            (tmp_path / root / folder).mkdir(parents=True, exist_ok=True)
            sf.write(tmp_path / root / folder / "snr05_a.wav", 0.2 * x.astype(np.float32), 16000)
    monkeypatch.setattr(compare, "EXTERNAL", {})
    argv = ["compare", "--pairs", str(tmp_path / "in"), "--pairs", str(tmp_path / "out")]
    assert cli.main([*argv, "--gain-db", "-20"]) == 0
    out = capsys.readouterr().out
    assert f"{tmp_path / 'in'} at -20 dB" in out and f"{tmp_path / 'out'} at -20 dB" in out
    assert out.count("SI-SDRi 5 dB") == 2
    assert cli.main([*argv[:3], "--limit-db", "12", "--limit-db", "6"]) == 0  # a row per limit
    out = capsys.readouterr().out
    assert "audiocnn (shipped, limit 12 dB)" in out and "(shipped, gentle, limit 6 dB)" in out


def test_clean_speech_rule_of_the_broad_corpus(monkeypatch):
    """recipes/denoise/sources.py keeps speech and drops tones, noise, speech over a bed of
    sound, and short calls, each with its reason."""
    from audiocnn.synth.speech import speech_like

    sources = load_recipe_script("sources.py", monkeypatch)
    rng, rate = np.random.default_rng(0), 16000
    t = np.arange(3 * rate) / rate
    speech = speech_like(3 * rate, rate, rng)
    speech = 0.5 * speech / np.abs(speech).max()
    cases = {
        "": speech,
        "voiced share 0.97": 0.5 * np.sin(2 * np.pi * 200 * t) * (t % 1 < 0.6),
        "voiced share 0.00": 0.3 * rng.standard_normal(t.size) * (t % 1 < 0.6),
        "dynamic range 10 dB": speech + 0.05 * rng.standard_normal(t.size),
        "shorter than 1 s": speech[: rate // 2],
    }
    for reason, wav in cases.items():
        verdict, measures = sources.speech_verdict(wav, rate)
        assert verdict.startswith(reason) and (verdict == "") == (reason == "")
        assert measures["seconds"] == pytest.approx(len(wav) / rate, abs=0.01)


def test_val_ood_more_mixes_every_utterance_several_times(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(Path(__file__).resolve().parent.parent / "recipes" / "denoise")
    prepare = load_recipe_script("prepare.py", monkeypatch)  # imports sources.py beside it
    rng = np.random.default_rng(0)
    for folder, stem, seconds in (("speech", "a", 1.5), ("speech", "b", 1.2), ("noise", "n", 2)):
        (tmp_path / "val_ood" / folder / "pkg").mkdir(parents=True, exist_ok=True)
        wav = rng.normal(0, 0.1, int(seconds * 16000)).astype(np.float32)
        sf.write(tmp_path / "val_ood" / folder / "pkg" / f"{stem}.wav", wav, 16000)
    tone = 0.1 * np.sin(2 * np.pi * 1000 * np.arange(32000) / 16000)  # a second noise: 1 kHz
    sf.write(tmp_path / "val_ood" / "noise" / "pkg" / "tone.wav", tone.astype(np.float32), 16000)
    prepare.build_val_ood_all(tmp_path, "more", draws=2)
    with open(tmp_path / "more" / "noises.csv") as handle:
        noises = dict(list(csv.reader(handle))[1:])  # mixture -> the noise file under it
    assert set(noises.values()) == {"pkg/n.wav", "pkg/tone.wav"}
    for mixture, noise in noises.items():  # what was added is the noise named
        added = sf.read(tmp_path / "more" / "noisy" / mixture)[0]
        added = added - sf.read(tmp_path / "more" / "clean" / mixture)[0]
        power = np.abs(np.fft.rfft(added)) ** 2
        tonal = power[np.argmax(power)] > 0.5 * power.sum()
        assert tonal == (noise == "pkg/tone.wav"), mixture
    replayed = prepare.val_mixtures(tmp_path, draws=2)[0]
    assert {f"snr{m[0]:02d}_{m[1]}.wav": m[3] for m in replayed} == noises
    prepare.build_val_ood_all(tmp_path, "val_ood_more", draws=prepare.VAL_MORE_DRAWS)
    gap = load_recipe_script("gap.py", monkeypatch)
    written = gap.noises_of(tmp_path / "val_ood_more")
    (tmp_path / "val_ood_more" / "noises.csv").unlink()  # as the folders built before session 26
    assert gap.noises_of(tmp_path / "val_ood_more") == written  # prepare.py's draws replayed
    rows = gap.score(tmp_path / "val_ood_more", lambda x: x, compare.spectral_subtraction, False)
    assert len(rows) == 24 and {row["ours"] for row in rows} == {0.0}  # the input: no change
    assert {row["kind"] for row in rows} == {"pkg n", "pkg tone"}
    report = gap.report(rows, "spectral subtraction", min_files=1)
    assert report.count("pkg tone ") == 3 and "0 dB: 8 mixtures" in report
    assert gap.main(["--pairs", str(tmp_path / "nowhere")]) == 2  # bad input: exit 2
    with pytest.raises(gap.GapError, match="odd: no noises.csv"):
        gap.noises_of(tmp_path / "odd")  # not a folder prepare.py names: no draws to replay
    names = sorted(path.name for path in (tmp_path / "more" / "noisy").iterdir())
    assert names == sorted(f"snr{snr:02d}_pkg-{who}~d{draw}.wav"
                           for snr in (0, 5, 10) for who in "ab" for draw in (1, 2))  # fmt: skip
    assert sorted(path.name for path in (tmp_path / "more" / "clean").iterdir()) == names
    first = sf.read(tmp_path / "more" / "noisy" / "snr05_pkg-a~d1.wav")[0]
    second = sf.read(tmp_path / "more" / "noisy" / "snr05_pkg-a~d2.wav")[0]
    assert first.shape == second.shape and not np.array_equal(first, second)  # other noise
    pick = load_recipe_script("pick.py", monkeypatch)
    for half in pick.halves(names):  # every SNR and draw of an utterance in one half
        assert len(half) == 6 and len({pipeline.utterance_of(names[n]) for n in half}) == 1
    prepare.build_val_ood_all(tmp_path, "again", draws=2)  # the same, byte for byte
    assert (tmp_path / "again" / "noisy" / "snr05_pkg-a~d1.wav").read_bytes() == (
        tmp_path / "more" / "noisy" / "snr05_pkg-a~d1.wav"
    ).read_bytes()
    prepare.build_val_ood_all(tmp_path, "fresh", draws=2, seed=7)  # same names, other noise
    assert sorted(path.name for path in (tmp_path / "fresh" / "noisy").iterdir()) == names
    other = sf.read(tmp_path / "fresh" / "noisy" / "snr05_pkg-a~d1.wav")[0]
    clean = sf.read(tmp_path / "fresh" / "clean" / "snr05_pkg-a~d1.wav")[0]
    assert np.array_equal(clean, sf.read(tmp_path / "more" / "clean" / "snr05_pkg-a~d1.wav")[0])
    assert not np.array_equal(other, first)
    prepare.build_val_ood_all(tmp_path)  # val_ood_all: one draw, names as they always were
    assert sorted(path.name for path in (tmp_path / "val_ood_all" / "noisy").iterdir()) == [
        f"snr{snr:02d}_pkg-{who}.wav" for snr in (0, 5, 10) for who in "ab"
    ]


def test_fetch_unpacks_into_a_fresh_folder(tmp_path, monkeypatch):
    """On a fresh machine debs/tree/ does not exist yet, and ``dpkg -x`` makes only its last
    folder: fetch must make the parents (session 18 found prepare.py failing there)."""
    sources = load_recipe_script("sources.py", monkeypatch)
    calls = []

    def run(argv, cwd=None, check=False):
        calls.append(argv[:2])
        if argv[:2] == ["apt-get", "download"]:
            (Path(cwd) / f"{argv[2]}_1.0_all.deb").write_bytes(b"")
        else:  # dpkg -x DEB TREE, as strict as dpkg about the parent
            target = Path(argv[3])
            assert target.parent.is_dir(), f"dpkg -x: {target.parent} does not exist"
            target.mkdir(exist_ok=True)

    monkeypatch.setattr(sources.subprocess, "run", run)
    tree = sources.fetch(tmp_path / "debs", ["speech-pkg", "noise-pkg"])
    assert sorted(path.name for path in tree.iterdir()) == [
        ".noise-pkg.done",
        ".speech-pkg.done",
        "noise-pkg",
        "speech-pkg",
    ]
    sources.fetch(tmp_path / "debs", ["speech-pkg", "noise-pkg"])  # all there: nothing runs
    assert calls == [["apt-get", "download"], ["dpkg", "-x"]] * 2


def test_training_on_the_fly_can_balance_the_sources(tmp_path):
    rng = np.random.default_rng(0)
    for name, count in (("clean/big", 6), ("clean/small", 2), ("noise", 2)):
        (tmp_path / name).mkdir(parents=True)
        for n in range(count):
            x = rng.standard_normal(8000) * (0.1 if name == "noise" else 0.01)
            sf.write(tmp_path / name / f"{n}.wav", x.astype(np.float32), 16000)
    files = sorted((tmp_path / "clean").rglob("*.wav"))
    assert pipeline._balanced(files, tmp_path / "clean", 1.0) is None  # every file alike
    weights = pipeline._balanced(files, tmp_path / "clean", 0.0)
    assert weights[:6].sum() == pytest.approx(0.5) and weights[6:].sum() == pytest.approx(0.5)
    run = pipeline.DenoiseRunConfig(
        data=pipeline.DenoiseDataConfig(
            clean=str(tmp_path / "clean"), noise=str(tmp_path / "noise"), val_files=2,
            window_samples=4000, balance=0.0,
        ),
        model=SMALL,
        train=pipeline.TrainConfig(epochs=1, batch_size=4, max_minutes=0),
    )  # fmt: skip
    scores = pipeline.train_denoiser(run, tmp_path / "run", progress=False)
    assert np.isfinite(scores["l1"])


def test_vocal_noise_takes_cries_by_name_and_leaves_words(tmp_path, monkeypatch):
    """prepare.py --only vocal_noise: the cries, laughs and grunts among hedgewars' and
    redeclipse's voice lines (by name) become noise; words, and what is silent, do not."""
    monkeypatch.syspath_prepend(Path(__file__).resolve().parent.parent / "recipes" / "denoise")
    prepare = load_recipe_script("prepare.py", monkeypatch)
    rng = np.random.default_rng(0)
    voices = "hedgewars-data/usr/share/games/hedgewars/Data/Sounds/voices"
    sounds = "redeclipse-data/usr/share/games/redeclipse/data/sounds"
    for path in (f"{voices}/Default/Laugh.ogg", f"{voices}/Default/Ow1.ogg",
                 f"{voices}/Pirate/ow2.ogg", f"{voices}/Default/Hello.ogg",
                 f"{voices}/Default/Hmm.ogg", f"{sounds}/voice/haha2.ogg",
                 f"{sounds}/voice/yes.ogg", f"{sounds}/announcer/fight.ogg"):  # fmt: skip
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        wav = rng.normal(0, 0.1, 8000) * (not path.endswith("Hmm.ogg"))  # Hmm: silent
        sf.write(tmp_path / path, wav.astype(np.float32), 16000, format="OGG")
    prepare.build_vocal_noise(tmp_path, tmp_path / "out")
    written = sorted(p.relative_to(tmp_path / "out") for p in (tmp_path / "out").rglob("*.wav"))
    folder = Path("train/vocal_noise")
    assert [str(p) for p in written] == [
        str(folder / "hedgewars-data/voices-Default-Laugh.wav"),
        str(folder / "hedgewars-data/voices-Default-Ow1.wav"),
        str(folder / "hedgewars-data/voices-Pirate-ow2.wav"),
        str(folder / "redeclipse-data/sounds-voice-haha2.wav"),
    ]
    with open(tmp_path / "out" / "vocal_noise.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 5 and [r["dropped_because"] for r in rows].count("") == 4
    assert any(r["member"].endswith("Hmm.ogg") and "silent" in r["dropped_because"] for r in rows)
    prepare.build_vocal_noise(tmp_path / "empty", tmp_path / "none")  # no package: a list
    assert (tmp_path / "none" / "vocal_noise.csv").read_text().startswith("package,member")


def _tones_and_noise(root: Path, folders) -> np.ndarray:
    """``count`` half-second files in each ``(folder, count)``: a 1 kHz tone (louder in each
    file) in the folder named ``extra``, quiet white noise in the others. Returns the tone."""
    rng, rate = np.random.default_rng(0), 16000
    tone = 0.1 * np.sin(2 * np.pi * 1000 * np.arange(8000) / rate)
    for name, count in folders:
        (root / name).mkdir(parents=True)
        for n in range(count):
            x = tone * (n + 1) if name == "extra" else rng.standard_normal(8000) * 0.01
            sf.write(root / name / f"{n}.wav", x.astype(np.float32), rate)
    return tone


def test_a_second_noise_folder_gets_its_share_and_clean_files_can_be_left_out(tmp_path):
    rate = 16000
    tone = _tones_and_noise(tmp_path, (("clean/pkg", 4), ("noise", 3), ("extra", 2)))
    sf.write(tmp_path / "clean/pkg/Laugh.wav", tone.astype(np.float32), rate)
    data = pipeline.DenoiseDataConfig(
        clean=str(tmp_path / "clean"), noise=str(tmp_path / "noise"), val_files=1,
        window_samples=4000, noise_extra=str(tmp_path / "extra"), noise_extra_share=0.25,
        clean_exclude=r"(?i)/laugh\.wav$",
    )  # fmt: skip
    train, val, described = pipeline.prepare_datasets(pipeline.DenoiseRunConfig(data=data))
    assert described.startswith("3 clean files mixed with 5 noise files (25% of draws from")
    used = [p.name for p in train.clean.paths + val.clean.paths]
    assert sorted(used) == ["0.wav", "1.wav", "2.wav", "3.wav"]  # Laugh.wav left out
    extra = np.array([p.parent.name == "extra" for p in train.noise.paths])
    assert extra.sum() == 2 and len(extra) == 5
    drawn = np.diff(train.noise_weights, prepend=0.0)
    assert drawn[extra].sum() == pytest.approx(0.25) and len(set(drawn[extra])) == 1
    draws = np.random.default_rng(1)
    tonal = [np.abs(train._noise_track(draws)).max() > 0.05 for _ in range(2000)]
    assert np.mean(tonal) == pytest.approx(0.25, abs=0.03)  # the extra folder's files
    alike = override(data, noise_extra="", noise_extra_share=0.0)
    unweighted = pipeline.DenoiseRunConfig(data=alike)
    assert pipeline.prepare_datasets(unweighted)[0].noise_weights is None  # as before: alike
    for changes, message in (
        ({"noise_extra_share": 0.0}, "go together"),
        ({"noise_extra": ""}, "go together"),
        ({"noise_extra_share": 1.0}, r"in \[0, 1\)"),
        ({"clean_exclude": "(unclosed"}, "clean_exclude is not a regular expression"),
        ({"noise_extra_match": "(unclosed"}, "noise_extra_match is not a regular expression"),
        ({"noise_extra": "", "noise_extra_match": "1"}, None),
        ({"noise_extra": "", "noise_extra_match": "1", "noise_extra_share": 0.0}, "go together"),
    ):
        if message is None:  # allowed: the share from matching files alone
            override(data, **changes)
            continue
        with pytest.raises(ConfigError, match=message):
            override(data, **changes)
    everything = pipeline.DenoiseRunConfig(data=override(data, clean_exclude="wav"))
    with pytest.raises(pipeline.DataError, match="clean_exclude 'wav' leaves no file"):
        pipeline.prepare_datasets(everything)
    nowhere = override(data, noise_extra=str(tmp_path / "nowhere"))
    with pytest.raises(pipeline.DataError, match="nowhere: no such folder"):
        pipeline.prepare_datasets(pipeline.DenoiseRunConfig(data=nowhere))


def test_clean_files_can_be_left_out_by_a_list(tmp_path):
    _tones_and_noise(tmp_path, (("clean/pkg", 4), ("clean/other", 2), ("noise", 3)))
    listed = tmp_path / "shouts.txt"
    listed.write_text("# chosen by a rule\npkg/1.wav\n\nother/0.wav  # a comment\n")
    data = pipeline.DenoiseDataConfig(
        clean=str(tmp_path / "clean"), noise=str(tmp_path / "noise"), val_files=1,
        window_samples=4000, clean_exclude=r"^pkg/3", clean_exclude_list=str(listed),
    )  # fmt: skip
    train, val, _ = pipeline.prepare_datasets(pipeline.DenoiseRunConfig(data=data))
    paths = train.clean.paths + val.clean.paths
    used = sorted(os.path.relpath(p, tmp_path / "clean") for p in paths)
    assert used == ["other/1.wav", "pkg/0.wav", "pkg/2.wav"]  # the list and the expression
    listed.write_text("pkg/1.wav\npkg/9.wav\n")  # a list made for other data
    with pytest.raises(pipeline.DataError, match=r"shouts.txt: 1 listed path not under .*pkg/9"):
        pipeline.prepare_datasets(pipeline.DenoiseRunConfig(data=data))
    missing = override(data, clean_exclude_list=str(tmp_path / "nowhere.txt"))
    with pytest.raises(pipeline.DataError, match="nowhere.txt: cannot read the clean_exclude_list"):
        pipeline.prepare_datasets(pipeline.DenoiseRunConfig(data=missing))
    with pytest.raises(ConfigError, match="clean_exclude_list needs a clean folder"):
        pipeline.DenoiseDataConfig(clean_exclude_list=str(listed))


def test_clean_files_can_be_kept_for_high_snr_examples(tmp_path):
    _tones_and_noise(tmp_path, (("clean/pkg", 4), ("clean/game", 2), ("noise", 3)))
    data = pipeline.DenoiseDataConfig(
        clean=str(tmp_path / "clean"), noise=str(tmp_path / "noise"), val_files=1,
        window_samples=4000, clean_high_snr=r"^game/", clean_high_snr_db=5.0,
    )  # fmt: skip
    train, _, _ = pipeline.prepare_datasets(pipeline.DenoiseRunConfig(data=data))
    game = [p.parent.name == "game" for p in train.clean.paths]
    drawn_low = np.diff(train.low_weights, prepend=0.0)
    assert any(game) and drawn_low[game].sum() == 0 and train.high_snr_db == 5.0
    assert pipeline.prepare_datasets(pipeline.DenoiseRunConfig(data=override(
        data, clean_high_snr=""
    )))[0].low_weights is None  # fmt: skip
    for pattern, which in (("^nowhere/", "no"), ("wav", "every")):
        config = pipeline.DenoiseRunConfig(data=override(data, clean_high_snr=pattern))
        with pytest.raises(pipeline.DataError, match=f"clean_high_snr .* matches {which} "):
            pipeline.prepare_datasets(config)
    with pytest.raises(ConfigError, match="clean_high_snr is not a regular expression"):
        override(data, clean_high_snr="(unclosed")
    with pytest.raises(ConfigError, match="clean_high_snr_db must be a number"):
        override(data, clean_high_snr_db=float("nan"))
    with pytest.raises(ConfigError, match="clean_high_snr needs a clean folder"):
        pipeline.DenoiseDataConfig(clean_high_snr="^game/")


def test_noise_files_matching_a_rule_are_drawn_for_the_extra_share(tmp_path):
    rate = 16000
    tone = _tones_and_noise(tmp_path, (("clean/pkg", 3), ("noise/pkg", 4), ("extra", 1)))
    sf.write(tmp_path / "noise/pkg/wolf_howl.wav", tone.astype(np.float32), rate)
    sf.write(tmp_path / "noise/pkg/wolf_quiet.wav", np.zeros(8000, np.float32), rate)
    data = pipeline.DenoiseDataConfig(
        clean=str(tmp_path / "clean"), noise=str(tmp_path / "noise"), val_files=1,
        window_samples=4000, noise_extra_match=r"(?i)^pkg/wolf", noise_extra_share=0.3,
    )  # fmt: skip
    with pytest.warns(UserWarning, match="wolf_quiet.wav"):  # silent: left out, and not counted
        train, _, described = pipeline.prepare_datasets(pipeline.DenoiseRunConfig(data=data))
    assert (
        "30% of draws from the 1 file of" in described and "matching '(?i)^pkg/wolf'" in described
    )
    drawn = np.diff(train.noise_weights, prepend=0.0)
    wolf = np.array([p.name == "wolf_howl.wav" for p in train.noise.paths])
    assert len(wolf) == 5 and drawn[wolf].sum() == pytest.approx(0.3)
    assert set(np.round(drawn[~wolf], 12)) == {round(0.7 / 4, 12)}
    both = override(data, noise_extra=str(tmp_path / "extra"))  # with a second folder's files
    with pytest.warns(UserWarning, match="wolf_quiet.wav"):
        train, _, described = pipeline.prepare_datasets(pipeline.DenoiseRunConfig(data=both))
    assert f"from {tmp_path / 'extra'} and the 1 file of" in described
    drawn = np.diff(train.noise_weights, prepend=0.0)
    toned = np.array(
        [p.name == "wolf_howl.wav" or p.parent.name == "extra" for p in train.noise.paths]
    )
    assert (
        len(toned) == 6 and drawn[toned].sum() == pytest.approx(0.3) and len(set(drawn[toned])) == 1
    )
    draws = np.random.default_rng(1)
    tonal = [np.abs(train._noise_track(draws)).max() > 0.05 for _ in range(2000)]
    assert np.mean(tonal) == pytest.approx(0.3, abs=0.03)
    nothing = override(data, noise_extra_match="bird")
    with pytest.raises(pipeline.DataError, match="noise_extra_match .bird. matches no file"):
        pipeline.prepare_datasets(pipeline.DenoiseRunConfig(data=nothing))
    everything = override(data, noise_extra_match="wav")
    everywhere = pytest.raises(pipeline.DataError, match="no audible noise there, or none else in")
    with everywhere, pytest.warns(UserWarning, match="wolf_quiet.wav"):
        pipeline.prepare_datasets(pipeline.DenoiseRunConfig(data=everything))


def test_silent_noise_files_are_left_out_with_a_warning(tmp_path):
    rng = np.random.default_rng(0)
    for name, count in (("clean", 3), ("noise", 2)):
        (tmp_path / name).mkdir()
        for n in range(count):
            x = rng.standard_normal(8000) * (0.1 if name == "noise" else 0.01)
            sf.write(tmp_path / name / f"{n}.wav", x.astype(np.float32), 16000)
    sf.write(tmp_path / "noise" / "quiet.wav", np.zeros(8000, np.float32), 16000)
    data = pipeline.DenoiseDataConfig(
        clean=str(tmp_path / "clean"), noise=str(tmp_path / "noise"), val_files=1,
        window_samples=4000,
    )  # fmt: skip
    with pytest.warns(UserWarning, match=r"1 silent noise file left out \(.*quiet\.wav\)"):
        train, _, described = pipeline.prepare_datasets(pipeline.DenoiseRunConfig(data=data))
    assert [p.name for p in train.noise.paths] == ["0.wav", "1.wav"]
    assert "with 2 noise files" in described
    for n in range(2):
        sf.write(tmp_path / "noise" / f"{n}.wav", np.zeros(8000, np.float32), 16000)
    with pytest.raises(pipeline.DataError, match="every noise file is silent"):
        pipeline.prepare_datasets(pipeline.DenoiseRunConfig(data=data))


def test_noise_alone_reports_the_db_each_method_takes_off_per_kind(tmp_path, monkeypatch, capsys):
    noise_alone = load_recipe_script("noise_alone.py", monkeypatch)
    rng = np.random.default_rng(0)
    for stem in ("human-a", "human-b", "fauna-c"):
        (tmp_path / "noise" / "pkg").mkdir(parents=True, exist_ok=True)
        wav = rng.normal(0, 0.3, 4000).astype(np.float32)  # 0.25 s: padded to 0.5 s
        sf.write(tmp_path / "noise" / "pkg" / f"{stem}.wav", wav, 16000)
    methods = {"keep": lambda x: x, "halve": lambda x: x / 2, "drop": lambda x: 0 * x}
    rows = noise_alone.measure(
        noise_alone.list_audio_files(tmp_path / "noise"), tmp_path / "noise", methods, -26.0,
        np.zeros(0), progress=False,
    )  # fmt: skip
    assert set(rows) == {"pkg human", "pkg fauna"}
    assert rows["pkg human"]["keep"] == pytest.approx([0.0, 0.0], abs=1e-6)
    assert rows["pkg human"]["halve"] == pytest.approx([-6.02, -6.02], abs=0.01)
    # after speech, only the noise's part of the output counts
    lead, noise = np.ones(800), rng.normal(0, 1, 100)
    after = np.arange(900) >= 800
    assert noise_alone.taken_off_db(lambda x: x * after, noise, lead) == pytest.approx(0, abs=1e-6)
    assert noise_alone.taken_off_db(lambda x: x * ~after, noise, lead) < -100
    report = noise_alone.report(rows, list(methods), min_files=1)
    assert "pkg human" in report and report.splitlines()[-1].split()[1] == "3"
    assert noise_alone.main(["--noise", str(tmp_path / "nowhere")]) == 2  # bad input: exit 2
    assert "no audio files" in capsys.readouterr().out


def test_fundamentals_finds_a_voice_above_the_pitch_search(tmp_path, monkeypatch, capsys):
    import soundfile as sf

    fundamentals = load_recipe_script("fundamentals.py", monkeypatch)
    t = np.arange(16000) / 16000
    for name, f0 in (("low.wav", 200.0), ("high.wav", 700.0), ("shrill.wav", 800.0)):
        harmonics = sum(np.sin(2 * np.pi * k * f0 * t) / k for k in range(1, 4))
        sf.write(tmp_path / name, (0.2 * harmonics).astype(np.float32), 16000)
    sf.write(tmp_path / "silent.wav", np.zeros(16000, np.float32), 16000)
    assert fundamentals.median_fundamental(tmp_path / "high.wav") == pytest.approx(700, rel=0.03)
    assert fundamentals.median_fundamental(tmp_path / "silent.wav") is None
    assert fundamentals.main([str(tmp_path), "--files", "4"]) == 0
    row = capsys.readouterr().out.splitlines()[-1].split()
    assert row[1] == "3" and float(row[2]) == pytest.approx(700, rel=0.03) and row[-1] == "67%"
    assert fundamentals.main([str(tmp_path / "none")]) == 2
    assert "none: not a folder" in capsys.readouterr().out
    (tmp_path / "broken.wav").write_bytes(b"RIFF not audio")
    assert fundamentals.main([str(tmp_path)]) == 2  # bad input: one line, exit 2
    assert "broken.wav" in capsys.readouterr().out


def test_shouts_lists_the_lines_raised_above_their_speakers_usual(tmp_path, monkeypatch, capsys):
    import soundfile as sf

    shouts = load_recipe_script("shouts.py", monkeypatch)
    t = np.arange(16000) / 16000
    clean = tmp_path / "clean"
    voices = {
        "hedgewars-data": {"voices-A-Hello": 150, "voices-A-Bye": 160, "voices-A-Nooo": 320,
                           "voices-B-Hello": 300, "voices-B-Yes": 310},
        "redeclipse-data": {"sounds-announcer-win": 100},
        "openarena-data": {"voices-tts-go": 120},
    }  # fmt: skip
    for package, lines in voices.items():
        (clean / package).mkdir(parents=True)
        for name, f0 in lines.items():
            harmonics = sum(np.sin(2 * np.pi * k * f0 * t) / k for k in range(1, 4))
            sf.write(clean / package / f"{name}.wav", (0.2 * harmonics).astype(np.float32), 16000)
    assert shouts.speaker(clean / "hedgewars-data/voices-A-Nooo.wav") == "hedgewars-data/voices-A"
    out, measures = tmp_path / "shouts.txt", tmp_path / "measures.csv"
    argv = ["--clean", str(clean), "--out", str(out), "--measures", str(measures)]
    assert shouts.main(argv) == 0
    listed = [line.split("#")[0].strip() for line in out.read_text().splitlines()]
    # A's usual is 160 Hz: 320 Hz is 12 semitones up; B's lines are all B's usual, however high
    assert [line for line in listed if line] == ["hedgewars-data/voices-A-Nooo.wav"]
    assert "# hedgewars-data: 1 of 5 files" in out.read_text()
    assert len(measures.read_text().splitlines()) == 1 + 7
    data = pipeline.DenoiseDataConfig(
        clean=str(clean), noise=str(clean), clean_exclude_list=str(out)
    )
    kept = pipeline._not_excluded(sorted(clean.rglob("*.wav")), data)  # the list the recipes use
    assert len(kept) == 6 and not any(p.name == "voices-A-Nooo.wav" for p in kept)
    assert shouts.main(["--clean", str(tmp_path / "none")]) == 2
    assert "none/hedgewars-data: not a folder" in capsys.readouterr().out
