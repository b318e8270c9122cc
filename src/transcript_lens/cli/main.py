"""The command line: a thin click layer over the library."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .. import __version__
from ..errors import InputError, TranscriptLensError
from ..readers import FORMATS
from .common import (
    SCORECARD_WIDTH,
    _friendly,
    classifier_option,
    columns_option,
    db_option,
    labelling_progress,
    max_size_option,
    output_option,
    side_option,
    terminal,
    write_output,
)

if TYPE_CHECKING:
    from ..analyzer import Analysis, Analyzer
    from ..scorecard import Scorecard

OUTPUT_FORMATS = ("table", "json", "markdown", "html")


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
    help="Output: terminal table, JSON scorecard, Markdown, or an HTML report (with -o).",
)
@output_option
@click.option(
    "--input-format",
    type=click.Choice(sorted(FORMATS)),
    help="Transcript format; detected from extension and content when omitted.",
)
@columns_option
@max_size_option
@classifier_option
@click.option("--config", metavar="TOML", help="Scoring weights laid over the defaults.")
@click.option(
    "--merge-gap",
    type=click.FloatRange(min=0),
    default=2.0,
    show_default=True,
    help="Merge consecutive cues of one speaker at most this many seconds apart.",
)
@click.option(
    "--speakers",
    "speaker_map",
    metavar="TOML",
    help="Rename and merge speakers, and give roles, before scoring (docs/speakers.md).",
)
@side_option
@click.option(
    "--coach",
    multiple=True,
    metavar="NAME",
    help="This speaker is the coach: adds the coaching review. Repeat for two coaches.",
)
@click.option(
    "--redact",
    is_flag=True,
    help="Replace speaker and person names with pseudonyms, for sharing the report.",
)
@db_option("Also store the meeting in this database.")
@click.option(
    "--save",
    is_flag=True,
    help="Also store the meeting in the default database ($TRANSCRIPT_LENS_DB, else a "
    "SQLite file in your data folder).",
)
@click.option(
    "--tag", "tags", multiple=True, metavar="TAG", help="File the stored meeting under TAG."
)
@click.option("--team", metavar="NAME", help="File the stored meeting under a team.")
@_friendly
def analyze(
    file: str,
    fmt: str,
    output: str | None,
    input_format: str | None,
    columns: dict[str, str] | None,
    max_bytes: int | None,
    classifier: str,
    device: str,
    config: str | None,
    merge_gap: float,
    speaker_map: str | None,
    sides: dict[str, str],
    coach: tuple[str, ...],
    redact: bool,
    db: str | None,
    save: bool,
    tags: tuple[str, ...],
    team: str | None,
) -> None:
    """Score one meeting transcript (FILE, or - for stdin).

    \b
    Example:
      transcript-lens analyze samples/healthy_partnership.vtt
      transcript-lens analyze meeting.vtt --format json -o scorecard.json
      transcript-lens analyze meeting.vtt --format html -o report.html
      transcript-lens analyze samples/coaching_session.txt --coach "Helen Park"
    """
    from ..analyzer import Analyzer
    from ..render import render

    storing = save or db is not None
    if (tags or team) and not storing:
        raise click.UsageError("--tag and --team file a stored meeting; add --save or --db URL")
    analyzer = Analyzer(
        classifier=classifier,
        config=config,
        speakers=speaker_map,
        sides=sides,
        coach=coach,
        redact=redact,
        input_format=input_format,
        merge_gap=merge_gap,
        columns=columns,
        max_bytes=max_bytes,
        device=device,
    )
    with labelling_progress() as progress:
        analysis = analyzer.analyze(file, progress=progress)
    card = analysis.scorecard
    if storing:
        said, card = _store(analysis, analyzer, db_url=db, tags=tags, team=team)
        click.echo(said, err=True)
    widest, piped = SCORECARD_WIDTH
    width, color = terminal(output, widest=widest, piped=piped)
    write_output(render(card, fmt, width=width, color=color), output, protect=(file,))
    if card.overall is None:
        click.echo(f"warning: not scored: {card.assessment.message}", err=True)


def _store(
    analysis: Analysis,
    analyzer: Analyzer,
    *,
    db_url: str | None,
    tags: Sequence[str],
    team: str | None,
) -> tuple[str, Scorecard]:
    """Save one analysis as ``batch`` would (idempotently, with the meeting's
    corrections applied); the line to show and the scorecard as stored."""
    from ..corrections import with_corrections
    from ..store import Store

    with Store(db_url) as store:
        record = with_corrections(store, analysis.record(tags=tags, team=team), analyzer.scoring)
        saved = store.save(record)
        where = store.shown
    meeting = analysis.meeting
    how = {"metadata": "transcript", "filename": "file name", "modified": "file's time"}
    when = f"{meeting.date:%Y-%m-%d} (from the {how[str(meeting.date_source)]})"
    fixed = "" if record.scorecard is analysis.scorecard else ", with its stored corrections"
    if saved:
        return f"stored in {where}: meeting of {when}{fixed}", record.scorecard
    return (
        f"already stored in {where} (same meeting, classifier and scoring); nothing changed",
        record.scorecard,
    )


@cli.command()
@click.argument("file", default="-")
@output_option
@classifier_option
@_friendly
def classify(file: str, output: str | None, classifier: str, device: str) -> None:
    """Label utterances given as JSON Lines (FILE, or - for stdin).

    Each input line is {"text": ..., "context": <previous turn or null>}; each
    output line, in the same order, is {"labels": [...], "scores": {label: p}}.

    \b
    Example:
      echo '{"text": "Fine. Whatever you think.", "context": null}' \\
        | transcript-lens classify
    """
    from ..api import classify as run
    from ..labels import LABELS
    from ..readers.utterances import read_utterances

    results = run(read_utterances(file), classifier=classifier, device=device)
    lines = []
    for result in results:
        scores = {label: round(result.scores.get(label, 0.0), 4) for label in LABELS}
        lines.append(json.dumps({"labels": list(result.labels), "scores": scores}))
    write_output("".join(line + "\n" for line in lines), output, protect=(file,))


@cli.command()
@click.argument("files", nargs=-1)
@classifier_option
@click.option(
    "--real",
    "real_part",
    type=click.Choice(["test", "tune", "none"]),
    default=None,
    help="Also score the real-meeting gold (data/real/gold.jsonl) part; default: test, "
    "when the real meetings are found.",
)
@click.option("--json", "json_out", metavar="FILE", help="Also write the figures as JSON.")
@_friendly
def evaluate(
    files: tuple[str, ...],
    classifier: str,
    device: str,
    real_part: str | None,
    json_out: str | None,
) -> None:
    """Score a classifier on labelled rows (JSON Lines in the taxonomy's format)
    and on the real-meeting gold.

    Prints per-label precision, recall and F1, macro-F1 and the false-alarm
    rate (the share of rows with no label that get one) for FILES (default:
    data/dev.jsonl), then the real gold's test part on its own lines: natural
    stretches of real meetings at the rate labels occur there, and with the
    candidate turns added, with the labelled share and the calibration error.

    \b
    Example:
      transcript-lens evaluate
      transcript-lens evaluate data/dev.jsonl --classifier rules --real none
      transcript-lens evaluate --real test --json figures.json
    """

    from ..classifiers import get_classifier
    from ..classifiers.evaluate import evaluate as run
    from ..classifiers.evaluate import evaluate_real, format_real_report, format_report
    from ..classifiers.realgold import GOLD_PATH, MEETINGS_DIR, load_gold
    from ..classifiers.train import read_rows

    paths = [Path(name) for name in files]
    if not paths:
        default = Path("data") / "dev.jsonl"
        if not default.is_file():
            raise InputError(
                "no files given and no data/dev.jsonl here",
                hint="pass labelled JSON Lines files, or run from the checkout",
            )
        paths = [default]
    rows: list[dict[str, Any]] = []
    for path in paths:
        if not path.is_file():
            raise InputError("no such file", path=path, hint="pass labelled JSON Lines files")
        rows.extend(
            {"text": r.text, "context": r.context, "labels": list(r.labels)}
            for r in read_rows(path)
        )
    model = get_classifier(classifier, device=device)
    figures = run(model, rows)
    figures["classifier"] = f"{model.name}/{model.version}"
    click.echo(format_report(figures), nl=False)
    part = real_part or "test"
    if part != "none":
        if not MEETINGS_DIR.is_dir() or not GOLD_PATH.is_file():
            if real_part:
                raise InputError(
                    f"the real meetings are not at {MEETINGS_DIR}",
                    hint="set TRANSCRIPT_LENS_CORPORA to the folder holding realmeetings/",
                )
            click.echo(f"real gold skipped: no real meetings at {MEETINGS_DIR}", err=True)
        else:
            real = evaluate_real(model, load_gold(split=part))
            figures["real"] = {"part": part, **real}
            click.echo(format_real_report(real, f"real gold, {part} part"), nl=False)
    if json_out:
        write_output(json.dumps(figures, indent=2) + "\n", json_out, protect=files)


@cli.command()
@click.option("--data", "data_dir", default="data", show_default=True, help="The data folder.")
@click.option("--out", "out_dir", required=True, help="Folder to write the model to.")
@click.option("--seed", type=int, default=13, show_default=True)
@click.option("--epochs", type=click.IntRange(min=1), default=None, help="Override the epochs.")
@click.option("--force", is_flag=True, help="Write into a folder that already holds files.")
@click.option(
    "--corpora",
    metavar="DIR",
    default=None,
    help="Folder holding realmeetings/ (default: $TRANSCRIPT_LENS_CORPORA or ../shared/corpora).",
)
@click.option(
    "--held-out",
    "held_out",
    metavar="FILE",
    default=None,
    help="Also write the real pieces as the fold networks scored them (JSON Lines), "
    "to refit the combiner with scripts/refit_combiner.py.",
)
@click.option(
    "--extra",
    "extra",
    metavar="FILE",
    multiple=True,
    help="More labelled rows to train on (JSON Lines in the taxonomy's format), e.g. "
    "corrections from `labels export --all --corrected`. Repeatable.",
)
@_friendly
def train(
    data_dir: str,
    out_dir: str,
    seed: int,
    epochs: int | None,
    force: bool,
    corpora: str | None,
    held_out: str | None,
    extra: tuple[str, ...],
) -> None:
    """Fine-tune the learned classifier and fit the default classifier's combiner.

    Reproduces the shipped model (models/partnership-minilm) when run with the
    defaults on the same data: three trainings (two held-out folds of the real
    gold's tuning meetings, then all of them), about 90 minutes on two CPU cores.
    The real gold refers to the public meetings in ../shared/corpora.

    \b
    Example:
      transcript-lens train --out /tmp/partnership-minilm
      transcript-lens evaluate data/dev.jsonl --classifier learned  # with
      TRANSCRIPT_LENS_MODEL=/tmp/partnership-minilm set to try it
    """

    from ..classifiers.train import TrainConfig, read_rows
    from ..classifiers.train import train as run

    out = Path(out_dir)
    if out.exists() and any(out.iterdir()) and not force:
        raise TranscriptLensError(
            "folder is not empty", path=out, hint="choose a new --out folder or pass --force"
        )
    if not (Path(data_dir) / "splits.json").is_file():
        raise InputError(
            "no splits.json here", path=data_dir, hint="pass --data with the data folder"
        )
    for path in extra:
        if not Path(path).is_file():
            raise InputError("no such file", path=path, hint="--extra takes a JSON Lines file")
        read_rows(Path(path))  # a bad row is an error now, not after an hour of training
    config = TrainConfig(seed=seed, extra_data=tuple(extra))
    if epochs is not None:
        config.epochs = epochs
    run(
        Path(data_dir),
        out,
        config,
        corpora=Path(corpora) if corpora else None,
        held_out_path=Path(held_out) if held_out else None,
        log=lambda line: click.echo(line, err=True),
    )


@cli.command()
@click.option(
    "--markdown", is_flag=True, help="A Markdown table, as in the README's 'Input formats'."
)
def formats(markdown: bool) -> None:
    """List the transcript formats analyze and batch read, and how each is detected.

    \b
    Example:
      transcript-lens formats
      transcript-lens analyze meeting.docx --input-format docx
    """
    from ..readers import formats_table

    click.echo(formats_table(markdown=markdown), nl=False)


@cli.command()
def schema() -> None:
    """Print the JSON Schema of the scorecard (--format json output)."""
    from ..render.json import schema_json

    click.echo(schema_json(), nl=False)


def _add_commands() -> None:
    from .archive import batch
    from .labels import COMMANDS as LABEL_COMMANDS
    from .report import COMMANDS as REPORT_COMMANDS
    from .store import COMMANDS

    cli.add_command(batch)
    for command in (*COMMANDS, *REPORT_COMMANDS, *LABEL_COMMANDS):
        cli.add_command(command)


_add_commands()


def main() -> None:
    cli(prog_name="transcript-lens")


if __name__ == "__main__":
    main()
