"""``labels export`` and ``labels import``: corrections a person makes count.

Registered on the main group with ``cli.add_command``; :data:`COMMANDS` lists it.
"""

from __future__ import annotations

import getpass
import json
from datetime import UTC, datetime
from typing import Any

import click

from ..errors import TranscriptLensError
from .common import _friendly, db_option, output_option, write_output


@click.group()
def labels() -> None:
    """Correct a stored meeting's labels in a spreadsheet, and train on the corrections.

    \b
    Example:
      transcript-lens labels export 3 -o meeting3.csv     # edit the labels column
      transcript-lens labels import meeting3.csv           # scores follow the edits
      transcript-lens labels export --all --corrected -o corrections.jsonl
      transcript-lens train --out /tmp/model --extra corrections.jsonl
    """


@labels.command("export")
@click.argument("meeting", required=False)
@db_option()
@output_option
@click.option("--all", "every", is_flag=True, help="Every stored meeting (with --corrected).")
@click.option(
    "--corrected",
    is_flag=True,
    help="Only the turns a person corrected, as training rows (JSON Lines: text, context, labels).",
)
@_friendly
def export_labels(
    meeting: str | None, db: str | None, output: str | None, every: bool, corrected: bool
) -> None:
    """Write a stored meeting's turns as CSV (MEETING: an id or title from `history`).

    One row per turn: meeting_id, utterance_id, speaker, start, text, labels
    (semicolon-separated). Change the labels column in any spreadsheet and
    `labels import` the file; the other columns are there to read.
    """
    from ..corrections import label_csv
    from ..store import Store
    from .report import _stored

    if corrected:
        if not every:
            raise click.UsageError("--corrected exports every meeting's corrections; add --all")
        with Store(db) as store:
            rows = [json.dumps(row, ensure_ascii=False) for row in store.corrected_turns()]
        if not rows:
            raise TranscriptLensError(
                "no corrections stored yet",
                hint="`transcript-lens labels import FILE.csv` adds some",
            )
        write_output("\n".join(rows) + "\n", output)
        return
    if every or meeting is None:
        raise click.UsageError("name one MEETING (an id from `history`), or --all --corrected")
    with Store(db) as store:
        [row] = _found(store, meeting)
        card = _stored(store, meeting)
    write_output(label_csv(int(row["id"]), card), output)


def _found(store: Any, meeting: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = store.find(meeting)
    if len(found) != 1:
        from .report import _stored

        _stored(store, meeting)  # says why: none, or more than one
    return found


@labels.command("import")
@click.argument("file")
@db_option()
@click.option("--by", default=None, help="Who made the corrections (default: your user name).")
@_friendly
def import_labels(file: str, db: str | None, by: str | None) -> None:
    """Store the label edits of a CSV from `labels export` as corrections.

    Every row is checked before anything is stored; a bad row is a one-line
    error naming it. Only changed labels become corrections; the meeting is
    re-scored with them and the corrected analysis becomes its latest, so
    history, trends and reports follow. Importing the same file again changes
    nothing.
    """
    from ..corrections import import_edits, read_label_csv
    from ..store import Store

    edits = read_label_csv(file)
    who = by or _user()
    with Store(db) as store:
        for line in import_edits(store, edits, by=who, at=datetime.now(UTC)):
            click.echo(line)


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


COMMANDS: list[click.Command] = [labels]
