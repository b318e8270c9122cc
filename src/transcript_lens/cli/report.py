"""Commands that show results again: report (a stored meeting) and compare (side by side).

Registered on the main group with ``cli.add_command``; :data:`COMMANDS` lists them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError

from ..errors import InputError, TranscriptLensError
from ..scorecard import Scorecard
from .common import (
    SCORECARD_WIDTH,
    _friendly,
    classifier_option,
    db_option,
    output_option,
    side_option,
    terminal,
    write_output,
)


@click.command()
@click.argument("meeting")
@db_option()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("html", "markdown", "json", "table")),
    default="html",
    show_default=True,
    help="Output format.",
)
@output_option
@click.option("--redact", is_flag=True, help="Pseudonyms for speaker and person names.")
@click.option(
    "--analysis",
    type=int,
    metavar="N",
    help="One analysis of the meeting, as `history --all-analyses` numbers them "
    "(default: the latest).",
)
@_friendly
def report(
    meeting: str,
    db: str | None,
    fmt: str,
    output: str | None,
    redact: bool,
    analysis: int | None,
) -> None:
    """Write the report of a meeting already in the database.

    MEETING is the id that `transcript-lens history` shows, its title as
    history shows it (any case), the start of its content hash, or its
    source path (or the end of it). A meeting analyzed more than once is
    shown by its latest analysis unless --analysis picks another.

    \b
    Example:
      transcript-lens report 12 -o meeting-12.html
      transcript-lens report ES2002a.jsonl --format markdown
    """
    from ..render import render
    from ..store import Store

    with Store(db) as store:
        card = _stored(store, meeting, analysis=analysis)
    if redact:
        from ..redact import redact_scorecard

        card = redact_scorecard(card)
    # The same view as `analyze` printed for it.
    widest, piped = SCORECARD_WIDTH
    width, color = terminal(output, widest=widest, piped=piped)
    write_output(render(card, fmt, width=width, color=color), output)


def _stored(
    store: Any, ref: str, *, or_file: bool = False, analysis: int | None = None
) -> Scorecard:
    """The scorecard of the one stored meeting ``ref`` names (see ``Store.find``):
    its latest analysis, or ``analysis`` of it.

    ``or_file``: ``ref`` could also have been a file, so the error says both.
    """
    found = store.find(ref)
    if not found:
        raise TranscriptLensError(
            f"no such file, and no stored meeting matches {ref!r}"
            if or_file
            else f"no stored meeting matches {ref!r}",
            hint="`transcript-lens history` lists the ids and titles",
        )
    if len(found) > 1:
        ids = ", ".join(str(row["id"]) for row in found[:10])
        raise TranscriptLensError(
            f"{len(found)} stored meetings match {ref!r} (ids {ids})", hint="give the id"
        )
    chosen = int(found[0]["analysis"])
    if analysis is not None:
        meeting_id = found[0]["id"]
        of_it = [r["analysis"] for r in store.history(all_analyses=True) if r["id"] == meeting_id]
        if analysis not in of_it:
            raise TranscriptLensError(
                f"meeting {meeting_id} has no analysis {analysis} "
                f"(its analyses: {', '.join(map(str, sorted(of_it)))})",
                hint="`transcript-lens history --all-analyses` lists them",
            )
        chosen = analysis
    card: Scorecard = store.scorecard(chosen)
    return card


def _load(path: str, analyze_file: Callable[[str], Scorecard]) -> Scorecard:
    """A scorecard from a JSON scorecard file, else by analyzing the transcript."""
    file = Path(path)
    if file.suffix.lower() == ".json" and file.is_file():
        try:
            data = json.loads(file.read_text("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            data = None
        if isinstance(data, dict) and "schema_version" in data:
            try:
                return Scorecard.model_validate(data)
            except ValidationError as error:
                raise InputError(
                    f"is not a scorecard this version reads ({error.error_count()} problems)",
                    path=file,
                    hint="write it again with `transcript-lens analyze --format json`",
                ) from None
    return analyze_file(path)


def _scorecards(
    meetings: Sequence[str], db: str | None, analyze_file: Callable[[str], Scorecard]
) -> list[Scorecard]:
    """The scorecards of ``meetings``, in order: files (transcripts or JSON
    scorecards) where they exist, else stored meetings."""
    cards = []
    store = None
    try:
        for ref in meetings:
            if ref == "-" or Path(ref).exists():
                cards.append(_load(ref, analyze_file))
                continue
            # Not a file here: a meeting in the database (id, title, hash, source),
            # if there is one: a mistyped file name never creates a database.
            if store is None:
                from ..store import Store, creates_default

                if creates_default(db):
                    raise InputError("no such file", path=ref)
                store = Store(db)
            cards.append(_stored(store, ref, or_file=True))
    finally:
        if store is not None:
            store.close()
    return cards


@click.command()
@click.argument("meetings", nargs=-1)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("table", "html", "markdown", "json")),
    default="table",
    show_default=True,
    help="Output format.",
)
@output_option
@classifier_option
@click.option("--coach", multiple=True, metavar="NAME", help="The coach in each session.")
@click.option("--speakers", "speaker_map", metavar="TOML", help="Speaker map for every file.")
@side_option
@click.option("--redact", is_flag=True, help="Pseudonyms for speaker and person names.")
@db_option()
@click.option("--speaker", metavar="NAME", help="From the database: meetings NAME spoke in.")
@click.option("--team", help="From the database: this team's meetings.")
@click.option("--tag", help="From the database: meetings with this tag.")
@_friendly
def compare(
    meetings: tuple[str, ...],
    fmt: str,
    output: str | None,
    classifier: str,
    device: str,
    coach: tuple[str, ...],
    speaker_map: str | None,
    sides: dict[str, str],
    redact: bool,
    db: str | None,
    speaker: str | None,
    team: str | None,
    tag: str | None,
) -> None:
    """Put several meetings side by side, or follow one coach or team over time.

    MEETINGS are transcripts (analyzed now), JSON scorecards written by
    `analyze --format json`, or stored meetings named as `report` names them
    (an id, a title, a hash prefix), shown in the order given. With --speaker,
    --team or --tag instead, the stored meetings that match are shown by
    date, and the HTML report draws their scores over time.

    \b
    Example:
      transcript-lens compare week1.vtt week2.vtt week3.vtt
      transcript-lens compare 3 7                   # two stored meetings, by id
      transcript-lens compare s1.txt s2.txt --coach "Helen Park" --format html -o sessions.html
      transcript-lens compare --speaker "Helen Park" --format html -o coach.html
    """
    from ..render import compare as render
    from ..scorecard.compare import compare_history, compare_scorecards

    from_db = any(value is not None for value in (speaker, team, tag))
    if from_db and meetings:
        raise click.UsageError(
            "give files, or --speaker/--team/--tag for stored meetings, not both"
        )
    if not from_db and len(meetings) < 2:
        raise click.UsageError("give at least two meetings, or --speaker/--team/--tag")
    if from_db:
        from ..store import Store

        with Store(db) as store:
            rows = store.history(tag=tag, team=team, speaker=speaker)
        if not rows:
            raise TranscriptLensError(
                "no stored meetings match",
                hint="check the name with `transcript-lens history`",
            )
        who = " · ".join(
            f"{name} {value}"
            for name, value in (("speaker", speaker), ("team", team), ("tag", tag))
            if value
        )
        if redact:
            who = "one speaker" if speaker else "one team" if team else "one tag"
        comparison = compare_history(rows, title=f"Over time: {who}", redact=redact)
    else:
        from ..analyzer import Analyzer

        analyzer: Analyzer | None = None

        def analyze_file(path: str) -> Scorecard:
            nonlocal analyzer
            if analyzer is None:
                analyzer = Analyzer(
                    classifier=classifier,
                    speakers=speaker_map,
                    sides=sides,
                    coach=coach,
                    device=device,
                )
            return analyzer.analyze(path).scorecard

        cards = _scorecards(meetings, db, analyze_file)
        if redact:
            from ..redact import redact_scorecard

            cards = [redact_scorecard(card) for card in cards]
        comparison = compare_scorecards(cards, title=f"{len(cards)} meetings side by side")
    if fmt == "html":
        text = render.to_html(comparison)
    elif fmt == "json":
        text = render.to_json(comparison)
    elif fmt == "markdown":
        text = render.to_markdown(comparison)
    else:
        width, color = terminal(output, widest=160, piped=120)
        text = render.to_table(comparison, width=width, color=color)
    write_output(text, output, protect=meetings)


@click.command()
@click.argument("meetings", nargs=-1)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("table", "html", "markdown", "json")),
    default="table",
    show_default=True,
    help="Output format. html with -o FILE also writes each meeting's report beside it, "
    "linked from the page.",
)
@output_option
@classifier_option
@click.option("--speakers", "speaker_map", metavar="TOML", help="Speaker map for every meeting.")
@click.option(
    "--redact",
    is_flag=True,
    help="Pseudonyms for speaker and person names (each meeting's own: Speaker A in one "
    "meeting need not be Speaker A in the next).",
)
@side_option
@db_option()
@click.option("--team", help="From the database: this team's meetings, by date.")
@click.option("--tag", help="From the database: meetings with this tag, by date.")
@_friendly
def relationship(
    meetings: tuple[str, ...],
    fmt: str,
    output: str | None,
    classifier: str,
    device: str,
    speaker_map: str | None,
    redact: bool,
    sides: dict[str, str],
    db: str | None,
    team: str | None,
    tag: str | None,
) -> None:
    """Follow one relationship over a series of meetings, and the commitments between them.

    The series is the stored meetings with --tag or --team (by date), or
    MEETINGS (transcripts, JSON scorecards or stored meetings) in the order
    given. Shown: each meeting's index, band and requirements, the sides view
    over time (with --side or a speaker map's [sides]), the anti-patterns that
    recur, and the commitment ledger: each commitment kept, slipped, dropped
    or open, with the later turn that decides it.

    \b
    Example:
      transcript-lens relationship --tag finance-brm --side "* (IT)=provider" --side "*=business"
      transcript-lens relationship week1.vtt week2.vtt week3.vtt --format markdown
    """
    from ..render.relationship import to_markdown, to_table
    from ..scorecard.relationship import build_relationship, with_series_sides
    from ..speakers import SpeakerMap, load_speaker_map

    from_db = tag is not None or team is not None
    if from_db and meetings:
        raise click.UsageError("give files, or --tag/--team for stored meetings, not both")
    if not from_db and len(meetings) < 2:
        raise click.UsageError("give at least two meetings, or --tag/--team")
    people = load_speaker_map(speaker_map) if speaker_map else None
    if sides:
        people = (people or SpeakerMap()).with_sides(sides)
    series: list[tuple[str, str | None, Scorecard]] = []
    if from_db:
        from ..store import Store

        with Store(db) as store:
            rows = store.history(tag=tag, team=team)
            if len(rows) < 1:
                raise TranscriptLensError(
                    "no stored meetings match",
                    hint="check the name with `transcript-lens history`",
                )
            for row in rows:
                date = row["date"].date().isoformat() if row["date"] is not None else None
                series.append((str(row["id"]), date, store.scorecard(int(row["analysis"]))))
        title = f"tag {tag}" if tag else f"team {team}"
    else:
        from ..analyzer import Analyzer

        analyzer: Analyzer | None = None

        def analyze_file(path: str) -> Scorecard:
            nonlocal analyzer
            if analyzer is None:
                analyzer = Analyzer(classifier=classifier, speakers=people, device=device)
            return analyzer.analyze(path).scorecard

        cards = _scorecards(meetings, db, analyze_file)
        series = [(ref, None, card) for ref, card in zip(meetings, cards, strict=True)]
        title = f"{len(series)} meetings"
    series = with_series_sides(series, people)
    if redact:
        from ..redact import redact_scorecard

        series = [(ref, date, redact_scorecard(card)) for ref, date, card in series]
    rel = build_relationship(series, title=title)
    if fmt == "html":
        from ..render import render
        from ..render.relationship import to_html

        links: dict[int, str] = {}
        if output not in (None, "-"):
            target = Path(output)
            for n, (_, _, card) in enumerate(series, 1):
                page = target.with_name(f"{target.stem}-meeting{n}.html")
                write_output(render(card, "html"), str(page))
                links[n] = page.name
        text = to_html(rel, links)
    elif fmt == "json":
        text = rel.model_dump_json(indent=2) + "\n"
    elif fmt == "markdown":
        text = to_markdown(rel)
    else:
        width, _ = terminal(output, widest=SCORECARD_WIDTH[0], piped=SCORECARD_WIDTH[1])
        text = to_table(rel, width=width)
    write_output(text, output)


COMMANDS: list[click.Command] = [report, compare, relationship]
