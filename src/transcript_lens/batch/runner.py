"""The coordinator: plan the work, run an engine, store every result.

Only this process writes to the database. For each source it

1. reads the bytes and hashes them: a file whose hash is already stored
   for this classifier and scoring config is *skipped*;
2. parses it (cheap) to fingerprint the spoken words: a second export of a
   meeting already stored or already queued in this run is a *duplicate*;
3. otherwise queues it for the engine, whose workers label and score it;
4. writes the returned scorecard: first the ``--out`` JSON (write, then
   rename), then the database row set in one transaction.

A run killed at any point therefore loses no stored result, leaves no
half-written one, and a re-run does only what is missing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import TranscriptLensError
from ..files import temp_beside
from .sources import Source, content_hash, discover
from .work import Settings, fingerprint


def meeting_key(fingerprint_hex: str, classifier: str, scoring: str) -> str:
    """Identity of a stored result: the meeting's words, the classifier, the scoring config."""
    return hashlib.sha256(f"{fingerprint_hex}|{classifier}|{scoring}".encode()).hexdigest()


@dataclass
class BatchOptions:
    paths: Sequence[str]
    settings: Settings = field(default_factory=Settings)
    db_url: str | None = None
    out_dir: str | None = None
    jobs: int = 1
    engine: str = "local"
    ray_address: str | None = None
    fail_fast: bool = False
    include: Sequence[str] = ()
    exclude: Sequence[str] = ()
    tags: Sequence[str] = ()
    team: str | None = None


@dataclass
class FileResult:
    source: str
    status: str  # analyzed | skipped | duplicate | failed
    content_hash: str = ""
    error: str = ""
    duplicate_of: str = ""
    scorecard_file: str = ""


@dataclass
class Summary:
    run_id: int | None = None
    found: int = 0
    analyzed: int = 0
    skipped: int = 0
    duplicates: int = 0
    failed: int = 0
    utterances: int = 0
    seconds: float = 0.0
    status: str = "finished"
    failures: list[tuple[str, str]] = field(default_factory=list)
    results: list[FileResult] = field(default_factory=list)

    @property
    def done(self) -> int:
        return self.analyzed + self.skipped + self.duplicates + self.failed


class Progress:
    """What the coordinator reports while it runs (the CLI draws it)."""

    def found(self, total: int) -> None: ...
    def advance(self, result: FileResult, summary: Summary) -> None: ...
    def close(self) -> None: ...


def versions(settings: Settings) -> tuple[str, str]:
    """(classifier, scoring) version strings, without loading any model."""
    from ..classify import get_classifier
    from ..config import load_config

    classifier = get_classifier(settings.classifier, device=settings.device)
    scoring = load_config(settings.config)
    return f"{classifier.name}/{classifier.version}", f"{scoring.version}/{scoring.digest}"


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = temp_beside(path)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _out_name(out_dir: Path, source: Source) -> Path:
    relative = (source.relative or source.file_name).lstrip("/")
    parts = [p for p in Path(relative).parts if p not in ("..", ".")]
    return out_dir.joinpath(*parts).with_name(parts[-1] + ".json")


def run_batch(options: BatchOptions, progress: Progress | None = None) -> Summary:
    """Analyze every transcript under ``options.paths`` into the database."""
    from ..readers import decode, read_text
    from ..scorecard import Scorecard
    from ..store import MeetingRecord, Store
    from .engines import make_engine

    progress = progress or Progress()
    summary = Summary()
    started = time.perf_counter()
    classifier_version, scoring_version = versions(options.settings)
    out_dir = Path(options.out_dir) if options.out_dir else None
    if out_dir is not None and out_dir.exists() and not out_dir.is_dir():
        raise TranscriptLensError("is not a folder", path=out_dir, hint="give --out a folder")
    if out_dir is not None and out_dir.is_dir():
        _remove_stale_temp_files(out_dir)
    # Every path must exist before anything starts.
    for path in options.paths:
        if not Path(path).exists():
            raise TranscriptLensError("no such file or folder", path=path)

    with Store(options.db_url) as store:
        stored = [
            row
            for row in store.history()
            if row["classifier"] == classifier_version and row["scoring"] == scoring_version
        ]
        by_hash = {row["content_hash"]: row for row in stored}
        done_hashes = set(by_hash)
        known_keys = store.done_keys()
        run_id = store.begin_run(
            engine=options.engine,
            jobs=options.jobs,
            inputs=[str(p) for p in options.paths],
            classifier=classifier_version,
            scoring=scoring_version,
        )
        summary.run_id = run_id
        sources: dict[str, Source] = {}
        queued_keys: dict[str, str] = {}

        def record(result: FileResult) -> None:
            summary.results.append(result)
            if result.status == "failed":
                summary.failed += 1
                summary.failures.append((result.source, result.error))
                store.record_error(run_id, result.source, result.content_hash or None, result.error)
            elif result.status == "skipped":
                summary.skipped += 1
            elif result.status == "duplicate":
                summary.duplicates += 1
            else:
                summary.analyzed += 1
            progress.advance(result, summary)
            if result.status == "failed" and options.fail_fast:
                raise _FailFast(result)

        def on_zip_error(path: str, error: TranscriptLensError) -> None:
            record(FileResult(path, "failed", error=str(error)))

        def plan() -> Iterator[tuple[Source, str]]:
            all_sources = list(
                discover(
                    options.paths,
                    include=options.include,
                    exclude=options.exclude,
                    on_error=on_zip_error,
                )
            )
            summary.found = len(all_sources)
            progress.found(len(all_sources))
            for source in all_sources:
                try:
                    data = source.read()
                    digest = content_hash(data)
                    if digest in done_hashes:
                        first = by_hash[digest]["source"]
                        if first != source.name:  # the same bytes stored from another path
                            record(FileResult(source.name, "duplicate", digest, duplicate_of=first))
                        else:
                            found = _existing(out_dir, source)
                            record(FileResult(source.name, "skipped", digest, scorecard_file=found))
                        continue
                    transcript = read_text(
                        decode(data, source.name),
                        source=source.name,
                        input_format=options.settings.input_format,
                        merge_gap=options.settings.merge_gap,
                    )
                except TranscriptLensError as error:
                    record(FileResult(source.name, "failed", error=str(error)))
                    continue
                key = meeting_key(
                    fingerprint([u.text for u in transcript.utterances]),
                    classifier_version,
                    scoring_version,
                )
                if key in known_keys or key in queued_keys:
                    first = queued_keys.get(key, "a meeting already in the database")
                    record(FileResult(source.name, "duplicate", digest, duplicate_of=first))
                    continue
                queued_keys[key] = source.name
                sources[source.name] = source
                del data, transcript
                yield source, digest

        engine = make_engine(options.engine, options.settings, options.jobs, options.ray_address)
        status = "finished"
        try:
            engine.start()
            for outcome in engine.run(plan()):
                source = sources.pop(outcome["source"])
                if not outcome["ok"]:
                    record(FileResult(source.name, "failed", error=outcome["error"]))
                    continue
                card = Scorecard.model_validate_json(outcome["scorecard"])
                key = meeting_key(outcome["fingerprint"], classifier_version, scoring_version)
                written = ""
                if out_dir is not None:
                    target = _out_name(out_dir, source)
                    _atomic_write(target, card.model_dump_json(indent=2) + "\n")
                    written = str(target)
                store.save(
                    MeetingRecord(
                        key=key,
                        source=source.name,
                        content_hash=outcome["content_hash"],
                        date=datetime.fromisoformat(outcome["date"]),
                        date_source=outcome["date_source"],
                        scorecard=card,
                        tags=tuple(options.tags),
                        team=options.team,
                    ),
                    run_id=run_id,
                )
                summary.utterances += outcome["turns"]
                record(
                    FileResult(
                        source.name, "analyzed", outcome["content_hash"], scorecard_file=written
                    )
                )
        except _FailFast:
            status = "failed"
        except KeyboardInterrupt:
            status = "interrupted"
            raise
        except BaseException:
            status = "failed"
            raise
        finally:
            engine.stop()
            progress.close()
            summary.status = status
            summary.seconds = time.perf_counter() - started
            store.end_run(
                run_id,
                done=summary.analyzed,
                skipped=summary.skipped + summary.duplicates,
                failed=summary.failed,
                status=status,
            )
            if out_dir is not None:
                _write_summary_csv(out_dir / "summary.csv", summary, by_hash, store)
    return summary


class _FailFast(Exception):
    def __init__(self, result: FileResult) -> None:
        super().__init__(result.error)
        self.result = result


def _remove_stale_temp_files(out_dir: Path) -> None:
    """Temp files a killed run left behind (never a finished scorecard)."""
    for path in out_dir.rglob(".*.tmp"):
        if ".json." in path.name or path.name.startswith(".summary.csv."):
            path.unlink(missing_ok=True)


def _existing(out_dir: Path | None, source: Source) -> str:
    if out_dir is None:
        return ""
    target = _out_name(out_dir, source)
    return str(target) if target.exists() else ""


SUMMARY_FIELDS = (
    "source",
    "status",
    "date",
    "date_source",
    "title",
    "turns",
    "overall",
    "band",
    "purpose",
    "dissent",
    "ownership",
    "candor",
    "resignation_flags",
    "blame_flags",
    "silencing_flags",
    "scorecard",
    "duplicate_of",
    "error",
)


def _write_summary_csv(
    path: Path, summary: Summary, by_hash: dict[str, dict[str, Any]], store: Any
) -> None:
    """One row per file of this run, written atomically."""
    fresh = {
        row["content_hash"]: row for row in store.history() if row["content_hash"] not in by_hash
    }
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=SUMMARY_FIELDS, lineterminator="\n")
    writer.writeheader()
    for result in summary.results:
        row = by_hash.get(result.content_hash) or fresh.get(result.content_hash) or {}
        writer.writerow(
            {
                "source": result.source,
                "status": result.status,
                "date": row.get("date", ""),
                "date_source": row.get("date_source", ""),
                "title": row.get("title", ""),
                "turns": row.get("turns", ""),
                "overall": row.get("overall", ""),
                "band": row.get("band", ""),
                **{r: row.get(r, "") for r in ("purpose", "dissent", "ownership", "candor")},
                **{
                    f"{a}_flags": row.get(f"{a}_flags", "")
                    for a in ("resignation", "blame", "silencing")
                },
                "scorecard": result.scorecard_file,
                "duplicate_of": result.duplicate_of,
                "error": result.error,
            }
        )
    _atomic_write(path, buffer.getvalue())


def summary_lines(summary: Summary, *, limit: int = 20) -> list[str]:
    """The end-of-run report: counts, speed, then each failure with its reason."""
    rate = summary.analyzed / summary.seconds * 60 if summary.seconds else 0.0
    lines = [
        f"{summary.found} files: {summary.analyzed} analyzed, {summary.skipped} already "
        f"done, {summary.duplicates} duplicates, {summary.failed} failed "
        f"in {summary.seconds:.1f} s ({rate:.1f} meetings/min, "
        f"{summary.utterances / summary.seconds if summary.seconds else 0:.0f} utterances/s)"
    ]
    if summary.status != "finished":
        lines.append(f"run {summary.status}")
    for source, reason in summary.failures[:limit]:
        lines.append(f"failed: {reason if reason.startswith(source) else f'{source}: {reason}'}")
    if len(summary.failures) > limit:
        lines.append(
            f"... and {len(summary.failures) - limit} more failures (see the errors table)"
        )
    return lines
