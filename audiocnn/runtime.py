"""Process-wide settings that make PyTorch on a CPU faster: the memory allocator.

PyTorch's CPU tensors come from the C library's ``malloc``. glibc serves every block above a
threshold (128 KiB to 32 MiB, adapting) with its own ``mmap`` and gives it back to the system
on ``free``, so a training step that makes and drops tensors of a few megabytes pays for fresh,
zero-filled pages on every one of them. Raw-audio networks are all such tensors: the genre
notebook's first layer alone is 64 windows x 10 channels x 65536 samples (168 MB). Keeping
freed memory inside the process and reusing it made the notebook's network train about 3x
faster on a 2-core x86 machine (``python bench/genre.py``), with the same results.

audiocnn's training, evaluation and denoising entry points call :func:`reuse_freed_memory`;
a notebook can call it too. ``AUDIOCNN_MALLOC=system`` leaves the allocator as it is.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

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
