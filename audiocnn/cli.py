"""What both command lines share: how a subcommand runs, and how its errors end.

A user error (a bad input, output, recipe, checkpoint, data folder or a full disk) ends with
one line on stderr naming the path and the problem, and exit code 2; anything else is a bug
and keeps its traceback (exit 1). Ctrl-C and SIGTERM end with a line saying what was kept
(exit 130 and 143); temporary files are removed on the way out.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
import warnings
from collections.abc import Callable, Iterator

from audiocnn import runtime
from audiocnn.audio import AudioError
from audiocnn.checkpoint import CheckpointError
from audiocnn.config import ConfigError
from audiocnn.data import DataError
from audiocnn.files import OutputError
from audiocnn.train import ResumeError

USER_ERRORS = (AudioError, DataError, ConfigError, CheckpointError, ResumeError, OutputError)

EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports it
EXIT_TERMINATED = 143  # 128 + SIGTERM

RESUME_HINT = "interrupted; a training run continues from its last.pt with --resume"


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is, so that cleanup runs as for Ctrl-C."""


def run_command(command: Callable, args, *, interrupted: str = RESUME_HINT) -> int:
    """Run a subcommand: user errors become one line on stderr and exit code 2.

    Args:
        command: the subcommand, called with ``args``; returns the exit code.
        interrupted: the line printed after Ctrl-C or SIGTERM (what was kept, how to go on).
    """
    runtime.configure()
    with _one_line_warnings(), _sigterm_interrupts():
        try:
            return command(args)
        except USER_ERRORS as error:
            print(f"error: {error}", file=sys.stderr)
            return EXIT_USER_ERROR
        except KeyboardInterrupt as stop:
            print(interrupted, file=sys.stderr)
            return EXIT_TERMINATED if isinstance(stop, Terminated) else EXIT_INTERRUPTED


def report_batch(done: int, failed: int, skipped: int = 0) -> int:
    """Print a batch's summary line; the exit code is 2 when any item failed."""
    parts = [f"{done} done", f"{failed} failed"] + ([f"{skipped} skipped"] if skipped else [])
    print(", ".join(parts), file=sys.stderr)
    return EXIT_USER_ERROR if failed else 0


@contextlib.contextmanager
def _one_line_warnings() -> Iterator[None]:
    original = warnings.formatwarning
    warnings.formatwarning = lambda message, category, *rest: f"warning: {message}\n"
    try:
        yield
    finally:
        warnings.formatwarning = original


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return

    def handler(signum, frame):
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
