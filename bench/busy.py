"""Busy helpers for the benchmarks: N processes that each keep one core spinning.

    with busy(1):
        ...  # timed while another program holds one core

Users run other programs while audiocnn works (a browser, an IDE, another job); every speed
table in ``bench/`` is printed idle and, with ``--busy N``, again under N such helpers. The
helpers are started and stopped by the benchmark itself: nothing is left running.
"""

from __future__ import annotations

import argparse
import contextlib
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

SPIN = "while True: pass"


@contextlib.contextmanager
def busy(n: int) -> Iterator[list[subprocess.Popen]]:
    """Keep ``n`` cores busy (one spinning Python process each) for the ``with`` block."""
    helpers = [subprocess.Popen([sys.executable, "-c", SPIN]) for _ in range(n)]
    try:
        time.sleep(0.2 if n else 0)  # let them start spinning
        yield helpers
    finally:
        for helper in helpers:
            helper.kill()
        for helper in helpers:
            helper.wait()


def add_busy_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--busy",
        type=int,
        default=0,
        metavar="N",
        help="also print every table with N cores kept busy by spinning helper processes",
    )


def conditions(n_busy: int) -> list[int]:
    """The helper counts to measure under: idle, and ``n_busy`` when asked for."""
    return [0, n_busy] if n_busy > 0 else [0]


def label(n: int) -> str:
    return "idle" if n == 0 else f"busy: {n} core{'s' if n > 1 else ''} taken by other processes"


def each_condition(n_busy: int, measure: Callable[[], None]) -> None:
    """Run ``measure`` idle, then under ``n_busy`` helpers when asked, with a heading each."""
    for n in conditions(n_busy):
        print(f"\n=== {label(n)} ===")
        with busy(n):
            measure()
