"""The command line: a thin click layer over the library."""

from __future__ import annotations

import functools
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO, TypeVar

import click

from . import __version__
from .errors import InputError, TranscriptLensError
from .readers import FORMATS

F = TypeVar("F", bound=Callable[..., Any])

CLASSIFIERS = ("rules",)
OUTPUT_FORMATS = ("table", "json", "markdown")


def _friendly(func: F) -> F:
    """Turn the library's errors into one line on stderr and exit status 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except TranscriptLensError as error:
            raise click.ClickException(str(error)) from None
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)

    return wrapper  # type: ignore[return-value]


def _write_output(text: str, output: str | None, *, protect: tuple[str, ...] = ()) -> None:
    """Write to stdout, or atomically to ``output`` (never over one of ``protect``)."""
    if output is None or output == "-":
        click.echo(text, nl=False)
        return
    target = Path(output)
    for path in protect:
        if path != "-" and target.exists() and Path(path).exists():
            if os.path.samefile(target, path):
                raise TranscriptLensError(
                    "refusing to overwrite the input transcript",
                    path=target,
                    hint="choose another -o file",
                )
    if target.is_dir():
        raise TranscriptLensError("is a directory", path=target, hint="give -o a file name")
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise TranscriptLensError(
            "folder does not exist", path=parent, hint="create it or choose another -o path"
        )
    try:
        fd, tmp = tempfile.mkstemp(dir=parent, prefix=f".{target.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, target)
    except OSError as error:
        raise TranscriptLensError(
            f"cannot write output: {error.strerror or error}", path=target
        ) from None
    click.echo(f"wrote {target}", err=True)


classifier_option = click.option(
    "--classifier",
    type=click.Choice(CLASSIFIERS),
    default="rules",
    show_default=True,
    help="Which labeller to use.",
)
output_option = click.option(
    "-o", "--output", metavar="FILE", help="Write to FILE instead of stdout."
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="transcript-lens")
def cli() -> None:
    """Partnership scorecards from meeting transcripts, computed locally.

    Everything runs on this machine; no transcript text leaves it.
    Scorecards are for reflection, not for judging people.
    """


@cli.command()
@click.argument("file")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(OUTPUT_FORMATS),
    default="table",
    show_default=True,
    help="Output: terminal table, JSON scorecard or Markdown.",
)
@output_option
@click.option(
    "--input-format",
    type=click.Choice(sorted(FORMATS)),
    help="Transcript format; detected from extension and content when omitted.",
)
@classifier_option
@click.option("--config", metavar="TOML", help="Scoring weights laid over the defaults.")
@click.option(
    "--merge-gap",
    type=click.FloatRange(min=0),
    default=2.0,
    show_default=True,
    help="Merge consecutive cues of one speaker at most this many seconds apart.",
)
@_friendly
def analyze(
    file: str,
    fmt: str,
    output: str | None,
    input_format: str | None,
    classifier: str,
    config: str | None,
    merge_gap: float,
) -> None:
    """Score one meeting transcript (FILE, or - for stdin).

    \b
    Example:
      transcript-lens analyze samples/healthy_partnership.vtt
      transcript-lens analyze meeting.vtt --format json -o scorecard.json
    """
    from .api import analyze as run
    from .readers import read_bytes
    from .render import render

    if file == "-":
        transcript = read_bytes(
            sys.stdin.buffer.read(), source="-", input_format=input_format, merge_gap=merge_gap
        )
        card = run(transcript, classifier=classifier, config=config)
    else:
        card = run(
            file,
            classifier=classifier,
            config=config,
            input_format=input_format,
            merge_gap=merge_gap,
        )
    tty = output is None and sys.stdout.isatty()
    width = max(80, min(shutil.get_terminal_size().columns, 140)) if tty else 100
    color = tty and "NO_COLOR" not in os.environ
    _write_output(render(card, fmt, width=width, color=color), output, protect=(file,))


def _read_jsonl(handle: TextIO, name: str) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise InputError(
                f"not valid JSON ({error.msg})",
                path=name,
                line=number,
                hint='each line must be {"text": ..., "context": ...}',
            ) from None
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            raise InputError(
                'needs a "text" string',
                path=name,
                line=number,
                hint='each line must be {"text": ..., "context": ...}',
            )
        context = row.get("context")
        if context is not None and not isinstance(context, str):
            raise InputError('"context" must be a string or null', path=name, line=number)
        yield number, row


@cli.command()
@click.argument("file", default="-")
@output_option
@classifier_option
@_friendly
def classify(file: str, output: str | None, classifier: str) -> None:
    """Label utterances given as JSON Lines (FILE, or - for stdin).

    Each input line is {"text": ..., "context": <previous turn or null>}; each
    output line, in the same order, is {"labels": [...], "scores": {label: p}}.

    \b
    Example:
      echo '{"text": "Fine. Whatever you think.", "context": null}' \\
        | transcript-lens classify
    """
    from .classify import get_classifier
    from .classify.base import ClassifierInput
    from .labels import LABELS

    model = get_classifier(classifier)
    if file == "-":
        rows = [row for _, row in _read_jsonl(sys.stdin, "<stdin>")]
    else:
        try:
            with open(file, encoding="utf-8-sig") as handle:
                rows = [row for _, row in _read_jsonl(handle, file)]
        except OSError as error:
            raise InputError(
                f"cannot read: {error.strerror or error}", path=file, hint="check the path"
            ) from None
        except UnicodeDecodeError:
            raise InputError("is not UTF-8 text", path=file) from None
    items = [ClassifierInput(text=r["text"], context=r.get("context")) for r in rows]
    lines = []
    for result in model.predict(items):
        scores = {label: round(result.scores.get(label, 0.0), 4) for label in LABELS}
        lines.append(json.dumps({"labels": list(result.labels), "scores": scores}))
    _write_output("".join(line + "\n" for line in lines), output, protect=(file,))


@cli.command()
def schema() -> None:
    """Print the JSON Schema of the scorecard (--format json output)."""
    from .render.json import schema_json

    click.echo(schema_json(), nl=False)


def main() -> None:
    cli(prog_name="transcript-lens")


if __name__ == "__main__":
    main()
