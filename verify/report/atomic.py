"""File-system primitives for reports: umask-respecting writes, an exclusive lock, an atomic swap.

Readers see the old content or the new, never half of it. Files are created with mode
0o666 and directories with 0o777, both reduced by the process umask (as ``open`` and ``mkdir``
do), so reports are as readable as anything else the user writes.
"""
from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import secrets
import tempfile
from pathlib import Path
from types import TracebackType

FILE_MODE = 0o666
DIR_MODE = 0o777


def current_umask() -> int:
    """The process umask, read without changing it where the system allows (Linux /proc)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_new(path: Path | str, data: str | bytes) -> Path:
    """Create ``path`` (it must not exist), write ``data`` and fsync it; mode 0o666 & ~umask."""
    path = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, FILE_MODE)
    try:
        view = memoryview(raw)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        _unlink_quietly(path)
        raise
    os.close(fd)
    return path


def write_atomic(path: Path | str, text: str) -> Path:
    """Write ``text`` to a temporary file beside ``path``, fsync it, then rename over ``path``.

    One file only (``verify bench --json``); a report set goes through ``ReportStage``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        os.fchmod(fd, FILE_MODE & ~current_umask())   # mkstemp creates 0600
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def fsync_dir(path: Path | str) -> None:
    """Make a directory's entries (renames, new files) durable; a no-op where unsupported."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _unlink_quietly(path: Path | str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def random_name(prefix: str) -> str:
    return f"{prefix}{secrets.token_hex(6)}"


# -- atomic exchange of two directories ----------------------------------------------------

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_UNSUPPORTED = {errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP}


def _renameat2():
    """libc's renameat2 (glibc ≥ 2.28, musl), or None where it does not exist."""
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


def exchange(a: Path | str, b: Path | str) -> bool:
    """Swap the directory entries ``a`` and ``b`` in one step (Linux ``RENAME_EXCHANGE``).

    Returns False when the system or file system cannot, so the caller falls back to two renames;
    any other failure raises OSError and leaves both entries as they were.
    """
    fn = _renameat2()
    if fn is None:
        return False
    rc = fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in _UNSUPPORTED:
        return False
    raise OSError(err, os.strerror(err), str(a), None, str(b))


# -- an exclusive lock held by a lock file that is removed on release ----------------------

class FileLock:
    """Exclusive ``flock`` on ``path``, created on demand and unlinked on release.

    Unlinking is safe because a locker checks, after getting the lock, that the file it holds is
    still the one at ``path``; if another process removed it meanwhile, it retries.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._fd: int | None = None

    def __enter__(self) -> "FileLock":
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, FILE_MODE)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                held = os.fstat(fd)
                try:
                    now = os.stat(self.path)
                except FileNotFoundError:
                    now = None
            except BaseException:
                os.close(fd)
                raise
            if now is not None and (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino):
                self._fd = fd
                return self
            os.close(fd)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            _unlink_quietly(self.path)
        finally:
            os.close(fd)


def try_lock_dir(path: Path | str, busy_only: bool = True) -> int | None:
    """An fd holding an exclusive non-blocking ``flock`` on directory ``path``, or None if another
    open file holds it (or the directory is gone, or the file system has no such locks).

    With ``busy_only=False``, "held by another" is told apart from the other failures: -1.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None if busy_only else -1
    except OSError:
        os.close(fd)
        return None
    return fd


def dir_is_locked(path: Path | str) -> bool:
    """Another open file holds an exclusive ``flock`` on directory ``path`` (False when free,
    missing, or the file system has no such locks)."""
    fd = try_lock_dir(path, busy_only=False)
    if fd is None:
        return False
    if fd == -1:
        return True
    os.close(fd)
    return False
