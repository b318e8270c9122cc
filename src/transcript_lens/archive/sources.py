"""Finding transcripts in folders and zip archives, and naming each one.

A :class:`Source` is a small, picklable reference to one transcript: a file
on disk, or a member of a zip archive (``archive.zip!folder/meeting.vtt``).
Workers read the bytes themselves, so the coordinator never holds more than
one file in memory however large the archive is.
"""

from __future__ import annotations

import fnmatch
import os
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from ..errors import InputError
from ..readers import FORMATS
from ..readers._limits import check_size, read_limited

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

    def read(self, max_bytes: int | None = None) -> bytes:
        """The file's bytes; an :class:`InputError` when it cannot be read or is too large.

        ``max_bytes`` is the size limit (None: $TRANSCRIPT_LENS_MAX_SIZE_MB, else 50 MB).
        """
        try:
            if self.member is None:
                with open(self.path, "rb") as handle:
                    return read_limited(handle, self.name, max_bytes)
            with zipfile.ZipFile(self.path) as archive:
                info = archive.getinfo(self.member)
                check_size(info.file_size, self.name, max_bytes)
                with archive.open(info) as member:
                    # The stated size can lie; never read past the limit.
                    return read_limited(member, self.name, max_bytes)
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


def _wanted(name: str, include: Sequence[str], exclude: Sequence[str]) -> bool:
    """Globs match the whole relative path or just the file name."""
    base = PurePosixPath(name).name
    if include and not any(fnmatch.fnmatch(name, g) or fnmatch.fnmatch(base, g) for g in include):
        return False
    return not any(fnmatch.fnmatch(name, g) or fnmatch.fnmatch(base, g) for g in exclude)


def _supported(name: str) -> bool:
    return PurePosixPath(name).suffix.lower() in EXTENSIONS


_DRIVE = re.compile(r"^[A-Za-z]:")


def unsafe_member(name: str) -> str:
    """Why a zip member's name must not be used, or "" when it is safe.

    Members are only ever read from the archive, never extracted, but their
    names become output file names; a name that is absolute or climbs with
    ``..`` (in ``/`` or Windows ``\\`` form) is what a hostile archive uses
    to write outside a folder, so such a member is refused outright.
    """
    if any(unicodedata.category(char) == "Cc" for char in name):
        return "its name has control characters"
    if name.startswith(("/", "\\")) or _DRIVE.match(name):
        return "its name is an absolute path"
    if ".." in re.split(r"[/\\]", name):
        return "its name climbs out of the archive with '..'"
    return ""


def shown(name: str) -> str:
    """``name`` on one line: control characters written as escapes."""
    return "".join(
        char.encode("unicode_escape").decode() if unicodedata.category(char) == "Cc" else char
        for char in name
    )


def _zip_members(
    path: Path, include: Sequence[str], exclude: Sequence[str], on_error: object = None
) -> Iterator[Source]:
    try:
        with zipfile.ZipFile(path) as archive:
            names = sorted(info.filename for info in archive.infolist() if not info.is_dir())
    except (OSError, zipfile.BadZipFile) as error:
        raise InputError(f"not a readable zip archive ({error})", path=path) from None
    for member in names:
        # macOS archives carry resource forks under __MACOSX/; they are not transcripts.
        if member.startswith("__MACOSX/"):
            continue
        # Any hostile name is reported, transcript or not: the archive deserves a look.
        reason = unsafe_member(member)
        if reason and _wanted(member, include, exclude):
            refused = InputError(f"refused: {reason}", path=f"{path}{ZIP_SEPARATOR}{shown(member)}")
            if on_error is None:
                raise refused
            on_error(refused.path, refused)  # type: ignore[operator]
            continue
        if PurePosixPath(member).name.startswith("."):
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
    name = str(path)
    if name != name.encode("utf-8", "replace").decode("utf-8"):
        # Bytes that are not UTF-8 (surrogates here) cannot go into the JSON
        # scorecard or the database; they are refused, shown as escapes.
        readable = os.fsencode(name).decode("utf-8", "backslashreplace")
        refused = InputError("refused: its name is not valid UTF-8; rename it", path=readable)
        if on_error is None:
            raise refused
        on_error(readable, refused)  # type: ignore[operator]
        return
    if path.suffix.lower() == ".zip":
        try:
            yield from _zip_members(path, include, exclude, on_error)
        except InputError as error:
            if on_error is None:
                raise
            on_error(str(path), error)  # type: ignore[operator]
        return
    # A file named on the command line is taken whatever its extension.
    if (explicit or _supported(relative)) and _wanted(relative, include, exclude):
        yield Source(str(path), None, f"{root}/{relative}" if root else relative)
