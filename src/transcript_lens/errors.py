"""Errors a person can act on.

Library code raises these; the CLI prints ``str(error)`` on one line and exits 1.
"""

from __future__ import annotations

from pathlib import Path


class TranscriptLensError(Exception):
    """Base class for every error transcript-lens reports to a user.

    ``path`` and ``line`` locate the problem when it comes from a file; ``hint``
    says what to do next. ``str()`` joins them into one line.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.hint = hint
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        text = f"{where}{self.message}"
        if self.hint:
            text += f"; {self.hint}"
        return " ".join(text.split())


class InputError(TranscriptLensError):
    """A transcript that cannot be read or parsed."""


class ClassifierError(TranscriptLensError):
    """A classifier or its patterns/model could not be loaded or run."""


class ConfigError(TranscriptLensError):
    """A scoring configuration file is missing or invalid."""


class StoreError(TranscriptLensError):
    """The results database cannot be opened, upgraded, read or written."""
