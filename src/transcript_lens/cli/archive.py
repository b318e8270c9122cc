"""``transcript-lens batch``: a whole archive into the database, resumable."""

from __future__ import annotations

import sys
import time
from typing import Any

import click

from ..archive import (
    BatchOptions,
    FileResult,
    Progress,
    Settings,
    Summary,
    run_batch,
    summary_lines,
)
from .common import (
    _friendly,
    classifier_option,
    columns_option,
    db_option,
    max_size_option,
    side_option,
)

#: Seconds between plain progress lines when stderr is not a terminal.
PLAIN_INTERVAL = 10.0


class PlainProgress(Progress):
    """A progress line every few seconds, for logs and pipes."""

    def __init__(self, interval: float = PLAIN_INTERVAL) -> None:
        self.total = 0
        self.interval = interval
        self.started = time.monotonic()
        self.last = self.started

    def found(self, total: int) -> None:
        self.total = total
        click.echo(f"batch: {total} transcripts found", err=True)

    def advance(self, result: FileResult, summary: Summary) -> None:
        now = time.monotonic()
        if now - self.last >= self.interval or summary.done == self.total:
            self.last = now
            click.echo(f"batch: {_status(summary, self.total, now - self.started)}", err=True)


class RichProgress(Progress):
    """A live bar on a terminal: files done, failed, rate, ETA."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as Bar

        self.bar = Bar(
            TextColumn("[bold]batch"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[failed]} failed"),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        self.task = self.bar.add_task("batch", total=None, failed=0, rate="")
        self.started = time.monotonic()
        self.bar.start()

    def found(self, total: int) -> None:
        self.bar.update(self.task, total=total)

    def advance(self, result: FileResult, summary: Summary) -> None:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        self.bar.update(
            self.task,
            completed=summary.done,
            failed=summary.failed,
            rate=f"{summary.analyzed / elapsed * 60:.1f} meetings/min",
        )

    def close(self) -> None:
        self.bar.stop()


def _status(summary: Summary, total: int, elapsed: float) -> str:
    rate = summary.analyzed / elapsed * 60 if elapsed > 0 else 0.0
    remaining = total - summary.done
    per_file = elapsed / summary.done if summary.done else 0.0
    eta = f", ETA {_clock(per_file * remaining)}" if summary.done and remaining else ""
    return (
        f"{summary.done}/{total} files ({summary.analyzed} analyzed, {summary.skipped} already "
        f"done, {summary.duplicates} duplicates, {summary.failed} failed), "
        f"{rate:.1f} meetings/min{eta}"
    )


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@db_option()
@click.option(
    "--out",
    "out_dir",
    metavar="DIR",
    help="Also write one scorecard JSON per meeting and summary.csv here.",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Worker processes (local) or model actors (ray).",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "ray"]),
    default="local",
    show_default=True,
    help="Run here, or with Ray Data (pip install 'transcript-lens[ray]').",
)
@click.option(
    "--ray-address",
    metavar="ADDR",
    help="Ray cluster to join; a local Ray is started when omitted.",
)
@click.option("--fail-fast", is_flag=True, help="Stop at the first file that fails.")
@click.option("--quiet", "-q", is_flag=True, help="No progress display; only the summary.")
@click.option("--include", multiple=True, metavar="GLOB", help="Only files matching (repeatable).")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip files matching (repeatable).")
@click.option(
    "--tag", "tags", multiple=True, metavar="TAG", help="File the meetings under TAG (repeatable)."
)
@click.option("--team", metavar="NAME", help="File the meetings under a team.")
@columns_option
@max_size_option
@classifier_option
@click.option("--config", metavar="TOML", help="Scoring weights laid over the defaults.")
@click.option(
    "--speakers",
    "speaker_map",
    metavar="TOML",
    help="Rename, merge and give roles to speakers in every meeting (docs/speakers.md).",
)
@side_option
@click.option(
    "--coach",
    multiple=True,
    metavar="NAME",
    help="The coach, in the meetings where NAME speaks: adds the coaching review.",
)
@_friendly
def batch(
    paths: tuple[str, ...],
    db: str | None,
    out_dir: str | None,
    jobs: int,
    engine: str,
    ray_address: str | None,
    fail_fast: bool,
    quiet: bool,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    tags: tuple[str, ...],
    team: str | None,
    columns: dict[str, str] | None,
    max_bytes: int | None,
    classifier: str,
    device: str,
    config: str | None,
    speaker_map: str | None,
    sides: dict[str, str],
    coach: tuple[str, ...],
) -> None:
    """Analyze every transcript under PATHS (folders, zip archives, files) into the database.

    Re-running skips what is already stored, so a stopped run just continues.
    Exit status 1 if any file failed.

    \b
    Example:
      transcript-lens batch ~/meetings/2024 archive.zip --out scorecards/
      transcript-lens trends --by month
    """
    if speaker_map:
        from ..speakers import load_speaker_map

        load_speaker_map(speaker_map)  # a bad map is one error now, not one per file
    options = BatchOptions(
        paths=paths,
        settings=Settings(
            classifier=classifier,
            config=config,
            device=device,
            speakers=speaker_map,
            sides=tuple(sides.items()),
            coach=coach,
            columns=tuple((columns or {}).items()),
            max_bytes=max_bytes,
        ),
        db_url=db,
        out_dir=out_dir,
        jobs=jobs,
        engine=engine,
        ray_address=ray_address,
        fail_fast=fail_fast,
        include=include,
        exclude=exclude,
        tags=tags,
        team=team,
    )
    progress: Any = None
    if not quiet:
        progress = RichProgress() if sys.stderr.isatty() else PlainProgress()
    summary = run_batch(options, progress)
    for line in summary_lines(summary):
        click.echo(line)
    if summary.failed:
        sys.exit(1)
