"""Commands over the results database: history, trends, export.

Registered on the main group with ``cli.add_command``; :data:`COMMANDS` lists them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ..labels import ANTI_PATTERNS, LABELS, REQUIREMENTS
from .common import _friendly, db_option, output_file, output_option, terminal

if TYPE_CHECKING:
    from ..store import Store

F = TypeVar("F", bound=Callable[..., Any])

EMPTY = (
    "no meetings yet — run `transcript-lens batch PATH` or `transcript-lens analyze FILE --save`"
)
HISTORY_COLUMNS = (
    "id",
    "analysis",
    "analyses",
    "date",
    "date_source",
    "source",
    "content_hash",
    "title",
    "format",
    "duration",
    "turns",
    "speakers",
    "overall",
    "band",
    *REQUIREMENTS,
    *ANTI_PATTERNS,
    "note",
    "tags",
    "team",
    "classifier",
    "scoring",
)
TREND_COLUMNS = ("period", "meetings", "overall", *REQUIREMENTS, *ANTI_PATTERNS)
SPEAKER_COLUMNS = ("speaker_turns", "speaker_words", *(f"speaker_{label}" for label in LABELS))
EXPORT_COLUMNS = (
    "meeting_id",
    "analysis_id",
    "source",
    "date",
    "utterance_id",
    "index",
    "speaker",
    "start",
    "end",
    "text",
    "labels",
    *LABELS,
)


def _format_option(*choices: str, default: str | None = "table") -> Callable[[F], F]:
    """--format; required when there is no default."""
    settings: dict[str, Any] = {"default": default, "show_default": True}
    if default is None:
        settings = {"required": True}
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        help="Output: " + ", ".join(choices) + ".",
        **settings,
    )


def _nothing(store: Store, what: str) -> None:
    """Say on stderr why there are no rows; stdout keeps valid (empty) data."""
    click.echo(EMPTY if store.meeting_count() == 0 else f"no meetings {what}", err=True)


def _filters(**given: str | None) -> str:
    return " and ".join(f"with {name} {value!r}" for name, value in given.items() if value)


_all_analyses = click.option(
    "--all-analyses",
    is_flag=True,
    help="Every analysis of each meeting (another classifier, coach, people map); "
    "by default each meeting counts once, by its latest analysis.",
)


@click.command()
@db_option()
@_format_option("table", "json", "csv")
@click.option("--tag", help="Only meetings carrying this tag.")
@click.option("--team", help="Only this team's meetings.")
@_all_analyses
@_friendly
def history(
    db: str | None, fmt: str, tag: str | None, team: str | None, all_analyses: bool
) -> None:
    """List the stored meetings, oldest first, with their scores and flags.

    \b
    Example:
      transcript-lens history
      transcript-lens history --tag retro --format csv > retros.csv
    """
    from ..render import rows as render
    from ..store import Store

    with Store(db) as store:
        rows = store.history(tag=tag, team=team, all_analyses=all_analyses)
        if not rows:
            _nothing(store, _filters(tag=tag, team=team))
    if fmt == "json":
        click.echo(render.to_json(rows), nl=False)
    elif fmt == "csv":
        click.echo(render.to_csv(rows, HISTORY_COLUMNS), nl=False)
    elif rows:
        width, color = terminal(widest=None, piped=160)
        click.echo(
            render.history_table(rows, width=width, color=color, all_analyses=all_analyses),
            nl=False,
        )


@click.command()
@db_option()
@click.option(
    "--by",
    type=click.Choice(("month", "week")),
    default="month",
    show_default=True,
    help="Period of the meeting date (UTC): YYYY-MM, or ISO week YYYY-Www.",
)
@click.option(
    "--speaker", metavar="NAME", help="Only meetings NAME spoke in (any case); adds their counts."
)
@click.option("--tag", help="Only meetings carrying this tag.")
@click.option("--team", help="Only this team's meetings.")
@_all_analyses
@_format_option("table", "json", "csv")
@_friendly
def trends(
    db: str | None,
    by: str,
    speaker: str | None,
    tag: str | None,
    team: str | None,
    all_analyses: bool,
    fmt: str,
) -> None:
    """Partnership over time: mean scores and summed flags per month or week.

    \b
    Example:
      transcript-lens trends
      transcript-lens trends --by week --speaker "Ana Lopez" --format json
      transcript-lens trends --team finance
    """
    from ..render import rows as render
    from ..store import Store

    with Store(db) as store:
        rows = store.trends(by=by, speaker=speaker, tag=tag, team=team, all_analyses=all_analyses)
        if not rows:
            _nothing(store, _filters(speaker=speaker, tag=tag, team=team))
    columns = TREND_COLUMNS + (SPEAKER_COLUMNS if speaker else ())
    if fmt == "json":
        click.echo(render.to_json(rows), nl=False)
    elif fmt == "csv":
        click.echo(render.to_csv(rows, columns), nl=False)
    elif rows:
        width, color = terminal(widest=None, piped=160)
        click.echo(
            render.trends_table(rows, by=by, speaker=speaker, width=width, color=color), nl=False
        )


@click.command()
@db_option()
@_format_option("csv", "jsonl", default=None)
@output_option
@_all_analyses
@_friendly
def export(db: str | None, fmt: str, output: str | None, all_analyses: bool) -> None:
    """Write every stored utterance with its labels and label scores.

    One row per utterance, meetings in date order: meeting_id, analysis_id,
    source, date, utterance_id, index, speaker, start, end, text, labels
    (";"-joined), then one column per label holding its score. Each meeting
    once, by its latest analysis, unless --all-analyses. Rows are streamed, so the
    database may be larger than memory.

    \b
    Example:
      transcript-lens export --format csv -o utterances.csv
      transcript-lens export --format jsonl | head
    """
    from ..render import rows as render
    from ..store import Store

    with Store(db) as store:
        if store.meeting_count() == 0:
            click.echo(EMPTY, err=True)
        with (
            output_file(output) as out,
            contextlib.closing(store.export_utterances(all_analyses=all_analyses)) as rows,
        ):
            if fmt == "csv":
                render.write_csv(rows, EXPORT_COLUMNS, out)
            else:
                render.write_jsonl(rows, out)


COMMANDS: list[click.Command] = [history, trends, export]
