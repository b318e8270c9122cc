"""The reader registry. Built-in formats register the same way a plugin would."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ._common import RawTurn

ParseFn = Callable[[str, str], list[RawTurn]]
ToTextFn = Callable[[bytes, str], str]
MagicFn = Callable[[bytes], bool]


@dataclass(frozen=True, slots=True)
class Reader:
    """A transcript format: its parser, the extensions it claims, its merge default.

    Caption formats merge by default because they split one turn into many cues;
    the other formats are already written as turns. A binary format (a Word
    document) has ``to_text``, which turns its bytes into the text ``parse``
    reads, and ``magic``, which recognises those bytes whatever the file's name.
    ``detection`` and ``example`` describe the format to people
    (``transcript-lens formats``).
    """

    name: str
    parse: ParseFn
    extensions: tuple[str, ...]
    merge: bool
    detection: str = ""
    example: str = ""
    to_text: ToTextFn | None = None
    magic: MagicFn | None = None


FORMATS: dict[str, Reader] = {}


def register_reader(
    name: str,
    *,
    extensions: tuple[str, ...] = (),
    merge: bool = False,
    detection: str = "",
    example: str = "",
    to_text: ToTextFn | None = None,
    magic: MagicFn | None = None,
) -> Callable[[ParseFn], ParseFn]:
    """Register ``parse(text, source) -> list[RawTurn]`` as the reader for ``name``.

    ``extensions`` are lower-case with the dot (``(".vtt",)``). Registering a name
    again replaces the earlier reader. ``detection`` and ``example`` are one
    line each for ``transcript-lens formats``; ``to_text`` and ``magic`` are for
    binary formats (see :class:`Reader`).
    """

    def decorator(parse: ParseFn) -> ParseFn:
        FORMATS[name] = Reader(
            name,
            parse,
            tuple(ext.lower() for ext in extensions),
            merge,
            detection,
            example,
            to_text,
            magic,
        )
        return parse

    return decorator
