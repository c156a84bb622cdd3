"""The allocator setting: on with glibc, off on request, and harmless to repeat."""

import os
import subprocess
import sys

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
