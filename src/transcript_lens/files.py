"""Writing files whole: a temporary file beside the target, renamed over it when complete.

Every file transcript-lens writes (``-o`` outputs, exports, batch scorecards
and ``summary.csv``) goes through :func:`atomic_writer`, so a reader never
sees a half-written file and a failed write leaves the old one in place.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO


def temp_beside(target: Path) -> tuple[int, str]:
    """Open a temporary file in ``target``'s folder for an atomic replace.

    mkstemp creates it readable by its owner only; the finished file should
    have the permissions any new file of the user's gets (their umask), as a
    report written with ``-o`` is often meant for a shared folder.
    """
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    mask = os.umask(0o022)
    os.umask(mask)
    try:
        os.fchmod(fd, 0o666 & ~mask)
    except OSError:  # pragma: no cover - a file system without modes keeps its own
        pass
    return fd, tmp


def lock(fd: int, *, wait: bool) -> bool:
    """An exclusive lock on an open temp file; False when another process holds it.

    A writer holds it until its file is renamed into place, so a second run
    cleaning up after a killed one never removes a temp file still being written.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory locks to honour
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        return False
    return True


@contextlib.contextmanager
def atomic_writer(target: Path, *, newline: str = "\n", locked: bool = False) -> Iterator[TextIO]:
    """A text handle on a temporary file beside ``target``, renamed over it when
    the block ends without error, removed when it fails.

    ``locked`` holds :func:`lock` on the temporary file until it is renamed
    (batch output, which a concurrent run's clean-up must not take away).
    """
    fd, tmp = temp_beside(target)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline=newline) as handle:
            if locked:
                lock(handle.fileno(), wait=True)
            yield handle
            handle.flush()
            # Renamed while still open (and locked), so no clean-up sees it unlocked.
            os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_atomic(target: Path, text: str, *, locked: bool = False) -> None:
    """Write ``text`` to ``target`` whole (see :func:`atomic_writer`)."""
    with atomic_writer(target, locked=locked) as handle:
        handle.write(text)
