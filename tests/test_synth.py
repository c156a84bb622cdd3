"""The built-in corpora: deterministic, balanced, the right length, never clipped, loadable."""

import hashlib
import json

import numpy as np
import pytest
import soundfile as sf
import torch

from audiocnn import synth
from audiocnn.audio import load_audio
from audiocnn.data import find_pairs, scan_genre_folder

SMALL = synth.GenreCorpusConfig(tracks_per_genre=2, seconds=3.0, seed=7)


def digest(folder):
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*.wav"))
    }


def test_genre_corpus_is_deterministic_balanced_and_clean(tmp_path):
    a = synth.write_genre_corpus(tmp_path / "a", SMALL, workers=1, progress=False)
    b = synth.write_genre_corpus(tmp_path / "b", SMALL, workers=2, progress=False)
    assert digest(a) == digest(b) and len(digest(a)) == 8
    other = synth.write_genre_corpus(
        tmp_path / "c", synth.GenreCorpusConfig(2, 3.0, seed=8), workers=1, progress=False
    )
    assert digest(other) != digest(a)
    folder = scan_genre_folder(a)
    assert folder.labels == sorted(synth.GENRES) and not folder.is_gtzan  # corpus.json marks it
    assert [sum(t.label == i for t in folder.tracks) for i in range(4)] == [2, 2, 2, 2]
    assert folder.tracks[0].path.name == "blues.00000.wav"
    for track in folder.tracks:
        info = sf.info(str(track.path))
        assert info.samplerate == 22050 and info.channels == 1 and info.frames == 3 * 22050
        wav, _ = load_audio(track.path)
        assert np.isfinite(wav.numpy()).all() and 0.01 < wav.abs().max() < 0.99
    assert json.loads((a / "corpus.json").read_text())["seed"] == 7


def test_genres_differ_in_tempo_ranges_that_overlap():
    assert synth.TEMPO_RANGES["hiphop"][0] < synth.TEMPO_RANGES["blues"][1]
    assert synth.TEMPO_RANGES["country"][0] < synth.TEMPO_RANGES["hiphop"][1]


def test_denoise_corpus_pairs_at_the_requested_snr(tmp_path):
    config = synth.DenoiseCorpusConfig(clips=6, seconds=1.0, snr_db=(5.0, 5.0), seed=3)
    out = synth.write_denoise_corpus(tmp_path / "d", config, workers=1, progress=False)
    clean_paths, noisy_paths = find_pairs(out)
    assert len(clean_paths) == 6
    for clean_path, noisy_path in zip(clean_paths, noisy_paths, strict=True):
        clean, rate = load_audio(clean_path)
        noisy, _ = load_audio(noisy_path)
        assert rate == 16000 and clean.shape == noisy.shape == (1, 16000)
        assert noisy.abs().max() < 1.0
        snr = 10 * torch.log10(clean.square().sum() / (noisy - clean).square().sum()).item()
        assert snr == pytest.approx(5.0, abs=0.3)  # 16-bit rounding of both files


@pytest.mark.parametrize("kind", synth.NOISE_KINDS)
def test_noise_kinds_have_unit_rms(kind):
    x = synth.noise_signal(kind, 16000, 16000, np.random.default_rng(0))
    assert np.sqrt(np.mean(x**2)) == pytest.approx(1.0, rel=1e-6) and np.isfinite(x).all()


def test_pink_and_brown_noise_tilt_downwards():
    rng = np.random.default_rng(1)
    for kind, slope in (("pink", -1.0), ("brown", -2.0)):
        x = synth.colored_noise(2**16, rng, kind)
        power = np.abs(np.fft.rfft(x)) ** 2
        f = np.arange(power.size)
        fitted = np.polyfit(np.log(f[10:]), np.log(power[10:] + 1e-20), 1)[0]
        assert fitted == pytest.approx(slope, abs=0.15)


def test_builtin_corpus_is_generated_once(monkeypatch, isolated_cache):
    first = synth.builtin_genre_corpus(synth.GenreCorpusConfig(1, 1.0))
    assert first.is_relative_to(isolated_cache)
    monkeypatch.setattr(synth, "write_genre_corpus", lambda *a, **k: pytest.fail("regenerated"))
    assert synth.builtin_genre_corpus(synth.GenreCorpusConfig(1, 1.0)) == first


def test_cli_writes_a_corpus(tmp_path):
    assert synth.main(["genre", str(tmp_path / "g"), "--tracks", "1", "--seconds", "1"]) == 0
    assert len(list((tmp_path / "g").rglob("*.wav"))) == 4


def test_plot_shows_one_track_per_genre(tmp_path):
    corpus = synth.write_genre_corpus(
        tmp_path / "g", synth.GenreCorpusConfig(1, 2.0), workers=1, progress=False
    )
    assert synth.main(["plot", str(corpus), str(tmp_path / "corpus.png")]) == 0
    assert (tmp_path / "corpus.png").read_bytes()[:4] == b"\x89PNG"
