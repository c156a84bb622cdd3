"""Genre folders, splits, the decoded cache, window datasets and denoise data."""

import os
import warnings
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch

from audiocnn import data
from audiocnn.data import DataError, scan_genre_folder, split_tracks
from tests.conftest import tone, write_genre_tree


def test_scan_accepts_gtzan_layouts_and_subsets(tmp_path):
    write_genre_tree(tmp_path / "genres", genres=("blues", "country", "metal"))
    folder = scan_genre_folder(tmp_path)  # finds genres/ inside
    assert folder.labels == ["blues", "country", "metal"] and len(folder.tracks) == 9
    assert folder.is_gtzan
    subset = scan_genre_folder(tmp_path / "genres", ["metal", "blues"])
    assert subset.labels == ["metal", "blues"]
    assert {t.path.parent.name for t in subset.tracks if t.label == 0} == {"metal"}


def test_scan_errors_name_the_folder(tmp_path):
    with pytest.raises(DataError, match="no such folder"):
        scan_genre_folder(tmp_path / "nope")
    with pytest.raises(DataError, match="no genre folders"):
        scan_genre_folder(tmp_path)
    (tmp_path / "jazz").mkdir()
    (tmp_path / "jazz" / "notes.txt").write_text("x")
    with pytest.raises(DataError, match="jazz: genre folder has no audio"):
        scan_genre_folder(tmp_path)
    with pytest.raises(DataError, match="no folder for genre"):
        scan_genre_folder(tmp_path, ["rock"])


def test_stratified_split_is_track_level_seeded_and_balanced(tmp_path):
    write_genre_tree(tmp_path, genres=("a", "b", "c", "d"), per_genre=10, seconds=0.1)
    folder = scan_genre_folder(tmp_path)
    assert not folder.is_gtzan  # file names do not match the genre folder names
    split = split_tracks(folder, test_size=0.2, val_size=0.1, seed=1)
    paths = {part: {t.path for t in tracks} for part, tracks in split.items()}
    assert len(paths["test"]) == 8 and len(paths["val"]) == 4 and len(paths["train"]) == 28
    assert not (paths["train"] & paths["test"]) and not (paths["train"] & paths["val"])
    assert sorted(t.label for t in split["test"]) == [0, 0, 1, 1, 2, 2, 3, 3]
    again = split_tracks(folder, test_size=0.2, val_size=0.1, seed=1)
    assert [t.path for t in again["test"]] == [t.path for t in split["test"]]
    notebook = split_tracks(folder, test_size=0.2, val_size=0, seed=1)
    assert notebook["val"] == [] and len(notebook["train"]) == 32


def test_gtzan_split_uses_torchaudio_filtered_lists(tmp_path):
    from torchaudio.datasets import gtzan

    write_genre_tree(tmp_path, genres=("blues",), per_genre=40, seconds=0.05)
    split = split_tracks(scan_genre_folder(tmp_path))
    for part, names in [
        ("train", gtzan.filtered_train),
        ("val", gtzan.filtered_valid),
        ("test", gtzan.filtered_test),
    ]:
        expected = sorted(n for n in names if n.startswith("blues.") and int(n[-5:]) < 40)
        assert sorted(t.path.stem for t in split[part]) == expected


def test_decode_cache_is_reused_and_invalidated(tmp_path, monkeypatch):
    write_genre_tree(tmp_path, genres=("a",), per_genre=2, seconds=0.5)
    paths = sorted((tmp_path / "a").iterdir())
    first = data.decode_files(paths, 16000, progress=False)
    assert len(first) == 2 and first.lengths().tolist() == [8000, 8000]

    def fail(*args, **kwargs):
        raise AssertionError("decoded again")

    monkeypatch.setattr(data.cache, "load_audio", fail)  # where decoding happens
    second = data.decode_files(paths, 16000, progress=False)
    np.testing.assert_array_equal(second.audio, first.audio)
    monkeypatch.undo()
    sf.write(paths[0], tone(100, 0.25, 22050), 22050)  # changed file -> new key
    os.utime(paths[0], ns=(1, 1))
    third = data.decode_files(paths, 16000, progress=False)
    assert third.lengths().tolist() == [4000, 8000]
    assert data.clear_decoded_cache() > 0
    assert not (data.cache_root() / "decoded").exists()


def test_a_cache_another_run_stored_first_is_kept_not_replaced(tmp_path):
    # Two trainings started together both miss the cache and decode; the second to finish
    # must not delete the first's folder, which that one is already reading from.
    write_genre_tree(tmp_path, genres=("a",), per_genre=2, seconds=0.5)
    paths = sorted((tmp_path / "a").iterdir())
    first = data.decode_files(paths, 16000, progress=False)
    folder = Path(first.audio.filename).parent
    inode = (folder / "audio.npy").stat().st_ino
    assert data.cache._store(first, folder)  # the other run's copy arrives second
    assert (folder / "audio.npy").stat().st_ino == inode
    assert [p.name for p in folder.parent.iterdir()] == [folder.name]  # its copy dropped
    again = data.decode_files(paths, 16000, progress=False)
    np.testing.assert_array_equal(again.audio, first.audio)


def test_corrupt_file_is_skipped_with_a_warning_listing_it(tmp_path):
    write_genre_tree(tmp_path, genres=("jazz",), per_genre=3, seconds=0.2)
    corrupt = tmp_path / "jazz" / "jazz.00054.wav"
    corrupt.write_bytes(b"RIFF\x00\x00garbage")
    files = sorted((tmp_path / "jazz").iterdir())
    for _ in range(2):  # fresh decode, then from the cache: warned both times
        with pytest.warns(UserWarning, match="jazz.00054.wav"):
            decoded = data.decode_files(files, 8000, progress=False)
        assert len(decoded) == 3 and corrupt not in decoded.paths


def test_random_windows_are_reproducible_and_augmented(tmp_path):
    write_genre_tree(tmp_path, genres=("a", "b"), per_genre=2, seconds=1.0)
    folder = scan_genre_folder(tmp_path)
    decoded = data.decode_files([t.path for t in folder.tracks], 8000, progress=False)
    ds = data.RandomWindows(
        decoded, folder.tracks, 2000, windows_per_track=3, seed=5, gain_db=6, random_polarity=True
    )
    assert len(ds) == 12
    x, label = ds[5]
    assert x.shape == (1, 2000) and label == folder.tracks[1].label
    torch.testing.assert_close(ds[5][0], x)
    ds.set_epoch(1)
    assert not torch.equal(ds[5][0], x)
    short = data.RandomWindows(decoded, folder.tracks, 20000)
    assert short[0][0].shape == (1, 20000)  # shorter than a window: padded


def test_balanced_windows_give_each_genre_and_source_its_share(tmp_path):
    # genre a: 6 tracks of source "big" and 1 of "small"; genre b: 1 track
    rng = np.random.default_rng(0)
    for genre, names in (("a", [f"big__{n}" for n in range(6)] + ["small__0"]), ("b", ["c__0"])):
        (tmp_path / genre).mkdir()
        for name in names:
            sf.write(tmp_path / genre / f"{name}.wav", rng.standard_normal(800) * 0.1, 8000)
    folder = scan_genre_folder(tmp_path)
    decoded = data.decode_files([t.path for t in folder.tracks], 8000, progress=False)

    def drawn(balance):
        ds = data.RandomWindows(decoded, folder.tracks, 400, windows_per_track=100, balance=balance)
        picks = [folder.tracks[ds._pick(i, ds.rng(i))].path.stem for i in range(len(ds))]
        return len(ds), picks

    size, picks = drawn("none")
    assert size == 800 and picks.count("c__0") == 100  # as the tracks fall: b gets 1/8
    size, picks = drawn("genre")
    assert size == 800 and picks.count("c__0") == 400  # half for each genre
    assert 25 < picks.count("small__0") < 90  # 1/7 of genre a's 400
    _, picks = drawn("genre_source")
    assert picks.count("c__0") == 400 and 160 < picks.count("small__0") < 240  # half of a's
    assert data.track_source(Path("x/pkg__track.wav")) == "pkg"
    assert data.track_source(Path("blues.00001.wav")) == "blues.00001"
    with pytest.raises(ValueError, match="balance"):
        data.RandomWindows(decoded, folder.tracks, 400, balance="package")


def test_speed_and_compression_of_training_windows(tmp_path):
    from audiocnn.data.windows import random_compressor

    write_genre_tree(tmp_path, genres=("a",), per_genre=1, seconds=2.0, sample_rate=8000)
    folder = scan_genre_folder(tmp_path)
    decoded = data.decode_files([t.path for t in folder.tracks], 8000, progress=False)
    ds = data.RandomWindows(decoded, folder.tracks, 4000, speed=(0.9, 1.1), seed=1)
    assert ds[0][0].shape == (1, 4000)
    # loud and quiet halves: compressed, the difference shrinks and the RMS is kept
    rng = np.random.default_rng(0)
    x = (rng.standard_normal(16000) * np.repeat([0.5, 0.02], 8000)).astype(np.float32)
    y = random_compressor(x, 8000, np.random.default_rng(3))
    assert y.dtype == np.float32 and np.std(y) == pytest.approx(np.std(x), rel=1e-4)

    def spread(z):
        return 20 * np.log10(np.std(z[1000:7000]) / np.std(z[9000:15000]))

    assert spread(y) < spread(x) - 6


def test_sliding_windows_cover_every_track(tmp_path):
    write_genre_tree(tmp_path, genres=("a", "b"), per_genre=2, seconds=1.0)
    folder = scan_genre_folder(tmp_path)
    decoded = data.decode_files([t.path for t in folder.tracks], 8000, progress=False)
    ds = data.SlidingWindows(decoded, folder.tracks, 3000, 3000)
    assert len(ds) == 4 * 3  # 8000 samples -> windows at 0, 3000, 6000 (last padded)
    window, label, position = ds[5]
    assert position == 1 and label == folder.tracks[1].label
    track = decoded.track(decoded.index_of()[folder.tracks[1].path])
    np.testing.assert_array_equal(window[0, :2000].numpy(), track[6000:])


def test_paired_folders_and_mixing(tmp_path):
    for part in ("clean", "noisy"):
        (tmp_path / part).mkdir()
    for n in range(3):
        clean = tone(200 + 50 * n, 1.0, 16000, seed=n)
        sf.write(tmp_path / "clean" / f"{n}.wav", clean, 16000)
        sf.write(tmp_path / "noisy" / f"{n}.wav", clean + 0.1, 16000)
    sf.write(tmp_path / "clean" / "orphan.wav", clean, 16000)
    with pytest.warns(UserWarning, match="orphan.wav"):
        clean_paths, noisy_paths = data.find_pairs(tmp_path)
    assert (
        [p.name for p in clean_paths]
        == [p.name for p in noisy_paths]
        == ["0.wav", "1.wav", "2.wav"]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clean = data.decode_files(clean_paths, 16000, progress=False)
        noisy = data.decode_files(noisy_paths, 16000, progress=False)
    noisy_window, clean_window = data.PairedWindows(clean, noisy, 4000, seed=1)[1]
    torch.testing.assert_close(
        noisy_window - clean_window, torch.full((1, 4000), 0.1), atol=1e-3, rtol=0
    )

    noise = data.decode_files([tmp_path / "noisy" / "0.wav"], 16000, progress=False)
    mixer = data.NoiseMixer(clean, noise, 24000, snr_db=(5.0, 5.0), seed=3)
    mixed, target = mixer[0]
    assert mixed.shape == target.shape == (1, 24000)  # noise tiled past its 1 s
    residual = mixed - target
    snr = 10 * torch.log10(target.square().sum() / residual.square().sum())
    assert snr.item() == pytest.approx(5.0, abs=1e-3)
    torch.testing.assert_close(mixer[0][0], mixed)


def test_mix_at_snr_handles_silence():
    noisy, clean = data.mix_at_snr(torch.zeros(100), torch.ones(100), 0.0)
    assert torch.isfinite(noisy).all() and noisy.abs().max() > 0 and clean.abs().max() == 0
    noisy, clean = data.mix_at_snr(torch.ones(100), torch.zeros(100), 0.0)
    torch.testing.assert_close(noisy, clean)


def test_random_colour_tilts_the_spectrum_and_keeps_the_level():
    from audiocnn.data.windows import random_colour

    rng = np.random.default_rng(0)
    x = rng.standard_normal(16384).astype(np.float32)
    y = random_colour(x, 16000, np.random.default_rng(1), tilt_db=6.0, lowpass_probability=1.0)
    assert y.dtype == np.float32 and y.shape == x.shape
    assert np.std(y) == pytest.approx(np.std(x), rel=1e-4)
    spectrum = np.abs(np.fft.rfft(y)) / np.abs(np.fft.rfft(x))
    hz = np.fft.rfftfreq(16384, 1 / 16000)
    low, high = spectrum[(hz > 200) & (hz < 400)].mean(), spectrum[hz > 6000].mean()
    assert abs(20 * np.log10(high / low)) > 6  # coloured: at least 6 dB between the ends
    same = random_colour(x, 16000, np.random.default_rng(1), tilt_db=6.0, lowpass_probability=1.0)
    np.testing.assert_array_equal(same, y)  # seeded


def test_two_link_trees_over_the_same_files_each_get_their_own_paths(tmp_path, monkeypatch):
    # found by the package-grouped cross-validation: the cache key resolved links, so a second
    # tree of links to the same files got the first tree's paths back, and lost every track.
    files = write_genre_tree(tmp_path / "files", genres=("a",), per_genre=2, seconds=0.1)
    trees = []
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        for f in sorted((files / "a").iterdir()):
            (tmp_path / name / f.name).symlink_to(f)
        trees.append(sorted((tmp_path / name).iterdir()))
    first = data.decode_files(trees[0], 8000, progress=False)
    second = data.decode_files(trees[1], 8000, progress=False)
    assert first.paths == trees[0] and second.paths == trees[1]
    monkeypatch.chdir(tmp_path)  # the same files asked for by a relative path: cached, as asked
    relative = [p.relative_to(tmp_path) for p in trees[1]]
    assert data.decode_files(relative, 8000, progress=False).paths == relative


def _decoded_tones(tmp_path, name: str, count: int, noise: bool = False):
    (tmp_path / name).mkdir()
    rng = np.random.default_rng(len(name))
    for n in range(count):
        x = rng.standard_normal(16000) * 0.1 if noise else tone(150 + 40 * n, 1.5, 16000, seed=n)
        sf.write(tmp_path / name / f"{n}.wav", x.astype(np.float32), 16000)
    paths = sorted((tmp_path / name).glob("*.wav"))
    return data.decode_files(paths, 16000, progress=False, cache=False)


def test_augmented_mixtures_are_seeded_and_honour_each_option(tmp_path):
    from audiocnn.data import MixAugmentConfig

    clean, noise = _decoded_tones(tmp_path, "clean", 4), _decoded_tones(tmp_path, "n", 2, True)
    full = MixAugmentConfig(
        speech_level_db=(-40.0, -10.0),
        tilt_db=3.0,
        lowpass_probability=0.3,
        speed=(0.9, 1.1),
        reverb_probability=0.3,
        clean_probability=0.2,
        procedural_probability=0.3,
    )
    assert full.active and not MixAugmentConfig().active
    mixer = data.NoiseMixer(clean, noise, 8000, snr_db=(-5, 30), windows_per_file=20, augment=full)
    items = [mixer[i] for i in range(len(mixer))]
    torch.testing.assert_close(mixer[7], items[7])  # the same item again
    mixer.set_epoch(1)
    assert not torch.equal(mixer[7][0], items[7][0])  # another epoch, another mixture
    levels = [10 * torch.log10(t.square().mean()).item() for _, t in items]
    assert min(levels) >= -40.5 and max(levels) <= -9.5
    assert all(x.abs().max() <= 0.99 + 1e-6 and torch.isfinite(x).all() for x, _ in items)
    noiseless = sum(torch.equal(x, t) for x, t in items)
    assert 0 < noiseless < len(items) // 2  # about a fifth, without rooms
    # every option on its own
    only_clean = data.NoiseMixer(clean, noise, 8000, augment=MixAugmentConfig(clean_probability=1))
    assert all(torch.equal(*only_clean[i]) for i in range(4))
    rooms = MixAugmentConfig(clean_probability=1, reverb_probability=1)
    heard, target = data.NoiseMixer(clean, noise, 8000, augment=rooms)[0]
    assert not torch.equal(heard, target)  # the tail is heard, not kept in the target
    assert torch.corrcoef(torch.cat([heard, target]))[0, 1] > 0.5


def test_recorded_noise_is_varied_on_request(tmp_path):
    from audiocnn.data import MixAugmentConfig
    from audiocnn.data.augment import random_gate, random_peaks, recorded_noise

    rate, rng = 16000, np.random.default_rng(0)
    tone = np.sin(2 * np.pi * 500 * np.arange(4000) / rate).astype(np.float32)
    same = recorded_noise(tone, 8000, rate, rng, MixAugmentConfig())
    assert len(same) == 8000 and np.array_equal(same[:4000], same[4000:])  # tiled, unchanged
    faster = recorded_noise(
        tone, 8000, rate, rng, MixAugmentConfig(noise_speed_probability=1.0, noise_speed=(2.0, 2.0))
    )
    peak = np.argmax(np.abs(np.fft.rfft(faster))) * rate / len(faster)
    assert len(faster) == 8000 and peak == pytest.approx(1000, abs=4)  # tiled, then 2x
    white = np.random.default_rng(1).standard_normal(16000).astype(np.float32)
    coloured = random_peaks(white, rate, np.random.default_rng(2), 12.0)
    assert np.std(coloured) == pytest.approx(np.std(white), rel=1e-3)
    bands = [np.abs(np.fft.rfft(x))[:8000].reshape(-1, 50).mean(1) for x in (white, coloured)]
    ratio_db = 20 * np.log10(bands[1] / bands[0])
    assert ratio_db.max() - ratio_db.min() > 6  # a resonance (or notch) stands out
    gated = random_gate(white, rate, np.random.default_rng(3))
    np.testing.assert_array_equal(gated, random_gate(white, rate, np.random.default_rng(3)))
    assert gated.shape == white.shape and np.all(np.abs(gated) <= np.abs(white) + 1e-6)
    frames = 10 * np.log10(np.mean(gated[: 16000 // 160 * 160].reshape(-1, 160) ** 2, 1))
    assert frames.max() > 10 * np.log10(np.mean(white**2)) - 1  # bursts at full level
    assert frames.max() - frames.min() > 9  # and gaps at least 10 dB down
    assert random_gate(white[:40], rate, np.random.default_rng(3)).shape == (40,)  # < its edges

    clean, noise = _decoded_tones(tmp_path, "clean", 4), _decoded_tones(tmp_path, "n", 2, True)
    varied = MixAugmentConfig(
        noise_speed_probability=1.0,
        noise_peaks_probability=1.0,
        noise_mix_probability=1.0,
        noise_gate_probability=1.0,
    )
    plain = data.NoiseMixer(clean, noise, 8000, snr_db=(0, 0), augment=MixAugmentConfig(tilt_db=1))
    mixer = data.NoiseMixer(clean, noise, 8000, snr_db=(0, 0), augment=varied)
    torch.testing.assert_close(mixer[3], mixer[3])  # seeded
    for i in range(4):
        noisy, target = mixer[i]
        assert torch.isfinite(noisy).all() and not torch.equal(noisy, target)
        assert not torch.equal(noisy, plain[i][0])


def test_tonal_noise_is_harmonic_seeded_and_replaces_the_noise_on_request(tmp_path, monkeypatch):
    from audiocnn.data import MixAugmentConfig, augment

    def peaky(x):  # median share of each 32 ms frame's power in its strongest 13 of 257 bins
        frames = x[: len(x) // 512 * 512].reshape(-1, 512) * np.hanning(512)
        power = np.abs(np.fft.rfft(frames, axis=1)) ** 2
        total = power.sum(1)
        keep = total > 0.01 * total.max()  # not the gaps between beeps or calls
        return np.median(np.sort(power[keep], axis=1)[:, -13:].sum(1) / total[keep])

    rate = 16000
    assert peaky(np.random.default_rng(0).standard_normal(rate)) < 0.3  # white noise: 0.2
    for kind in augment.TONAL:
        monkeypatch.setattr(augment, "TONAL", (kind,))
        x = augment.tonal_noise(rate, rate, np.random.default_rng(4))
        again = augment.tonal_noise(rate, rate, np.random.default_rng(4))
        np.testing.assert_array_equal(x, again)  # seeded
        assert x.shape == (rate,) and x.dtype == np.float32 and np.std(x) == pytest.approx(1, 1e-3)
        assert peaky(x) > 0.6, kind  # harmonics: 0.69-1.0 in 32 draws
    monkeypatch.undo()
    clean, noise = _decoded_tones(tmp_path, "clean", 4), _decoded_tones(tmp_path, "n", 2, True)
    plain = data.NoiseMixer(clean, noise, 8000, snr_db=(0, 0), augment=MixAugmentConfig(tilt_db=1))
    tonal = MixAugmentConfig(tilt_db=1, tonal_probability=1.0)
    mixer = data.NoiseMixer(clean, noise, 8000, snr_db=(0, 0), augment=tonal)
    torch.testing.assert_close(mixer[2], mixer[2])
    for i in range(4):
        noisy, target = mixer[i]
        assert torch.isfinite(noisy).all() and not torch.equal(noisy, plain[i][0])
    # off (the default) it draws nothing: the recipes written before it reproduce
    off = data.NoiseMixer(clean, noise, 8000, snr_db=(0, 0), augment=MixAugmentConfig(tilt_db=1))
    torch.testing.assert_close(off[1], plain[1])
    with pytest.raises(ValueError, match="tonal_probability"):
        MixAugmentConfig(tonal_probability=1.5)


def test_noise_alone_examples_have_a_silent_target_at_a_level_from_speech_and_snr(tmp_path):
    from audiocnn.data import MixAugmentConfig
    from audiocnn.denoise.pipeline import LossConfig, denoise_loss

    clean, noise = _decoded_tones(tmp_path, "clean", 4), _decoded_tones(tmp_path, "n", 2, True)
    alone = MixAugmentConfig(speech_level_db=(-30.0, -20.0), noise_only_probability=1.0)
    mixer = data.NoiseMixer(clean, noise, 8000, snr_db=(0, 10), augment=alone)
    for i in range(4):
        noisy, target = mixer[i]
        assert not target.any()
        level = 10 * torch.log10(noisy.square().mean()).item()
        assert -40.5 <= level <= -19.5  # speech at -30..-20 dBFS, 0-10 dB above the noise
    # the losses charge what is left of the noise, finitely, with finite gradients
    estimate = (noisy * 0.5).requires_grad_()
    terms = LossConfig(l1=1, si_sdr=1, compressed=1, octave=0.5, octave_clean=3)
    loss = denoise_loss(estimate[None], target[None], terms, noisy[None])
    loss.backward()
    assert torch.isfinite(loss) and torch.isfinite(estimate.grad).all()
    quieter = denoise_loss((noisy * 0.1)[None], target[None], terms, noisy[None])
    assert quieter < loss
    # a share of them; off (the default) it draws nothing: the recipes written before reproduce
    some = data.NoiseMixer(
        clean,
        noise,
        8000,
        windows_per_file=10,
        augment=MixAugmentConfig(tilt_db=1, noise_only_probability=0.3),
    )
    silent = sum(not some[i][1].any() for i in range(len(some)))
    assert 0 < silent < len(some) // 2
    plain = data.NoiseMixer(clean, noise, 8000, augment=MixAugmentConfig(tilt_db=1))
    off = MixAugmentConfig(tilt_db=1, noise_only_probability=0.0)
    torch.testing.assert_close(data.NoiseMixer(clean, noise, 8000, augment=off)[1], plain[1])
    with pytest.raises(ValueError, match="noise_only_probability"):
        MixAugmentConfig(noise_only_probability=-0.1)


def test_the_snr_may_be_set_over_the_speech_not_the_padded_window(tmp_path):
    from audiocnn.data import MixAugmentConfig

    # 1.5 s clips in 2 s windows, 0 dB: the padding's silence counts, or it does not
    clean, noise = _decoded_tones(tmp_path, "clean", 2), _decoded_tones(tmp_path, "n", 2, True)
    heard = {}
    for over_speech in (False, True):
        config = MixAugmentConfig(speech_level_db=(-20.0, -20.0), snr_over_speech=over_speech)
        noisy, target = data.NoiseMixer(clean, noise, 32000, snr_db=(0, 0), augment=config)[1]
        speech = target[0, :24000].square().mean()
        heard[over_speech] = float(10 * torch.log10(speech / (noisy - target)[0].square().mean()))
        assert not target[0, 24000:].any()  # the padding
    assert heard[True] == pytest.approx(0.0, abs=0.01)
    assert heard[False] == pytest.approx(10 * np.log10(4 / 3), abs=0.01)  # the old way: +1.25


def test_speech_can_sound_as_if_recorded_elsewhere():
    from audiocnn.data import MixAugmentConfig
    from audiocnn.data.augment import augment_speech

    rate = 16000
    voice = sum(np.sin(2 * np.pi * f * np.arange(rate) / rate) for f in (100, 200, 1000, 3000))
    voice = (voice * (0.1 + np.abs(np.sin(2 * np.pi * 3 * np.arange(rate) / rate)))).astype(
        np.float32
    )  # syllables

    def level(x, hz):  # dB of the bin at hz
        return 20 * np.log10(np.abs(np.fft.rfft(x))[hz] + 1e-9)

    radio = MixAugmentConfig(highpass_probability=1.0, highpass_hz=(400.0, 400.0))
    heard, target = augment_speech(voice, rate, np.random.default_rng(0), radio)
    assert heard is target or np.array_equal(heard, target)  # no room: the target is as heard
    assert level(heard, 100) < level(voice, 100) - 40 and level(heard, 3000) > level(voice, 3000)
    for options in ({"speech_peaks_probability": 1.0}, {"compress_probability": 1.0}):
        heard, _ = augment_speech(
            voice, rate, np.random.default_rng(1), MixAugmentConfig(**options)
        )
        assert not np.allclose(heard, voice) and np.std(heard) == pytest.approx(np.std(voice), 1e-3)


def test_formant_shift_moves_the_envelope_and_keeps_the_pitch():
    from audiocnn.data import MixAugmentConfig
    from audiocnn.data.augment import augment_speech, formant_shift

    rate, pitch = 16000, 160  # a pulse train (period 100 samples) through one formant at 800 Hz
    pulses = np.zeros(rate)
    pulses[::100] = 1.0
    hz = np.fft.rfftfreq(rate, 1 / rate)
    formant = np.exp(-0.5 * ((hz - 800.0) / 150.0) ** 2) + 0.01
    voice = np.fft.irfft(np.fft.rfft(pulses) * formant, n=rate).astype(np.float32)
    harmonics = np.arange(1, 20) * pitch

    def harmonic_levels(x):
        return np.abs(np.fft.rfft(x))[harmonics]

    for factor, expected in ((1.2, 960), (0.8, 640)):
        moved = formant_shift(voice, rate, factor)
        power = np.abs(np.fft.rfft(moved)) ** 2
        assert harmonics[np.argmax(harmonic_levels(moved))] == expected
        assert power[harmonics].sum() > 0.95 * power.sum()  # the pitch stays: no new lines
        assert np.std(moved) == pytest.approx(np.std(voice), 1e-3)
    np.testing.assert_allclose(formant_shift(voice, rate, 1.0), voice, atol=1e-4)
    heard, target = augment_speech(
        voice, rate, np.random.default_rng(0), MixAugmentConfig(formant_probability=1.0)
    )
    assert np.array_equal(heard, target) and not np.allclose(heard, voice, atol=1e-3)


def test_clean_files_can_be_drawn_balanced_by_source(tmp_path):
    from audiocnn.data import MixAugmentConfig, group_weights

    weights = group_weights(["big"] * 8 + ["small"] * 2, 0.0)
    assert weights[:8].sum() == pytest.approx(0.5) and weights[8:].sum() == pytest.approx(0.5)
    assert np.allclose(group_weights(["a"] * 3 + ["b"], 1.0), 0.25)  # per file, as unweighted
    clean, noise = _decoded_tones(tmp_path, "clean", 4), _decoded_tones(tmp_path, "n", 2, True)
    only_last = np.array([0.0, 0.0, 0.0, 1.0])
    for augment in (MixAugmentConfig(), MixAugmentConfig(clean_probability=1.0)):
        mixer = data.NoiseMixer(clean, noise, 8000, windows_per_file=3, augment=augment)
        drawn = data.NoiseMixer(
            clean, noise, 8000, windows_per_file=3, augment=augment, weights=only_last
        )
        assert len(drawn) == len(mixer) == 12
        torch.testing.assert_close(drawn[5], drawn[5])  # seeded
        last_tone = 150 + 40 * 3  # _decoded_tones: file n is a tone at 150 + 40 n Hz
        for i in range(len(drawn)):
            target = drawn[i][1][0].numpy()
            peak = np.argmax(np.abs(np.fft.rfft(target))) * 16000 / len(target)
            assert peak == pytest.approx(last_tone, abs=4)
    with pytest.raises(data.DataError, match="weights"):
        data.NoiseMixer(clean, noise, 8000, weights=np.zeros(4))


def test_flagged_clean_files_are_drawn_only_at_high_snr(tmp_path):
    from audiocnn.data import MixAugmentConfig

    clean, noise = _decoded_tones(tmp_path, "clean", 4), _decoded_tones(tmp_path, "n", 2, True)
    flagged = np.array([False, False, True, True])  # files 2 and 3: only at SNR >= 0 dB
    last_tones = (150 + 40 * 2, 150 + 40 * 3)  # _decoded_tones: file n at 150 + 40 n Hz
    for augment in (MixAugmentConfig(), MixAugmentConfig(tilt_db=1.0)):
        for weights in (None, np.array([1.0, 3.0, 1.0, 1.0])):
            mixer = data.NoiseMixer(
                clean, noise, 8000, snr_db=(-10.0, 10.0), windows_per_file=30, seed=4,
                augment=augment, weights=weights, high_snr_only=flagged, high_snr_db=0.0,
            )  # fmt: skip
            torch.testing.assert_close(mixer[7], mixer[7])  # seeded
            low = high = 0
            for i in range(len(mixer)):
                noisy, target = (x[0].numpy().astype(np.float64) for x in mixer[i])
                snr = 10 * np.log10(np.mean(target**2) / np.mean((noisy - target) ** 2))
                peak = np.argmax(np.abs(np.fft.rfft(target))) * 16000 / len(target)
                is_flagged = min(abs(peak - f) for f in last_tones) < 8
                assert snr >= -0.01 or not is_flagged, (i, snr, peak)
                low += snr < 0
                high += is_flagged
            assert low > 20 and high > 10  # both kinds of example, and the flagged files drawn
    with pytest.raises(data.DataError, match="high_snr_only must flag 4 clean files"):
        data.NoiseMixer(clean, noise, 8000, high_snr_only=np.ones(4, bool))
    with pytest.raises(data.DataError, match="high_snr_only must flag 4 clean files"):
        data.NoiseMixer(clean, noise, 8000, high_snr_only=np.ones(3, bool))


def test_augment_options_are_checked():
    from audiocnn.config import ConfigError
    from audiocnn.data import MixAugmentConfig

    for bad in (
        {"speech_level_db": (-10.0, -40.0)},
        {"speech_level_db": (-10.0, 5.0)},
        {"speed": (0.2, 1.0)},
        {"clean_probability": 1.5},
        {"tilt_db": float("nan")},
        {"reverb_seconds": (0.0, 1.0)},
        {"noise_speed": (0.1, 1.0)},
        {"noise_peaks_db": -3.0},
        {"noise_mix_probability": 2.0},
        {"noise_gate_probability": -0.5},
        {"highpass_hz": (0.0, 300.0)},
        {"compress_probability": -0.1},
        {"formant_shift": (0.3, 1.2)},
        {"formant_probability": 1.1},
    ):
        with pytest.raises(ConfigError):
            MixAugmentConfig(**bad)


def test_speed_change_and_rooms():
    from audiocnn.data.augment import room_response
    from audiocnn.data.windows import speed_change

    x = np.sin(2 * np.pi * 100 * np.arange(16000) / 16000).astype(np.float32)
    faster = speed_change(x, 1.1, 8000)  # 100 Hz played 1.1 times faster: 110 Hz
    peak = np.argmax(np.abs(np.fft.rfft(faster))) * 16000 / len(faster)
    assert len(faster) == 8000 and peak == pytest.approx(110, abs=2)
    full, early = room_response(16000, 0.5, np.random.default_rng(0))
    assert full[0] == early[0] == 1.0 and len(early) == 800 and len(full) == 8000
    tail = full[-1600:]
    assert np.abs(tail).max() < 0.01 * np.abs(full[40:800]).max()  # decayed by then
