"""Finding transcripts in folders and zip archives, and naming each one.

A :class:`Source` is a small, picklable reference to one transcript: a file
on disk, or a member of a zip archive (``archive.zip!folder/meeting.vtt``).
Workers read the bytes themselves, so the coordinator never holds more than
one file in memory however large the archive is.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from ..errors import InputError
from ..readers import FORMATS, MAX_BYTES

#: File name endings batch picks up (the readers' own extensions).
EXTENSIONS = frozenset(ext for reader in FORMATS.values() for ext in reader.extensions)
ZIP_SEPARATOR = "!"


@dataclass(frozen=True)
class Source:
    """One transcript: ``path`` on disk, or ``member`` inside the zip at ``path``."""

    path: str
    member: str | None = None
    #: Where it sits under the path it was found from, for output file names.
    relative: str = ""

    @property
    def name(self) -> str:
        return f"{self.path}{ZIP_SEPARATOR}{self.member}" if self.member else self.path

    @property
    def file_name(self) -> str:
        return PurePosixPath(self.member).name if self.member else Path(self.path).name

    def read(self) -> bytes:
        """The file's bytes; an :class:`InputError` when it cannot be read."""
        try:
            if self.member is None:
                size = os.path.getsize(self.path)
                if size > MAX_BYTES:
                    raise InputError(f"is larger than {MAX_BYTES // 2**20} MB", path=self.name)
                with open(self.path, "rb") as handle:
                    return handle.read()
            with zipfile.ZipFile(self.path) as archive:
                info = archive.getinfo(self.member)
                if info.file_size > MAX_BYTES:
                    raise InputError(f"is larger than {MAX_BYTES // 2**20} MB", path=self.name)
                return archive.read(info)
        except (OSError, KeyError, zipfile.BadZipFile, RuntimeError) as error:
            reason = getattr(error, "strerror", None) or str(error)
            raise InputError(f"cannot read: {reason}", path=self.name) from None

    def modified(self) -> datetime:
        """When the file (or the zip member) was last changed, in UTC."""
        if self.member is None:
            return datetime.fromtimestamp(os.path.getmtime(self.path), tz=UTC)
        with zipfile.ZipFile(self.path) as archive:
            # Zip times carry no zone; they are taken as UTC.
            return datetime(*archive.getinfo(self.member).date_time, tzinfo=UTC)


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _wanted(name: str, include: Sequence[str], exclude: Sequence[str]) -> bool:
    """Globs match the whole relative path or just the file name."""
    base = PurePosixPath(name).name
    if include and not any(fnmatch.fnmatch(name, g) or fnmatch.fnmatch(base, g) for g in include):
        return False
    return not any(fnmatch.fnmatch(name, g) or fnmatch.fnmatch(base, g) for g in exclude)


def _supported(name: str) -> bool:
    return PurePosixPath(name).suffix.lower() in EXTENSIONS


def _zip_members(path: Path, include: Sequence[str], exclude: Sequence[str]) -> Iterator[Source]:
    try:
        with zipfile.ZipFile(path) as archive:
            names = sorted(
                info.filename
                for info in archive.infolist()
                if not info.is_dir() and not PurePosixPath(info.filename).name.startswith(".")
            )
    except (OSError, zipfile.BadZipFile) as error:
        raise InputError(f"not a readable zip archive ({error})", path=path) from None
    for member in names:
        # macOS archives carry resource forks under __MACOSX/; they are not transcripts.
        if member.startswith("__MACOSX/"):
            continue
        if _supported(member) and _wanted(member, include, exclude):
            yield Source(str(path), member, f"{path.name}/{member}")


def discover(
    paths: Iterable[str | Path],
    *,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    on_error: object = None,
) -> Iterator[Source]:
    """Every supported transcript under ``paths``, folders walked recursively in name order.

    A path that does not exist raises :class:`InputError` before anything is
    yielded for it. A zip archive that cannot be opened is passed to
    ``on_error(path, error)`` when given (so one bad archive does not stop a
    run), else raised.
    """
    for raw in paths:
        # Absolute (symlinks kept), so stored source paths mean the same from anywhere.
        path = Path(os.path.abspath(raw))
        if not path.exists():
            raise InputError("no such file or folder", path=path)
        if path.is_file():
            yield from _one_file(path, path.name, include, exclude, on_error, explicit=True)
            continue
        for folder, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for file in sorted(files):
                if file.startswith("."):
                    continue
                full = Path(folder) / file
                relative = full.relative_to(path).as_posix()
                yield from _one_file(
                    full, relative, include, exclude, on_error, explicit=False, root=path.name
                )


def _one_file(
    path: Path,
    relative: str,
    include: Sequence[str],
    exclude: Sequence[str],
    on_error: object,
    *,
    explicit: bool,
    root: str = "",
) -> Iterator[Source]:
    if path.suffix.lower() == ".zip":
        try:
            yield from _zip_members(path, include, exclude)
        except InputError as error:
            if on_error is None:
                raise
            on_error(str(path), error)  # type: ignore[operator]
        return
    # A file named on the command line is taken whatever its extension.
    if (explicit or _supported(relative)) and _wanted(relative, include, exclude):
        yield Source(str(path), None, f"{root}/{relative}" if root else relative)
