"""The formats the readers know, described for people (``transcript-lens formats``)."""

from __future__ import annotations

from dataclasses import dataclass

from ._registry import FORMATS


@dataclass(frozen=True, slots=True)
class FormatDescription:
    """One format: its name, the extensions it claims, how it is told apart, its layout.

    ``detection`` and ``example`` may hold Markdown code spans (backticks).
    """

    name: str
    extensions: tuple[str, ...]
    detection: str
    example: str


def describe_formats() -> list[FormatDescription]:
    """Every registered format, by name; a plugin without descriptions gets its extensions."""
    described = []
    for name in sorted(FORMATS):
        reader = FORMATS[name]
        detection = reader.detection or ", ".join(f"`{ext}`" for ext in reader.extensions)
        described.append(FormatDescription(name, reader.extensions, detection, reader.example))
    return described


def formats_table(*, markdown: bool = False) -> str:
    """The formats as a Markdown table (as in the README) or as plain text blocks."""
    rows = [
        (
            f"`{item.name}`" if markdown else item.name,
            " ".join(f"`{ext}`" if markdown else ext for ext in item.extensions),
            item.detection,
            item.example,
        )
        for item in describe_formats()
    ]
    header = ("format", "extensions", "detected by", "example")
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|---|---|---|---|"]
        lines += [
            "| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows
        ]
        return "\n".join(lines) + "\n"
    # A terminal is too narrow for four columns of prose: one block per format.
    blocks = []
    for name, extensions, detection, example in rows:
        # Quotes, not the backticks of the Markdown, mark the literal parts.
        detection, example = detection.replace("`", "'"), example.replace("`", "'")
        blocks.append(
            f"{name}  {extensions or '(no extension)'}\n"
            f"  detected by: {detection}\n"
            f"  example:     {example}\n"
        )
    return "\n".join(blocks)
