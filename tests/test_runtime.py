"""The allocator setting: on with glibc, off on request, and harmless to repeat."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

SNIPPET = (
    "from audiocnn import runtime; "
    "print(runtime.reuse_freed_memory(), runtime.reuse_freed_memory())"
)


def run(env_value: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "AUDIOCNN_MALLOC"}
    if env_value is not None:
        env["AUDIOCNN_MALLOC"] = env_value
    done = subprocess.run(
        [sys.executable, "-c", SNIPPET], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or os.confstr("CS_GNU_LIBC_VERSION") is None,
    reason="mallopt is glibc's",
)
def test_reuse_freed_memory_applies_once_on_glibc():
    assert run(None) == "True True"


def test_reuse_freed_memory_can_be_turned_off():
    assert run("system") == "False False"


def python_prints(code: str, **env_changes) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "AUDIOCNN_THREADS")}
    env.update(env_changes)
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


POLICY = "import os; print(os.environ.get('OMP_WAIT_POLICY'))"


def test_importing_audiocnn_first_makes_openmp_threads_wait_passively():
    assert python_prints("import audiocnn; " + POLICY) == "PASSIVE"


def test_a_wait_policy_the_user_chose_is_kept():
    assert python_prints("import audiocnn; " + POLICY, OMP_WAIT_POLICY="ACTIVE") == "ACTIVE"
    assert python_prints("import audiocnn; " + POLICY, AUDIOCNN_THREADS="torch") == "None"


def test_after_torch_is_loaded_the_policy_is_not_pretended():
    code = "import torch, audiocnn; from audiocnn import runtime as r; "
    code += "print(r.prefer_passive_waiting(), r.original_environment() == dict(os.environ))"
    assert python_prints("import os; " + code) == "False True"


def test_threads_follow_audiocnn_threads_then_omp_num_threads_then_usable_cores():
    code = "from audiocnn import runtime; import torch; "
    code += "print(runtime.use_usable_cores(), torch.get_num_threads())"
    assert python_prints(code, AUDIOCNN_THREADS="1", OMP_NUM_THREADS="3") == "1 1"
    assert python_prints(code, OMP_NUM_THREADS="1") == "1 1"
    from audiocnn import runtime

    cores = runtime.usable_cores()
    assert python_prints(code) == f"{cores} {cores}"
    assert 1 <= cores <= (os.cpu_count() or 1)


def test_cgroup_quotas_cap_the_cores(tmp_path):
    from audiocnn import runtime

    assert runtime.cgroup_cpu_quota(tmp_path) is None
    (tmp_path / "cpu.max").write_text("max 100000\n")
    assert runtime.cgroup_cpu_quota(tmp_path) is None
    (tmp_path / "cpu.max").write_text("150000 100000\n")
    assert runtime.cgroup_cpu_quota(tmp_path) == 1.5
    assert runtime.usable_cores(tmp_path) == min(2, len(os.sched_getaffinity(0)))
    (tmp_path / "cpu.max").write_text("50000 100000\n")
    assert runtime.usable_cores(tmp_path) == 1  # half a core still gets one thread
    v1 = tmp_path / "v1" / "cpu"
    v1.mkdir(parents=True)
    (v1 / "cpu.cfs_quota_us").write_text("-1\n")
    (v1 / "cpu.cfs_period_us").write_text("100000\n")
    assert runtime.cgroup_cpu_quota(tmp_path / "v1") is None
    (v1 / "cpu.cfs_quota_us").write_text("300000\n")
    assert runtime.cgroup_cpu_quota(tmp_path / "v1") == 3.0
    (v1 / "cpu.cfs_quota_us").write_text("junk\n")
    assert runtime.cgroup_cpu_quota(tmp_path / "v1") is None


def test_one_thread_runs_the_block_on_one_thread_and_restores_the_count():
    import torch

    from audiocnn import runtime

    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        with runtime.one_thread():
            assert torch.get_num_threads() == 1
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


def test_the_benchmarks_busy_helpers_spin_and_are_stopped():
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    try:
        from busy import busy, conditions
    finally:
        sys.path.pop(0)
    assert conditions(0) == [0] and conditions(2) == [0, 2]
    with busy(2) as helpers:
        assert len(helpers) == 2 and all(h.poll() is None for h in helpers)
    assert all(h.poll() is not None for h in helpers)


def _stat(path: Path, idle: tuple[int, ...]) -> None:
    """A /proc/stat whose CPUs have these idle ticks (and 5 iowait ticks each)."""
    lines = [f"cpu  900 0 100 {sum(idle)} 10 0 0 0 0 0"]
    lines += [f"cpu{i} 450 0 50 {ticks} 5 0 0 0 0 0" for i, ticks in enumerate(idle)]
    path.write_text("\n".join([*lines, "intr 1 2 3", "ctxt 42"]) + "\n")


def test_idle_seconds_sums_idle_and_iowait_of_the_cpus_asked_for(tmp_path):
    from audiocnn import runtime

    stat = tmp_path / "stat"
    _stat(stat, (100, 200, 300))
    tick = os.sysconf("SC_CLK_TCK")
    assert runtime.idle_seconds([0, 2], stat) == (105 + 305) / tick
    assert runtime.idle_seconds([3], stat) is None  # no such CPU here
    assert runtime.idle_seconds([0], tmp_path / "missing") is None


def test_free_cores_gives_long_blocks_the_cores_other_programs_leave(tmp_path, monkeypatch):
    import types

    import torch

    from audiocnn import runtime

    for name in ("AUDIOCNN_THREADS", "OMP_NUM_THREADS"):
        monkeypatch.delenv(name, raising=False)
    tick = os.sysconf("SC_CLK_TCK")
    clock = {"wall": 0.0, "own": 0.0}
    monkeypatch.setattr(
        runtime,
        "time",
        types.SimpleNamespace(monotonic=lambda: clock["wall"], process_time=lambda: clock["own"]),
    )
    stat = tmp_path / "stat"

    def after(seconds: float, idle: float, own: float) -> int:
        """``seconds`` later, the two CPUs idle for ``idle`` more seconds in all, this process
        ``own`` more seconds on them: the count for the next block."""
        clock["wall"] += seconds
        clock["own"] += own
        after.idle += idle
        _stat(stat, (round(after.idle * tick), 0))
        return cores.next_count()

    after.idle = 0.0
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        _stat(stat, (0, 0))
        cores = runtime.FreeCores(stat, cpus=[0, 1])
        assert after(0.01, 0.0, 0.01) == 2  # the first block: nothing measured yet
        assert after(1.0, 0.4, 1.6) == 2  # idle machine: both cores were ours or free
        assert after(1.0, 0.0, 1.3) == 1  # another program held the rest
        assert after(0.02, 1.0, 0.0) == 1  # too short: the last count stays
        assert after(1.0, 1.0, 1.0) == 2  # it stopped: one core ours, one idle
        monkeypatch.setenv("AUDIOCNN_THREADS", "2")  # a count the user chose is kept
        cores = runtime.FreeCores(stat, cpus=[0, 1])
        assert after(1.0, 0.0, 1.0) == 2
        monkeypatch.delenv("AUDIOCNN_THREADS")
        cores = runtime.FreeCores(tmp_path / "missing", cpus=[0, 1])  # not Linux
        assert after(1.0, 0.0, 1.0) == 2
    finally:
        torch.set_num_threads(before)
