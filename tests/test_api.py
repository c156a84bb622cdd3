"""The two-line Python API: audiocnn.load_denoiser() and audiocnn.load_genre_classifier()."""

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch

import audiocnn
from audiocnn.checkpoint import CheckpointError
from audiocnn.denoise import pipeline
from audiocnn.denoise.stream import denoise_array
from audiocnn.genre import cli as genre_cli
from tests.conftest import tone
from tests.test_genre import small_genre_checkpoint


def test_load_denoiser_denoises_arrays_of_any_shape_type_and_rate(tmp_path):
    denoiser = audiocnn.load_denoiser()
    assert denoiser.sample_rate == 16000 and "Denoiser(" in repr(denoiser)
    noisy = tone(440, 0.5, 22050) + 0.05 * np.random.default_rng(0).standard_normal(11025)
    clean = denoiser.denoise(noisy.astype(np.float32), sample_rate=22050)
    assert isinstance(clean, np.ndarray) and clean.shape == noisy.shape
    model, rate = pipeline.load_denoiser()
    expected = denoise_array(model, torch.from_numpy(noisy.astype(np.float32))[None], 22050, rate)
    np.testing.assert_array_equal(clean, expected[0].numpy())
    stereo = torch.from_numpy(np.stack([noisy, noisy[::-1].copy()]).astype(np.float32))
    out = denoiser.denoise(stereo, 22050)
    assert isinstance(out, torch.Tensor) and out.shape == stereo.shape
    torch.testing.assert_close(out[0], torch.from_numpy(clean))


def test_the_gentle_variant_by_name(tmp_path, monkeypatch, capsys):
    gentle = audiocnn.load_denoiser("gentle")
    assert gentle.path == pipeline.SHIPPED_VARIANTS["gentle"]
    noisy = tone(440, 0.5, 16000) + 0.05 * np.random.default_rng(0).standard_normal(8000)
    noisy = noisy.astype(np.float32)
    assert not np.array_equal(
        gentle.denoise(noisy, 16000), audiocnn.load_denoiser().denoise(noisy, 16000)
    )
    # a file of that name is what it names
    monkeypatch.chdir(tmp_path)
    (tmp_path / "gentle").write_bytes(b"not a checkpoint")
    assert pipeline.weights_path("gentle") == Path("gentle")
    with pytest.raises(CheckpointError):
        audiocnn.load_denoiser("gentle")
    # the command line takes the name too, and says so when the install lacks the file
    (tmp_path / "gentle").unlink()
    monkeypatch.setitem(pipeline.SHIPPED_VARIANTS, "gentle", tmp_path / "missing.pt")
    from audiocnn.denoise import cli

    sf.write(tmp_path / "in.wav", noisy, 16000)
    assert cli.main(["run", "in.wav", "-o", "out.wav", "--checkpoint", "gentle", "--quiet"]) == 2
    assert "missing.pt: the shipped weights are missing" in capsys.readouterr().err


def test_integer_samples_are_scaled_and_a_transposed_array_is_refused():
    denoiser = audiocnn.load_denoiser()
    pcm = (np.random.default_rng(2).standard_normal(8000) * 3000).astype(np.int16)
    floats = denoiser.denoise(pcm.astype(np.float32) / 32768, sample_rate=16000)
    np.testing.assert_array_equal(denoiser.denoise(pcm, sample_rate=16000), floats)
    np.testing.assert_array_equal(denoiser.denoise(torch.from_numpy(pcm), 16000).numpy(), floats)
    # soundfile reads (time, channels): more channels than samples is refused, not denoised
    with pytest.raises(ValueError, match=r"more channels than samples.*audio\.T"):
        denoiser.denoise(np.zeros((8000, 2), np.float32), sample_rate=16000)
    for empty in (np.zeros(0, np.float32), []):
        with pytest.raises(ValueError, match="empty audio"):
            denoiser.denoise(empty, sample_rate=16000)
    samples = np.zeros(800, np.float32)
    complex_tensor = torch.zeros(800, dtype=torch.cfloat)
    for bad in (samples > 0, samples.astype(np.complex64), complex_tensor, ["a"] * 800, "0.5"):
        with pytest.raises(ValueError, match="is not samples"):
            denoiser.denoise(bad, sample_rate=16000)
    for rate in (0, -16000, float("nan"), float("inf"), "16k", None, True):
        with pytest.raises(ValueError, match="sample_rate must be a"):
            denoiser.denoise(samples, sample_rate=rate)


def test_denoise_file_equals_the_command_line(tmp_path):
    src = tmp_path / "in.wav"
    sf.write(src, tone(300, 1.0, 16000), 16000)
    result = audiocnn.load_denoiser().denoise_file(src, tmp_path / "api.wav")
    assert result["frames"] == 16000
    from audiocnn.denoise import cli

    assert cli.main([str(src), "-o", str(tmp_path / "cli.wav"), "--quiet"]) == 0
    assert (tmp_path / "api.wav").read_bytes() == (tmp_path / "cli.wav").read_bytes()


def test_load_genre_classifier_predicts_files_and_arrays_as_the_cli_does(tmp_path, capsys):
    ckpt = small_genre_checkpoint(tmp_path / "m.pt")
    song = tmp_path / "song.wav"
    sf.write(song, tone(500, 2.0, 11025), 11025)
    classifier = audiocnn.load_genre_classifier(ckpt)
    assert classifier.labels == list("abcd")
    top = classifier.predict(song)
    assert genre_cli.main(["predict", str(song), "--checkpoint", str(ckpt), "--json"]) == 0
    import json

    cli_top = json.loads(capsys.readouterr().out)[0]["top"]
    assert [t["genre"] for t in top] == [t["genre"] for t in cli_top]
    assert [round(t["probability"], 4) for t in top] == [t["probability"] for t in cli_top]
    wav, _ = sf.read(song, dtype="float32")
    from_array = classifier.predict(wav, sample_rate=11025, top=4)
    assert len(from_array) == 4 and from_array[0]["genre"] == top[0]["genre"]
    assert sum(t["probability"] for t in from_array) == pytest.approx(1.0, abs=1e-5)
    with pytest.raises(ValueError, match="sample_rate"):
        classifier.predict(wav)


def test_load_genre_classifier_without_a_path_says_what_to_pass():
    with pytest.raises(CheckpointError, match="ships no genre weights yet"):
        audiocnn.load_genre_classifier()


def test_an_attenuation_limit_in_the_api_and_on_the_command_line(tmp_path, capsys):
    src = tmp_path / "in.wav"
    noisy = tone(300, 1.0, 16000) + 0.1 * np.random.default_rng(1).standard_normal(16000)
    sf.write(src, noisy.astype(np.float32), 16000)
    full, mild = audiocnn.load_denoiser(), audiocnn.load_denoiser(limit_db=6)
    assert "at most 6 dB removed" in repr(mild) and "removed" not in repr(full)
    # half the input (6 dB) mixed back: the mild output lies between the full one and the input
    a, b = full.denoise(noisy, 16000), mild.denoise(noisy, 16000)
    assert np.linalg.norm(b - noisy) < np.linalg.norm(a - noisy)
    result = mild.denoise_file(src, tmp_path / "api.wav")
    assert result["frames"] == 16000
    from audiocnn.denoise import cli

    out = tmp_path / "cli.wav"
    assert cli.main([str(src), "-o", str(out), "--limit-db", "6", "--quiet"]) == 0
    assert (tmp_path / "api.wav").read_bytes() == out.read_bytes()
    assert cli.main([str(src), "-o", str(tmp_path / "x.wav"), "--limit-db", "0", "--quiet"]) == 2
    assert "attenuation limit must be a number of dB above 0" in capsys.readouterr().err
    assert not (tmp_path / "x.wav").exists()


def test_int8_products_in_the_api_and_on_the_command_line(tmp_path, capsys):
    from dataclasses import asdict

    from audiocnn import checkpoint
    from audiocnn.denoise import cli
    from audiocnn.models import SeedFIRDenoiserConfig, model_of

    src = tmp_path / "in.wav"
    noisy = tone(300, 1.0, 16000) + 0.1 * np.random.default_rng(2).standard_normal(16000)
    sf.write(src, noisy.astype(np.float32), 16000)
    full, int8 = audiocnn.load_denoiser(), audiocnn.load_denoiser(int8=True)
    assert "int8 products" in repr(int8) and "int8" not in repr(full)
    a, b = full.denoise(noisy, 16000), int8.denoise(noisy, 16000)
    assert not np.array_equal(a, b)
    assert np.linalg.norm(b - a) < 0.05 * np.linalg.norm(a)  # the 7-bit rounding, no more
    int8.denoise_file(src, tmp_path / "api.wav")  # in blocks: the same as the whole
    whole = int8.denoise(sf.read(src, dtype="float32")[0], 16000)  # the samples the file holds
    np.testing.assert_allclose(sf.read(tmp_path / "api.wav")[0], whole, rtol=0, atol=1 / 32768)
    out = tmp_path / "cli.wav"
    assert cli.main([str(src), "-o", str(out), "--int8", "--quiet"]) == 0
    assert (tmp_path / "api.wav").read_bytes() == out.read_bytes()
    seed = tmp_path / "seed.pt"  # a design without a gain network to quantise
    config = SeedFIRDenoiserConfig()
    checkpoint.save(
        seed,
        {
            "task": "denoise",
            "model_name": "SeedFIRDenoiser",
            "model_config": asdict(config),
            "sample_rate": 16000,
            "state_dict": model_of(config).state_dict(),
        },
    )
    argv = [str(src), "-o", str(tmp_path / "x.wav"), "--checkpoint", str(seed), "--int8"]
    assert cli.main([*argv, "--quiet"]) == 2
    assert (
        "int8 products need the spectral denoiser, not SeedFIRDenoiser" in capsys.readouterr().err
    )
    assert not (tmp_path / "x.wav").exists()
