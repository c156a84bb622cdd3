"""The one way audiocnn writes a file or a folder: build it under a temporary name beside the
target, flush it to disk, then rename it over the target.

A reader therefore sees the old file or the new one, never half of one. Temporary names are
hidden (``.NAME.PID-XXXXXXXX.partial``), so folder walks skip them; a process killed with
SIGKILL leaves its temporary behind, and the next write into that folder removes it once the
process that made it is gone. Errors of the file system (read-only, full, a parent that is a
file, no permission) become :class:`OutputError`, one line naming the target.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

TEMP_SUFFIX = ".partial"
_TEMP_NAME = re.compile(r"^\..+\.(\d+)-[0-9a-f]{8}\.partial$")
_cleaned: set[Path] = set()  # folders already swept of stale temporaries by this process


class OutputError(OSError):
    """A file or folder that cannot be written; the message names it and says why."""

    def __init__(self, path: str | os.PathLike, problem: str) -> None:
        super().__init__(f"{path}: cannot write ({problem})")
        self.path = Path(path)
        self.problem = problem


def is_hidden(path: Path, root: Path | None = None) -> bool:
    """True for names a folder walk skips: dot files (our temporaries, editor files, macOS's
    ``._`` forks) and anything inside a dot folder or ``__MACOSX``, below ``root``."""
    parts = path.relative_to(root).parts if root is not None else (path.name,)
    return any(part.startswith(".") or part == "__MACOSX" for part in parts)


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; when the block ends normally it is flushed
    and renamed onto ``target``, otherwise (error, Ctrl-C, SIGTERM) it is removed.

    Raises:
        OutputError: the file system refused (read-only, full, no permission, bad parent).
    """
    target = Path(target)
    tmp = _temporary(target)
    try:
        yield tmp
        _flush(tmp)
        os.chmod(tmp, _ordinary_mode())  # mkstemp-style files are readable by their owner only
        os.replace(tmp, target)
    except OSError as error:
        _remove(tmp)
        if isinstance(error, OutputError) or not _about(error, tmp, target):
            raise
        raise OutputError(target, _reason(error)) from None
    except BaseException:
        _remove(tmp)
        raise
    _sync_folder(target.parent)


def write_bytes(target: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``target`` atomically."""
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return Path(target)


def write_text(target: str | os.PathLike, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``target`` atomically."""
    return write_bytes(target, text.encode())


def write_json(target: str | os.PathLike, value) -> Path:
    """Write ``value`` as indented JSON to ``target`` atomically."""
    return write_text(target, json.dumps(value, indent=1))


@contextlib.contextmanager
def atomic_folder(target: str | os.PathLike, *, replace: bool = True) -> Iterator[Path]:
    """Yield an empty temporary folder beside ``target``; when the block ends normally it
    replaces ``target`` whole (a folder already there is removed), otherwise it is removed.

    ``replace=False`` is for caches whose name says what is in them (a hash of their inputs):
    a ``target`` that another process finished first is kept and this copy is dropped, so a
    process reading that folder never sees it vanish under it.
    """
    target = Path(target)
    tmp = _temporary(target, folder=True)
    try:
        yield tmp
        if not replace:
            try:
                os.rename(tmp, target)  # fails where a folder with files is already there
            except OSError as error:
                if error.errno not in (errno.EEXIST, errno.ENOTEMPTY) or not target.is_dir():
                    raise
                shutil.rmtree(tmp, ignore_errors=True)
            return
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    except OSError as error:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(error, OutputError) or not _about(error, tmp, target):
            raise
        raise OutputError(target, _reason(error)) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


@contextlib.contextmanager
def hold_folder(folder: str | os.PathLike, what: str = "another training run") -> Iterator[Path]:
    """Hold ``folder`` (made if missing) for this process until the block ends, so that a
    second process asking for it is refused instead of writing over the same files.

    The hold is an advisory lock (``flock``) on the folder itself: nothing is written, and the
    system drops it when the process ends however it ends, so a crash leaves nothing to clean
    up. Where that cannot be had (Windows has no ``fcntl``; some network file systems refuse
    locks) nothing is held and nothing is refused.

    Raises:
        OutputError: another process holds the folder, or it cannot be made.
    """
    folder = make_folder(folder)
    try:
        import fcntl

        fd = os.open(folder, os.O_RDONLY)
    except (ImportError, OSError):
        yield folder
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            if error.errno in (errno.EWOULDBLOCK, errno.EACCES, errno.EAGAIN):
                problem = f"in use by {what}: wait for it to end or choose another folder"
                raise OutputError(folder, problem) from None
        yield folder
    finally:
        os.close(fd)  # releases the hold


def make_folder(folder: str | os.PathLike) -> Path:
    """Create ``folder`` (and its parents) if missing.

    Raises:
        OutputError: it cannot be created (read-only, a parent is a file, no permission).
    """
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(folder, _reason(error)) from None
    return folder


def remove_stale_temporaries(folder: str | os.PathLike) -> list[Path]:
    """Delete the temporaries in ``folder`` whose writing process has ended; returns them."""
    removed = []
    try:
        entries = list(Path(folder).iterdir())
    except OSError:
        return removed
    for entry in entries:
        match = _TEMP_NAME.match(entry.name)
        if match and not _alive(int(match.group(1))):
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                _remove(entry)
            removed.append(entry)
    return removed


def _temporary(target: Path, *, folder: bool = False) -> Path:
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(target, _reason(error)) from None
    if not parent.is_dir():
        raise OutputError(target, f"{parent} is not a folder")
    if target.is_dir() and not folder:
        raise OutputError(target, "is a folder")
    if parent.resolve() not in _cleaned:
        remove_stale_temporaries(parent)
        _cleaned.add(parent.resolve())
    tmp = parent / f".{target.name[:120]}.{os.getpid()}-{secrets.token_hex(4)}{TEMP_SUFFIX}"
    try:
        if folder:
            tmp.mkdir()
        else:
            os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except OSError as error:
        raise OutputError(target, _reason(error)) from None
    return tmp


def _flush(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (best effort: not every file system allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _ordinary_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _about(error: OSError, tmp: Path, target: Path) -> bool:
    """Whether an error came from writing the output (not, say, from reading an input)."""
    if error.filename is None:  # numpy's short write, for one, has neither errno nor name
        return error.errno is None or error.errno in _WRITE_ERRNOS
    name = Path(os.fsdecode(error.filename))
    return name in (tmp, target) or tmp in name.parents or name in target.parents


_WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EIO}
_REASONS = {
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EFBIG: "file too large for this file system or limit",
    errno.EROFS: "read-only file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOTDIR: "a parent path is a file, not a folder",
    errno.EEXIST: "a parent path is a file, not a folder",
    errno.EISDIR: "is a folder",
    errno.ENAMETOOLONG: "name too long",
}


def _reason(error: OSError) -> str:
    return _REASONS.get(error.errno, error.strerror or str(error) or type(error).__name__)
