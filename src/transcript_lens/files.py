"""Writing files whole: a temporary file beside the target, renamed over it when complete."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


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
