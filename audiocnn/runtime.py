"""Process-wide settings that make PyTorch on a CPU faster: the memory allocator and threads.

PyTorch's CPU tensors come from the C library's ``malloc``. glibc serves every block above a
threshold (128 KiB to 32 MiB, adapting) with its own ``mmap`` and gives it back to the system
on ``free``, so a training step that makes and drops tensors of a few megabytes pays for fresh,
zero-filled pages on every one of them. Raw-audio networks are all such tensors: the genre
notebook's first layer alone is 64 windows x 10 channels x 65536 samples (168 MB). Keeping
freed memory inside the process and reusing it made the notebook's network train about 3x
faster on a 2-core x86 machine (``python bench/genre.py``), with the same results.

PyTorch's intra-op threads (OpenMP) spin while they wait for each other. On a machine where
another program holds one of two cores, every parallel operation then waits for a thread that
is not running. Measured here with one core busy, torch's defaults against these settings: our
genre pipeline trained 167 against 236 windows/s, denoising ran at a real-time factor of 0.0083
against 0.0050. :func:`prefer_passive_waiting` (called when ``audiocnn`` is imported, before
torch is) makes waiting threads sleep instead, and :func:`use_usable_cores` sizes the thread
pool to the cores this process may really use (its CPU affinity and any cgroup CPU quota), not
to the machine's. ``bench/*.py --busy 1`` measures both, idle and with one core taken.
A long denoising job also gives each block only as many threads as other programs leave cores
free (:class:`FreeCores`): two threads behind another program wait for each other and take
part of its core.

audiocnn's training, evaluation and denoising entry points call :func:`configure` (both
settings); a notebook can call it too. ``AUDIOCNN_MALLOC=system`` leaves the allocator as it is;
``AUDIOCNN_THREADS=N`` or the standard ``OMP_NUM_THREADS=N`` sets the thread count,
``OMP_WAIT_POLICY`` set by the user is left alone, and ``AUDIOCNN_THREADS=torch`` leaves both
to torch's defaults (for comparison).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import math
import os
import sys
import time
from collections.abc import Iterable
from pathlib import Path

# mallopt(3) parameters of glibc.
_M_TRIM_THRESHOLD = -1
_M_MMAP_MAX = -4
# Freed memory above this much at the top of the heap is still given back to the system.
TRIM_THRESHOLD_BYTES = 1 << 30

_applied = False


def reuse_freed_memory() -> bool:
    """Ask glibc to serve large blocks from the heap and to keep freed memory for reuse.

    The process keeps up to ``TRIM_THRESHOLD_BYTES`` of freed memory for its next tensors
    instead of returning it to the system. Does nothing on other C libraries (macOS, musl,
    Windows) or when ``AUDIOCNN_MALLOC=system``.

    Returns:
        True when the setting is in force (now or from an earlier call).
    """
    global _applied
    if _applied:
        return True
    if os.environ.get("AUDIOCNN_MALLOC", "").lower() == "system":
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    # mallopt returns 1 on success; both must hold, or large blocks still come and go.
    _applied = bool(mallopt(_M_MMAP_MAX, 0)) and bool(
        mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES)
    )
    return _applied


_threads: int | None = None
_set_wait_policy = False


def configure() -> None:
    """Apply every setting of this module: the allocator and the thread count."""
    reuse_freed_memory()
    use_usable_cores()


def prefer_passive_waiting() -> bool:
    """Make OpenMP's idle threads sleep rather than spin (``OMP_WAIT_POLICY=PASSIVE``).

    OpenMP reads the setting once, when torch loads it, so this only works before ``import
    torch``; ``import audiocnn`` calls it. A policy the user set is kept.

    Returns:
        True when passive waiting is in force in this process.
    """
    global _set_wait_policy
    if "OMP_WAIT_POLICY" in os.environ:
        return os.environ["OMP_WAIT_POLICY"].upper() == "PASSIVE"
    if "torch" in sys.modules or _policy_off():
        return False
    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    _set_wait_policy = True
    return True


def original_environment() -> dict[str, str]:
    """``os.environ`` without what :func:`prefer_passive_waiting` added: for a child process
    that should run as it would without audiocnn (a benchmark's reference)."""
    env = dict(os.environ)
    if _set_wait_policy:
        env.pop("OMP_WAIT_POLICY", None)
    return env


def _policy_off() -> bool:
    return os.environ.get("AUDIOCNN_THREADS", "").strip().lower() == "torch"


def usable_cores(cgroup_root: str | os.PathLike = "/sys/fs/cgroup") -> int:
    """How many cores this process can use: its CPU affinity, capped by a cgroup CPU quota."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    quota = cgroup_cpu_quota(cgroup_root)
    if quota is not None:
        cores = min(cores, max(1, math.floor(quota + 0.5)))
    return max(1, cores)


def cgroup_cpu_quota(root: str | os.PathLike = "/sys/fs/cgroup") -> float | None:
    """CPUs' worth of time the cgroup quota allows this process (e.g. 1.5), or None.

    Reads cgroup v2's ``cpu.max`` or v1's ``cpu.cfs_quota_us`` / ``cpu.cfs_period_us``, along
    the process's own cgroup path and every parent; the tightest quota wins.
    """
    root = Path(root)
    quotas = []
    for folder in _cgroup_folders(root):
        for quota_file, read in (("cpu.max", _v2_quota), ("cpu.cfs_quota_us", _v1_quota)):
            with contextlib.suppress(OSError, ValueError, IndexError):
                quota = read(folder / quota_file)
                if quota is not None and quota > 0:
                    quotas.append(quota)
    return min(quotas) if quotas else None


def _cgroup_folders(root: Path) -> list[Path]:
    relative = set()
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            hierarchy, _, controllers_path = line.partition(":")
            controllers, _, path = controllers_path.partition(":")
            if hierarchy == "0" or "cpu" in controllers.split(","):
                relative.add(path.strip("/"))
    folders = []
    for path in relative or {""}:
        for base in (root, root / "cpu", root / "cpu,cpuacct"):
            parts = Path(path).parts if path else ()
            folders += [base.joinpath(*parts[:n]) for n in range(len(parts), -1, -1)]
    return folders


def _v2_quota(path: Path) -> float | None:
    quota, period = path.read_text().split()[:2]
    return None if quota == "max" else int(quota) / int(period)


def _v1_quota(path: Path) -> float | None:
    quota = int(path.read_text())
    period = int((path.parent / "cpu.cfs_period_us").read_text())
    return None if quota <= 0 else quota / period


@contextlib.contextmanager
def threads(count: int):
    """Run the ``with`` block on ``count`` intra-op threads, then restore the count (nothing
    changes with ``AUDIOCNN_THREADS=torch``)."""
    import torch

    before = torch.get_num_threads()
    if count == before or _policy_off():
        yield
        return
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def one_thread():
    """Run the ``with`` block on one intra-op thread, then restore the count.

    For operations too small to gain from threads: resampling a file took longer on two threads
    than on one, idle and busy (``python bench/loading.py --busy 1``).
    """
    return threads(1)


def idle_seconds(cpus: Iterable[int], stat: str | os.PathLike = "/proc/stat") -> float | None:
    """Seconds the CPUs numbered ``cpus`` have spent idle since boot (idle and iowait in
    ``/proc/stat``), or None where the file or those CPUs' lines are missing (not Linux)."""
    try:
        lines = Path(stat).read_text().splitlines()
    except OSError:
        return None
    wanted, ticks, found = {f"cpu{cpu}" for cpu in cpus}, 0, 0
    for line in lines:
        fields = line.split()
        if fields and fields[0] in wanted and len(fields) > 5:
            ticks += int(fields[4]) + int(fields[5])  # user nice system idle iowait ...
            found += 1
    return ticks / os.sysconf("SC_CLK_TCK") if found == len(wanted) and found else None


class FreeCores:
    """How many intra-op threads to give the next block of a long job: as many cores as other
    programs left free since the last block, at most the count :func:`configure` set.

    The free cores are the idle time of this process's CPUs plus this process's own CPU time,
    over the wall time since the last call (``/proc/stat``, ``time.process_time``); the count is
    that rounded down, unless within 0.3 of the next core, and at least 1. With one of two
    cores held by another program, a 2-minute file went at a real-time factor of 0.0088
    against 0.0095 with two threads throughout (medians of ten interleaved runs), and the
    other program kept 92% of its speed against 70%; idle, nothing changes (both cores are
    free). Intervals under ``min_seconds`` keep the last count (``/proc/stat`` counts in
    10 ms ticks). Nothing is read until the first long block: a short file costs nothing. A
    count the user fixed (``AUDIOCNN_THREADS``, ``OMP_NUM_THREADS``) is kept,
    and so is the configured one without ``/proc/stat`` (not Linux). For inference: the
    denoiser's output is the same on any count (tested), a training run's is not, so training
    keeps the configured count and gives the same result busy as idle.
    """

    def __init__(
        self,
        stat: str | os.PathLike = "/proc/stat",
        min_seconds: float = 0.05,
        cpus: Iterable[int] | None = None,
    ):
        import torch

        self.most = self.count = torch.get_num_threads()
        self.stat, self.min_seconds = stat, min_seconds
        if cpus is None:
            try:
                cpus = os.sched_getaffinity(0)  # the CPUs this process may run on
            except AttributeError:  # not Linux
                cpus = ()
        self.cpus = sorted(cpus)
        # nothing to choose: a count the user fixed, one thread, or no CPUs known
        self.fixed = bool(_policy_off() or thread_count_fixed() or self.most == 1 or not self.cpus)
        self._mark: tuple[float, float, float] | None = None  # taken at the first long block

    def _sample(self) -> tuple[float, float, float] | None:
        idle = idle_seconds(self.cpus, self.stat)
        return None if idle is None else (time.monotonic(), idle, time.process_time())

    def next_count(self) -> int:
        """The thread count for the block about to start (the first long block gets the
        configured count: nothing has been measured yet)."""
        if self.fixed:
            return self.count
        now = self._sample()
        if now is None or self._mark is None:
            self._mark = now
            return self.count
        wall = now[0] - self._mark[0]
        if wall < self.min_seconds:
            return self.count
        free = (now[1] - self._mark[1] + now[2] - self._mark[2]) / wall
        self.count = max(1, min(self.most, math.floor(free + 0.3)))
        self._mark = now
        return self.count


def thread_count() -> int:
    """Intra-op threads audiocnn asks torch for: ``AUDIOCNN_THREADS``, else ``OMP_NUM_THREADS``,
    else :func:`usable_cores`."""
    return thread_count_fixed() or usable_cores()


def thread_count_fixed() -> int | None:
    """The thread count the user set (``AUDIOCNN_THREADS``, else ``OMP_NUM_THREADS``), or None."""
    for name in ("AUDIOCNN_THREADS", "OMP_NUM_THREADS"):
        value = os.environ.get(name, "").strip()
        if value.isdigit() and int(value) > 0:
            return int(value)
    return None


def use_usable_cores() -> int:
    """Set torch's intra-op thread count to :func:`thread_count` (once). Returns it."""
    global _threads
    if _threads is None:
        import torch

        _threads = torch.get_num_threads() if _policy_off() else thread_count()
        torch.set_num_threads(_threads)
    return _threads
