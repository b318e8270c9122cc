"""Pieces every command module shares: the error decorator and the classifier options.

They live here rather than in cli.py so that the command modules cli.py
registers (cli_batch, cli_store) can use them without importing cli.py.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

import click

from ..errors import TranscriptLensError
from ..files import atomic_writer

if TYPE_CHECKING:
    from rich.progress import TaskID

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_CLASSIFIER = "ensemble"


#: Terminal width of the scorecard table: at most this on a terminal, this in a pipe.
SCORECARD_WIDTH = (140, 100)


def terminal(output: str | None = None, *, widest: int | None, piped: int) -> tuple[int, bool]:
    """Width and colour for a table going to stdout (``output`` None) or a file.

    On a terminal its width (at least 80, at most ``widest``) and colour unless
    NO_COLOR is set; in a pipe or a file ``piped`` columns and no colour.
    """
    tty = output is None and sys.stdout.isatty()
    if not tty:
        return piped, False
    columns = shutil.get_terminal_size().columns
    width = max(80, columns if widest is None else min(columns, widest))
    return width, "NO_COLOR" not in os.environ


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


def classifier_option(func: F) -> F:
    """--classifier and --device, shared by every command that labels."""
    func = click.option(
        "--device",
        default="cpu",
        show_default=True,
        help="Where the learned model runs: cpu, or cuda where torch has one.",
    )(func)
    return click.option(
        "--classifier",
        metavar="NAME",
        default=DEFAULT_CLASSIFIER,
        show_default=True,
        callback=_known_classifier,
        help="ensemble (the learned model combined with the rules), learned, rules, "
        "or one an installed package registers.",
    )(func)


def _known_classifier(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from ..classifiers import available_classifiers

    names = available_classifiers()
    if value not in names:
        raise click.BadParameter(f"{value!r} is not one of {', '.join(names)}")
    return value


def _parse_columns(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> dict[str, str] | None:
    if value is None:
        return None
    from ..readers import parse_columns

    try:
        return parse_columns(value)
    except ValueError as error:
        raise click.BadParameter(str(error), ctx=ctx, param=param) from None


def _megabytes(_ctx: click.Context, _param: click.Parameter, value: float | None) -> int | None:
    return None if value is None else int(value * 2**20)


def _parse_sides(
    _ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]
) -> dict[str, str]:
    sides: dict[str, str] = {}
    for value in values:
        name, sep, side = value.partition("=")
        name, side = " ".join(name.split()), " ".join(side.split())
        if not sep or not name or not side:
            raise click.BadParameter(f"{value!r} is not NAME=SIDE (e.g. 'Dana Kim=provider')")
        sides[name] = side
    return sides


def side_option(func: F) -> F:
    """``--side NAME=SIDE`` (repeatable): put speakers on sides for the sides view."""
    return click.option(
        "--side",
        "sides",
        multiple=True,
        metavar="NAME=SIDE",
        callback=_parse_sides,
        help="Put a speaker (a name, glob or re: pattern) on a side, e.g. 'Dana Kim=provider'; "
        "repeat for each. Adds the sides view. A speaker map's [sides] does the same.",
    )(func)


def max_size_option(func: F) -> F:
    """--max-size MB: the largest transcript read (default 50, or $TRANSCRIPT_LENS_MAX_SIZE_MB)."""
    return click.option(
        "--max-size",
        "max_bytes",
        type=click.FloatRange(min=0.001),
        metavar="MB",
        callback=_megabytes,
        help="Refuse transcripts larger than this [default: 50, or $TRANSCRIPT_LENS_MAX_SIZE_MB].",
    )(func)


def columns_option(func: F) -> F:
    """--columns, mapping a CSV file's own column names to speaker, text, start, end."""
    return click.option(
        "--columns",
        metavar="PART=COLUMN,...",
        callback=_parse_columns,
        help="CSV column names, when not speaker/text/start/end or a synonym: "
        "speaker=Who,text=Said,start=From,end=To.",
    )(func)


DB_HELP = "Database URL [default: $TRANSCRIPT_LENS_DB, else a SQLite file in the user data folder]."


def db_option(help: str = DB_HELP) -> Callable[[F], F]:
    """--db URL, declared once for every command that reads or writes the database."""
    return click.option("--db", "db", metavar="URL", help=help)


output_option = click.option(
    "-o", "--output", metavar="FILE", help="Write to FILE instead of stdout."
)


def _target(output: str) -> Path:
    """The -o file, checked: not a folder, in a folder that exists."""
    target = Path(output)
    if target.is_dir():
        raise TranscriptLensError("is a directory", path=target, hint="give -o a file name")
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise TranscriptLensError(
            "folder does not exist", path=parent, hint="create it or choose another -o path"
        )
    return target


def write_output(text: str, output: str | None, *, protect: tuple[str, ...] = ()) -> None:
    """Write to stdout, or whole to ``output`` (never over one of ``protect``)."""
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
    with output_file(output, newline="\n") as handle:
        handle.write(text)


@contextlib.contextmanager
def output_file(path: str | None, *, newline: str = "") -> Iterator[TextIO]:
    """stdout, or a file written whole (``files.atomic_writer``); says where it wrote."""
    if path is None or path == "-":
        yield sys.stdout
        return
    target = _target(path)
    try:
        with atomic_writer(target, newline=newline) as handle:
            yield handle
    except OSError as error:
        raise TranscriptLensError(
            f"cannot write output: {error.strerror or error}", path=target
        ) from None
    click.echo(f"wrote {target}", err=True)


#: A meeting with more turns than this shows its labelling progress on a terminal.
PROGRESS_TURNS = 300


@contextlib.contextmanager
def labelling_progress() -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr for labelling a long meeting, when stderr is a
    terminal; None (no callback) otherwise, so pipes and logs stay clean."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    bar = Progress(
        TextColumn("labelling turns"),
        BarColumn(),
        MofNCompleteColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    task: list[TaskID] = []

    def update(done: int, total: int) -> None:
        if total <= PROGRESS_TURNS:
            return
        if not task:
            bar.start()
            task.append(bar.add_task("label", total=total))
        bar.update(task[0], completed=done)

    try:
        yield update
    finally:
        bar.stop()
