"""The reader registry. Built-in formats register the same way a plugin would."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ._common import RawTurn

ParseFn = Callable[[str, str], list[RawTurn]]


@dataclass(frozen=True, slots=True)
class Reader:
    """A transcript format: its parser, the extensions it claims, its merge default.

    Caption formats merge by default because they split one turn into many cues;
    the other formats are already written as turns.
    """

    name: str
    parse: ParseFn
    extensions: tuple[str, ...]
    merge: bool


FORMATS: dict[str, Reader] = {}


def register_reader(
    name: str, *, extensions: tuple[str, ...] = (), merge: bool = False
) -> Callable[[ParseFn], ParseFn]:
    """Register ``parse(text, source) -> list[RawTurn]`` as the reader for ``name``.

    ``extensions`` are lower-case with the dot (``(".vtt",)``). Registering a name
    again replaces the earlier reader.
    """

    def decorator(parse: ParseFn) -> ParseFn:
        FORMATS[name] = Reader(name, parse, tuple(ext.lower() for ext in extensions), merge)
        return parse

    return decorator
