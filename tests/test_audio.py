"""Loading, saving, resampling and framing; bad input gives AudioError and nothing else."""

import io
import struct
import warnings

import numpy as np
import pytest
import soundfile as sf
import torch
from hypothesis import given
from hypothesis import strategies as st

from audiocnn.audio import (
    AudioError,
    frame,
    load_audio,
    rate_ratio,
    read_blocks,
    resample,
    save_audio,
)
from tests.conftest import tone


@pytest.mark.parametrize(
    "suffix,subtype",
    [
        (".wav", "PCM_U8"),
        (".wav", "PCM_16"),
        (".wav", "PCM_24"),
        (".wav", "PCM_32"),
        (".wav", "FLOAT"),
        (".flac", "PCM_16"),
        (".ogg", "VORBIS"),
        (".aiff", "PCM_16"),
        (".au", "PCM_16"),
    ],
)
def test_formats_load_as_float32_in_range(tmp_path, suffix, subtype):
    wav = tone(440, 0.5, 22050)
    path = tmp_path / f"x{suffix}"
    sf.write(path, wav, 22050, subtype=subtype, format="AU" if suffix == ".au" else None)
    loaded, rate = load_audio(path)
    assert rate == 22050 and loaded.dtype == torch.float32 and loaded.shape == (1, wav.size)
    assert loaded.abs().max() <= 1.0
    tolerance = 0.1 if subtype == "VORBIS" else 1 / 2**7
    assert np.abs(loaded[0].numpy() - wav).max() < tolerance


def test_stereo_mixes_down_on_request(tmp_path):
    left, right = tone(300, 0.2, 8000), tone(500, 0.2, 8000, seed=1)
    sf.write(tmp_path / "s.wav", np.stack([left, right], 1), 8000, subtype="FLOAT")
    stereo, _ = load_audio(tmp_path / "s.wav", mono=False)
    mono, _ = load_audio(tmp_path / "s.wav")
    assert stereo.shape == (2, left.size)
    torch.testing.assert_close(mono[0], torch.from_numpy((left + right) / 2))


@pytest.mark.parametrize("new_rate", [16000, 11025, 22050 / 8, 44100])
def test_resample_preserves_a_tone_and_length(tmp_path, new_rate):
    sf.write(tmp_path / "t.wav", tone(200, 1.0, 22050), 22050, subtype="FLOAT")
    wav, rate = load_audio(tmp_path / "t.wav", new_rate)
    assert rate == new_rate and wav.shape[-1] == int(np.ceil(22050 * new_rate / 22050))
    spectrum = np.abs(np.fft.rfft(wav[0].numpy()))
    peak_hz = np.argmax(spectrum) * new_rate / wav.shape[-1]
    assert abs(peak_hz - 200) < 2


@pytest.mark.parametrize(
    "orig,new", [(22050, 16000), (22050, 11025), (22050, 22050 / 8), (16000, 8000), (8000, 22050)]
)
@pytest.mark.parametrize("length", [1, 37, 5000])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_resample_matches_torchaudio_functional(orig, new, length, dtype):
    # Decimation runs several frames per convolution; the sums are torchaudio's own.
    import torchaudio.functional as AF

    x = torch.randn(3, 2, length, dtype=dtype)
    a, b = rate_ratio(orig, new)
    expected = AF.resample(x.double(), a, b).to(dtype)
    got = resample(x, orig, new)
    assert got.shape == expected.shape and got.dtype == dtype
    atol = 1e-5 if dtype == torch.float32 else 1e-12
    torch.testing.assert_close(got, expected, rtol=0, atol=atol)
    assert rate_ratio(22050, 22050 / 8) == (8, 1)


def test_save_is_atomic_clips_and_keeps_subtype(tmp_path):
    path = tmp_path / "out.wav"
    with pytest.warns(UserWarning, match="clipping"):
        save_audio(path, torch.tensor([[0.5, 2.0, -3.0]]), 16000, subtype="PCM_16")
    data, _ = sf.read(path, dtype="float32")
    assert data[1] == pytest.approx(1.0, abs=1e-4) and data[2] == -1.0  # clipped, not wrapped
    assert sf.info(str(path)).subtype == "PCM_16"
    assert [p.name for p in tmp_path.iterdir()] == ["out.wav"]  # no temp file left behind


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("suffix", [".wav", ".w64", ".aiff", ".au", ".flac"])
def test_16_bit_samples_read_and_written_as_libsndfile_converts_them(tmp_path, suffix, dtype):
    # 16-bit files are read as integers and, where libsndfile floors, written as integers
    # converted here: the floats and the integers must be the very ones it makes itself.
    rng = np.random.default_rng(0)
    # just below a step, for quiet samples (float32 can hold them): libsndfile rounds these up
    steps = rng.integers(-100, 100, 20000) - rng.uniform(0, 2e-5, 20000)
    halves = (np.arange(-32768, 32768, dtype=np.float32) + 0.5) / np.float32(32768)
    extremes = np.array([1.0, -1.0, 0.0, 0.99999, 1.5, -2.0], np.float32)
    wav = [rng.uniform(-1, 1, 20000), rng.uniform(-0.01, 0.01, 20000), steps / 32768, halves]
    wav = np.concatenate([*(part.astype(np.float32) for part in wav), extremes]).astype(dtype)
    theirs, ours = tmp_path / f"theirs{suffix}", tmp_path / f"ours{suffix}"
    fmt = "AU" if suffix == ".au" else None
    sf.write(theirs, np.clip(wav, -1, 1), 16000, subtype="PCM_16", format=fmt)
    with pytest.warns(UserWarning, match="clipping"):
        save_audio(ours, torch.from_numpy(wav)[None], 16000, subtype="PCM_16")
    assert sf.info(str(ours)).subtype == "PCM_16"
    np.testing.assert_array_equal(
        sf.read(ours, dtype="int16")[0], sf.read(theirs, dtype="int16")[0]
    )
    loaded, _ = load_audio(theirs)
    np.testing.assert_array_equal(loaded[0].numpy(), sf.read(theirs, dtype="float32")[0])
    blocks = np.concatenate(list(read_blocks(theirs, 7000)))[:, 0]
    np.testing.assert_array_equal(blocks, sf.read(theirs, dtype="float32")[0])


def test_save_refuses_to_overwrite_its_input(tmp_path):
    path = tmp_path / "in.wav"
    sf.write(path, tone(100, 0.1, 8000), 8000)
    before = path.read_bytes()
    with pytest.raises(AudioError, match="overwrite the input"):
        save_audio(path, torch.zeros(1, 10), 8000, source=path)
    assert path.read_bytes() == before


def test_frame_pads_or_drops_the_last_window():
    x = torch.arange(10.0)
    padded = frame(x, 4, 3)
    assert padded.shape == (3, 4)
    torch.testing.assert_close(padded[-1], torch.tensor([6.0, 7.0, 8.0, 9.0]))
    assert frame(x, 4, 4).shape == (3, 4) and frame(x, 4, 4)[-1, -2:].abs().sum() == 0
    assert frame(x, 4, 4, pad=False).shape == (2, 4)
    assert frame(x[:3], 4, 4).shape == (1, 4)  # shorter than a window: padded, not rejected
    assert frame(torch.zeros(2, 3, 100), 10, 5).shape == (2, 3, 19, 10)


# --- bad input ----------------------------------------------------------------------------------


def test_each_bad_input_names_the_file_and_the_problem(tmp_path):
    cases = {
        "missing.wav": (None, "no such file"),
        "empty.wav": (b"", "empty file"),
        "text.wav": (b"this is not audio at all\n" * 10, "not a readable audio file"),
        "truncated.wav": (None, "not a readable audio file"),
        "zero.wav": (None, "zero-length"),
        "nan.wav": (None, "NaN or Inf"),
    }
    buffer = io.BytesIO()
    sf.write(buffer, tone(100, 0.5, 8000), 8000, format="WAV")
    cases["truncated.wav"] = (buffer.getvalue()[:30], cases["truncated.wav"][1])
    for name, (content, _) in cases.items():
        if content is not None:
            (tmp_path / name).write_bytes(content)
    sf.write(tmp_path / "zero.wav", np.zeros(0, np.float32), 8000)
    sf.write(tmp_path / "nan.wav", np.array([0.1, np.nan, 0.2], np.float32), 8000, subtype="FLOAT")
    for name, (_, problem) in cases.items():
        with pytest.raises(AudioError) as info:
            load_audio(tmp_path / name)
        assert str(tmp_path / name) in str(info.value) and problem in str(info.value)
        assert "\n" not in str(info.value)
    with pytest.raises(AudioError, match="is a folder"):
        load_audio(tmp_path)


@given(content=st.binary(min_size=1, max_size=600))
def test_random_bytes_load_or_raise_audio_error(tmp_path, content):
    path = tmp_path / "random.wav"
    path.write_bytes(content)
    _load_or_audio_error(path)


def wav_header(channels, rate, bits, fmt, n_bytes):
    block = channels * bits // 8
    return (
        b"RIFF"
        + struct.pack("<I", 36 + n_bytes)
        + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, fmt, channels, rate, rate * block, block, bits)
        + b"data"
        + struct.pack("<I", n_bytes)
    )


@given(
    channels=st.integers(0, 3),
    rate=st.integers(0, 200000),
    bits=st.sampled_from([0, 8, 12, 16, 24, 32, 64]),
    fmt=st.sampled_from([1, 3, 6, 7, 0xFFFE, 99]),
    body=st.binary(max_size=400),
    claimed=st.integers(0, 2**32 - 1),
)
def test_random_wav_headers_load_or_raise_audio_error(
    tmp_path, channels, rate, bits, fmt, body, claimed
):
    path = tmp_path / "header.wav"
    path.write_bytes(wav_header(channels, rate, bits, fmt, claimed % 4096) + body)
    _load_or_audio_error(path)


def _load_or_audio_error(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            wav, rate = load_audio(path, 8000)
        except AudioError as error:
            assert str(path) in str(error)
            return
    assert wav.dtype == torch.float32 and wav.dim() == 2 and torch.isfinite(wav).all()


def test_odd_rate_pairs_are_approximated_not_exhausting_memory():
    with pytest.warns(UserWarning, match="ppm"):
        orig, new = rate_ratio(199999, 8000)
    assert orig * new <= 2_000_000 and abs(orig / new / (199999 / 8000) - 1) < 1e-3
    with pytest.warns(UserWarning, match="ppm"):
        y = resample(torch.randn(1, 22051), 22051, 16000)
    assert abs(y.shape[-1] - 16000) <= 2


@pytest.mark.parametrize(
    "orig,new",
    [(44100, 16000), (8000, 16000), (22050, 16000), (16000, 16000), (22050, 22050 / 8)],
)
@pytest.mark.parametrize("block", [1, 999, 10000])
def test_streaming_resampler_equals_whole_signal(orig, new, block):
    from audiocnn.audio import StreamingResampler

    x = torch.randn(2, 12345)
    expected = resample(x, orig, new)
    stream = StreamingResampler(orig, new, channels=2)
    pieces = [stream.push(x[:, i : i + block]) for i in range(0, x.shape[-1], block)]
    got = torch.cat([*pieces, stream.flush()], dim=-1)
    assert got.shape == expected.shape
    torch.testing.assert_close(got, expected, rtol=0, atol=1e-5)


def test_outputs_get_ordinary_permissions(tmp_path):
    import os

    umask = os.umask(0)
    os.umask(umask)
    path = save_audio(tmp_path / "x.wav", torch.zeros(1, 10), 8000)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask
