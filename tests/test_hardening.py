"""Issue 18: each numbered reproduction, through the command lines as a user meets it.

Every case ends in success or in exit code 2 with one line naming the path, and leaves no
partial or hidden file behind.
"""

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch

from audiocnn import checkpoint, files
from audiocnn.denoise import cli as denoise_cli
from audiocnn.genre import cli as genre_cli
from tests.conftest import tone, write_genre_tree
from tests.test_genre import TINY_RECIPE, small_genre_checkpoint

ROOT = Path(__file__).resolve().parent.parent


def one_error_line(capsys, *needles: str) -> str:
    err = capsys.readouterr().err.strip()
    lines = [line for line in err.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1 and "Traceback" not in err, err
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def no_hidden_files(folder: Path) -> bool:
    return not [p for p in folder.rglob(".*")]


def denoise(*argv, checkpoint_path) -> int:
    return denoise_cli.main([*map(str, argv), "--checkpoint", str(checkpoint_path), "--quiet"])


def silence(path: Path, seconds=0.1, rate=16000) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, tone(300, seconds, rate) * 0.1, rate)
    return path


# 1 -- small real datasets -----------------------------------------------------------------


@pytest.mark.parametrize("command", ["train", "baseline"])
def test_1_too_few_tracks_is_one_line_saying_how_many(tmp_path, capsys, command):
    root = tmp_path / "data"
    for g, genre in enumerate("abcd"):
        (root / genre).mkdir(parents=True)
        for n in range(6):  # non-GTZAN names, 6 per genre
            sf.write(root / genre / f"take{n}.wav", tone(200 + 50 * g, 0.2, 8000), 8000)
    argv = [command, "--data", str(root)] + (["--quiet"] if command == "train" else [])
    assert genre_cli.main(argv) == 2
    one_error_line(capsys, str(root), "needs at least 10 per genre")


def test_1_a_macosx_folder_is_not_a_genre(tmp_path):
    from audiocnn.data import scan_genre_folder

    root = write_genre_tree(tmp_path / "data", per_genre=2, seconds=0.1)
    (root / "__MACOSX" / "blues").mkdir(parents=True)
    (root / "__MACOSX" / "blues" / "._blues.00000.wav").write_bytes(b"\x00\x05\x16\x07junk")
    (root / "blues" / "._blues.00001.wav").write_bytes(b"\x00\x05\x16\x07junk")
    folder = scan_genre_folder(root)
    assert folder.labels == ["blues", "metal"] and len(folder.tracks) == 4


# 2, 3, 4 -- denoise batches ---------------------------------------------------------------


def test_2_a_folder_run_goes_past_a_bad_file_and_skip_existing_resumes(
    tmp_path, capsys, small_checkpoint
):
    src = tmp_path / "in"
    silence(src / "a.wav")
    (src / "b.wav").write_bytes(np.random.default_rng(0).bytes(4000))
    silence(src / "c.wav")
    out = tmp_path / "out"
    assert denoise(src, "-o", out, checkpoint_path=small_checkpoint) == 2
    err = capsys.readouterr().err
    assert "b.wav" in err and "2 done, 1 failed" in err and "Traceback" not in err
    assert sorted(p.name for p in out.iterdir()) == ["a.wav", "c.wav"]
    assert denoise(src, "-o", out, "--skip-existing", checkpoint_path=small_checkpoint) == 2
    assert "0 done, 1 failed, 2 skipped" in capsys.readouterr().err
    (src / "b.wav").unlink()
    assert denoise(src, "-o", out, "--skip-existing", checkpoint_path=small_checkpoint) == 0


def test_2_skip_existing_redoes_an_output_that_is_not_complete(tmp_path, small_checkpoint):
    silence(tmp_path / "in" / "a.wav", seconds=0.2)
    silence(tmp_path / "out" / "a.wav", seconds=0.1)  # another length: not this input's output
    assert denoise(tmp_path / "in", "-o", tmp_path / "out", "--skip-existing",
                   checkpoint_path=small_checkpoint) == 0  # fmt: skip
    assert sf.info(tmp_path / "out" / "a.wav").frames == 3200


def test_3_equal_base_names_are_refused_before_anything_is_written(
    tmp_path, capsys, small_checkpoint
):
    a, b = silence(tmp_path / "d1" / "take.wav"), silence(tmp_path / "d2" / "take.wav")
    out = tmp_path / "out"
    assert denoise(a, b, "-o", out, checkpoint_path=small_checkpoint) == 2
    one_error_line(capsys, str(out / "take.wav"), "two inputs")
    assert not out.exists()
    # one file named twice, directly or through its folder, is one input: denoised once
    assert denoise(a, a, tmp_path / "d1", "-o", out, checkpoint_path=small_checkpoint) == 0
    assert capsys.readouterr().out.count(" -> ") == 1
    # a missing file of the same name is another input: refused in one line, as before
    assert denoise(a, tmp_path / "nowhere" / "take.wav", "-o", tmp_path / "o2",
                   checkpoint_path=small_checkpoint) == 2  # fmt: skip
    one_error_line(capsys, str(tmp_path / "o2" / "take.wav"), "two inputs")
    assert [p.name for p in out.iterdir()] == ["take.wav"]


def test_4_stale_temporaries_are_never_input_and_are_removed(tmp_path, small_checkpoint):
    dead = _dead_pid()
    out = tmp_path / "out"
    silence(tmp_path / "in" / "a.wav")
    stale = out / f".a.wav.{dead}-0123abcd.partial"
    silence(out / "x.wav")
    stale.write_bytes((out / "x.wav").read_bytes())
    live = out / f".b.wav.{os.getpid()}-0123abcd.partial"  # a writer that is still running
    live.write_bytes(b"")
    assert denoise(tmp_path / "in", "-o", out, checkpoint_path=small_checkpoint) == 0
    assert not stale.exists() and live.exists()
    # a folder run over a folder holding a temporary does not take it for audio
    live.unlink()
    stale.write_bytes((out / "x.wav").read_bytes())
    files._cleaned.clear()
    assert denoise(out, "-o", tmp_path / "again", checkpoint_path=small_checkpoint) == 0
    assert sorted(p.name for p in (tmp_path / "again").iterdir()) == ["a.wav", "x.wav"]


def _dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_4_sigterm_removes_the_temporary_and_exits_143(tmp_path):
    script = textwrap.dedent(
        f"""
        import os, signal
        from audiocnn.cli import run_command
        from audiocnn.files import atomic_path

        def command(args):
            with atomic_path({str(tmp_path / "out.wav")!r}) as tmp:
                tmp.write_bytes(b"half a file")
                os.kill(os.getpid(), signal.SIGTERM)
            return 0

        raise SystemExit(run_command(command, None, interrupted="stopped"))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert done.returncode == 143 and done.stderr.strip() == "stopped", done.stderr
    assert list(tmp_path.iterdir()) == []


# 6 -- write failures ------------------------------------------------------------------------


def test_6_output_under_a_file_or_in_proc_is_one_line(tmp_path, capsys, small_checkpoint):
    src = silence(tmp_path / "in.wav")
    (tmp_path / "file").write_text("x")
    for target in (tmp_path / "file" / "o.wav", Path("/proc/audiocnn-test.wav")):
        assert denoise(src, "-o", target, checkpoint_path=small_checkpoint) == 2
        one_error_line(capsys, str(target), "cannot write")
    assert genre_cli.main(["train", "--out", str(tmp_path / "file" / "run"), "--quiet"]) == 2
    one_error_line(capsys, str(tmp_path / "file"), "cannot write")


FULL_DISK = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))
from audiocnn.{task} import cli
raise SystemExit(cli.main(sys.argv[1:]))
"""


def full_disk_run(task: str, argv: list[str], limit: int) -> subprocess.CompletedProcess:
    """Run a CLI with files limited to ``limit`` bytes: writes fail as on a full disk."""
    script = FULL_DISK.format(limit=limit, task=task)
    return subprocess.run(
        [sys.executable, "-c", script, *argv], capture_output=True, text=True, cwd=ROOT, timeout=300
    )


@pytest.mark.slow
def test_6_a_full_disk_is_one_line_and_leaves_nothing(tmp_path, small_checkpoint):
    src = tmp_path / "in.wav"
    sf.write(src, tone(300, 3.0, 16000), 16000, subtype="FLOAT")  # 192 kB
    out = tmp_path / "out"
    done = full_disk_run(
        "denoise", [str(src), "-o", str(out / "o.wav"), "--checkpoint", str(small_checkpoint)],
        100_000,
    )  # fmt: skip
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.strip().startswith(f"error: {out / 'o.wav'}: cannot write")
    assert list(out.iterdir()) == []


@pytest.mark.slow
def test_6_training_onto_a_full_disk_is_one_line(tmp_path):
    root = write_genre_tree(tmp_path / "data", per_genre=4, seconds=1.0)
    recipe = tmp_path / "tiny.toml"
    recipe.write_text(TINY_RECIPE)
    out = tmp_path / "run"
    argv = ["train", "--data", str(root), "--recipe", str(recipe), "--out", str(out), "--quiet"]
    done = full_disk_run("genre", argv, 20_000)  # the checkpoint is larger than this
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    error = done.stderr.strip().splitlines()[-1]
    assert error.startswith(f"error: {out}/") and "cannot write (file too large" in error
    assert no_hidden_files(out)


# 7, 8 -- degenerate label sets, subfolders ---------------------------------------------------


def test_7_one_genre_is_refused(tmp_path, capsys):
    root = write_genre_tree(tmp_path / "data", genres=("blues",), per_genre=12, seconds=0.1)
    assert genre_cli.main(["train", "--data", str(root), "--quiet"]) == 2
    one_error_line(capsys, "only one genre")


@pytest.mark.slow
def test_7_a_genre_with_no_readable_track_is_refused(tmp_path, capsys):
    root = write_genre_tree(tmp_path / "data", genres=("a", "b", "c"), per_genre=10, seconds=0.2)
    for path in (root / "c").iterdir():
        path.write_bytes(b"RIFF0000WAVEjunk")
    argv = ["train", "--data", str(root), "--quiet", "--epochs", "1"]
    assert genre_cli.main(argv) == 2
    one_error_line(capsys, str(root / "c"), "10 of its 10 files cannot be read")


def test_8_files_in_subfolders_of_a_genre_are_used(tmp_path):
    from audiocnn.data import scan_genre_folder

    root = write_genre_tree(tmp_path / "data", per_genre=2, seconds=0.1)
    (root / "blues" / "live").mkdir()
    sf.write(root / "blues" / "live" / "set.flac", tone(100, 0.1, 8000), 8000)
    folder = scan_genre_folder(root)
    assert len(folder.tracks) == 5 and root / "blues" / "live" / "set.flac" in {
        t.path for t in folder.tracks
    }


# 9 -- output format follows the name ------------------------------------------------------


@pytest.mark.parametrize(
    "source_name, target_name, expected",
    [
        ("in.wav", "out.flac", "FLAC"),
        ("in.wav", "out.ogg", "OGG"),
        ("in.mp3", "out.mp3", "MP3"),
        ("in.flac", "out.wav", "WAV"),
    ],
)
def test_9_output_container_follows_its_name(
    tmp_path, small_checkpoint, source_name, target_name, expected
):
    source = tmp_path / source_name
    sf.write(source, tone(300, 0.5, 16000), 16000, format=source.suffix[1:].upper())
    target = tmp_path / target_name
    assert denoise(source, "-o", target, checkpoint_path=small_checkpoint) == 0
    info = sf.info(target)
    assert info.format == expected and info.samplerate == 16000


def test_9_an_unknown_output_ending_is_refused(tmp_path, capsys, small_checkpoint):
    src = silence(tmp_path / "in.wav")
    assert denoise(src, "-o", tmp_path / "out.xyz", checkpoint_path=small_checkpoint) == 2
    one_error_line(capsys, "out.xyz", "output format")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.wav", "small.pt"]


# 10, 12 -- checkpoints -----------------------------------------------------------------------


def broken_checkpoints(tmp_path, good: Path) -> dict[str, Path]:
    state = torch.load(good, weights_only=True)
    cases = {
        "no-model-name": {k: v for k, v in state.items() if k != "model_name"},
        "unknown-key": {**state, "model_config": {**state["model_config"], "wings": 2}},
        "wrong-shape": {
            **state,
            "state_dict": {k: v[..., :1] if v.dim() else v for k, v in state["state_dict"].items()},
        },
        "no-rate": {k: v for k, v in state.items() if k != "sample_rate"},
    }
    paths = {}
    for name, broken in cases.items():
        broken.pop("format_version"), broken.pop("versions")
        paths[name] = checkpoint.save(tmp_path / f"{name}.pt", broken)
    return paths


def test_10_wrong_checkpoints_are_one_line_in_both_clis(tmp_path, capsys, small_checkpoint):
    src = silence(tmp_path / "in.wav")
    for name, path in broken_checkpoints(tmp_path, small_checkpoint).items():
        assert denoise(src, "-o", tmp_path / "o.wav", checkpoint_path=path) == 2, name
        one_error_line(capsys, str(path))
    genre = small_genre_checkpoint(tmp_path / "genre.pt")
    for name, path in broken_checkpoints(tmp_path, genre).items():
        assert genre_cli.main(["predict", str(src), "--checkpoint", str(path)]) == 2, name
        one_error_line(capsys, str(path))
    # a denoiser given to the genre CLI, and the other way round
    assert genre_cli.main(["predict", str(src), "--checkpoint", str(small_checkpoint)]) == 2
    one_error_line(capsys, "a denoise checkpoint, not a genre checkpoint")
    assert denoise(src, "-o", tmp_path / "o.wav", checkpoint_path=genre) == 2
    one_error_line(capsys, "a genre checkpoint, not a denoise checkpoint")


class _NotAWeight:
    pass


def test_10_files_that_are_not_checkpoints_say_what_they_are(tmp_path, capsys, small_checkpoint):
    src = silence(tmp_path / "in.wav")
    whole = small_checkpoint.read_bytes()
    (tmp_path / "text.pt").write_text("hello")
    (tmp_path / "cut.pt").write_bytes(whole[: len(whole) // 2])
    torch.save({"format_version": 1, "x": _NotAWeight()}, tmp_path / "pickled.pt")
    expected = {
        "text.pt": "not the zip archive torch.save writes",
        "cut.pt": "not the zip archive torch.save writes",
        "pickled.pt": "pickled objects besides tensors and plain values",
    }
    for name, words in expected.items():
        path = tmp_path / name
        assert denoise(src, "-o", tmp_path / "o.wav", checkpoint_path=path) == 2, name
        one_error_line(capsys, str(path), words)


def test_12_a_wrong_task_checkpoint_to_resume_says_so(tmp_path, capsys, small_checkpoint):
    out = tmp_path / "run"
    out.mkdir()
    (out / "last.pt").write_bytes(small_checkpoint.read_bytes())
    assert genre_cli.main(["train", "--out", str(out), "--resume", "--quiet"]) == 2
    one_error_line(capsys, str(out / "last.pt"), "a denoise checkpoint, not a genre checkpoint")
    # and one to fine-tune from
    init = ["train", "--out", str(tmp_path / "tuned"), "--init", str(small_checkpoint), "--quiet"]
    assert genre_cli.main([*init, "--epochs", "1"]) == 2
    one_error_line(capsys, str(small_checkpoint), "a denoise checkpoint, not a genre checkpoint")


def test_12_a_truncated_wav_is_used_with_a_warning(tmp_path):
    from audiocnn.audio import load_audio

    path = tmp_path / "cut.wav"
    sf.write(path, tone(300, 1.0, 16000), 16000, subtype="PCM_16")
    path.write_bytes(path.read_bytes()[:16044])  # header + 8000 of 16000 samples
    with pytest.warns(UserWarning, match="truncated file: its header promises 32000 bytes"):
        wav, _ = load_audio(path)
    assert wav.shape[-1] == 8000


def test_12_ctrl_c_during_denoise_says_how_to_go_on(
    tmp_path, capsys, monkeypatch, small_checkpoint
):
    from audiocnn.denoise import stream

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(stream, "denoise_file", interrupted)
    src = silence(tmp_path / "in.wav")
    assert denoise(src, "-o", tmp_path / "o.wav", checkpoint_path=small_checkpoint) == 130
    err = capsys.readouterr().err
    assert "--skip-existing" in err and "--resume" not in err


def test_signals_are_left_as_they_were(tmp_path, small_checkpoint):
    before = signal.getsignal(signal.SIGTERM)
    denoise(
        silence(tmp_path / "in.wav"), "-o", tmp_path / "o.wav", checkpoint_path=small_checkpoint
    )
    assert signal.getsignal(signal.SIGTERM) is before


def test_a_header_with_a_tiny_sample_rate_is_refused_not_resampled(tmp_path):
    # found while fuzzing: 1 Hz resampled to 16 kHz is 16,000 times the samples (memory).
    from audiocnn.audio import AudioError, load_audio

    path = tmp_path / "crafted.wav"
    sf.write(path, np.zeros(1000, np.float32), 1)
    with pytest.raises(AudioError, match="sample rate 1 Hz is outside"):
        load_audio(path, 16000)


def test_a_folder_cache_keeps_the_copy_finished_first(tmp_path):
    # replace=False (caches named by their contents): the folder another process finished
    # first stays, this copy is dropped; the default replaces the folder whole.
    target = tmp_path / "cache"
    for replace, expected in ((False, "first"), (True, "second")):
        target.mkdir(exist_ok=True)
        (target / "what").write_text("first")
        with files.atomic_folder(target, replace=replace) as tmp:
            (tmp / "what").write_text("second")
        assert (target / "what").read_text() == expected
        assert [p.name for p in tmp_path.iterdir()] == ["cache"]  # no temporary left
    with files.atomic_folder(tmp_path / "new", replace=False) as tmp:
        (tmp / "what").write_text("made")
    assert (tmp_path / "new" / "what").read_text() == "made"


def test_a_run_folder_is_never_written_over(tmp_path, capsys):
    # The same training command typed twice (or --resume while the first still runs) would
    # write over the first's checkpoints: the second is refused and writes nothing. Started
    # again once the first is done, without --resume, it sets the first's files aside.
    root = write_genre_tree(tmp_path / "data", per_genre=4, seconds=1.0)
    recipe = tmp_path / "tiny.toml"
    recipe.write_text(TINY_RECIPE)
    out = tmp_path / "run"
    argv = ["train", "--data", str(root), "--recipe", str(recipe), "--out", str(out), "--quiet"]
    with files.hold_folder(out):  # what the first run holds while it trains
        assert genre_cli.main(argv) == 2
        one_error_line(capsys, str(out), "in use by another training run")
        assert list(out.iterdir()) == []
    assert genre_cli.main(argv) == 0  # free again once the first is done
    assert (out / "last.pt").exists() and no_hidden_files(out)
    first = torch.load(out / "last.pt", weights_only=False)["state_dict"]
    capsys.readouterr()
    assert genre_cli.main([*argv, "--epochs", "1"]) == 0
    assert f"it is now in {out / 'previous-1'}" in capsys.readouterr().err
    kept = torch.load(out / "previous-1" / "last.pt", weights_only=False)["state_dict"]
    assert all(torch.equal(first[k], kept[k]) for k in first)
    assert (out / "previous-1" / "history.json").exists() and (out / "last.pt").exists()
    assert genre_cli.main([*argv, "--epochs", "1"]) == 0
    assert sorted(p.name for p in out.glob("previous-*")) == ["previous-1", "previous-2"]
