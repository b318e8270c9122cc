"""The coordinator: plan the work, run an engine, store every result.

Only this process writes to the database. For each source it

1. reads the bytes and hashes them: a file whose hash is already stored
   for this classifier and scoring config is *skipped*;
2. parses it, once, to fingerprint the spoken words: a second export of a
   meeting already stored or already queued in this run is a *duplicate*;
3. otherwise queues the parsed meeting for the engine, whose workers label
   and score it;
4. writes the returned scorecard: first the ``--out`` JSON (write, then
   rename), then the database row set in one transaction.

A run killed at any point therefore loses no stored result, leaves no
half-written one, and a re-run does only what is missing. A full disk or a
database that cannot be written stops the run with one message for the same
reason; a scorecard that cannot be written for a reason of its own (a link
in the way under --out) fails that file alone. Output names are cleaned so
nothing is written outside --out, whatever the input files are called.
"""

from __future__ import annotations

import csv
import errno
import hashlib
import io
import os
import re
import time
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..analyzer import ReadMeeting
from ..corrections import with_corrections
from ..errors import TranscriptLensError
from ..files import lock, write_atomic
from ..identity import content_hash
from ..scorecard.compare import NOT_SCORED
from .sources import Source, discover, shown
from .work import Settings


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
    #: Why an analyzed meeting got no index (not scored), else empty.
    note: str = ""


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
    #: Analyzed meetings that had too little to judge, with the reason.
    not_scored: list[tuple[str, str]] = field(default_factory=list)
    results: list[FileResult] = field(default_factory=list)

    @property
    def done(self) -> int:
        return self.analyzed + self.skipped + self.duplicates + self.failed


class Progress:
    """What the coordinator reports while it runs (the CLI draws it)."""

    def found(self, total: int) -> None: ...
    def advance(self, result: FileResult, summary: Summary) -> None: ...
    def close(self) -> None: ...


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Another run's clean-up may take the temp file in the moment between its
    # creation and its lock; then write it again under a new name.
    for attempt in range(3):
        try:
            write_atomic(path, text, locked=True)
            return
        except FileNotFoundError:
            if attempt == 2 or not path.parent.is_dir():
                raise


#: Longest file or folder name written under --out, in UTF-8 bytes: well inside
#: the 255 that file systems allow, with room for ".json" and a temp suffix.
MAX_NAME_BYTES = 120
#: Deepest folder nesting under --out; anything deeper goes into one hashed folder.
MAX_DEPTH = 16
# Characters Windows refuses in a name, and names it keeps for devices.
_RESERVED_CHARS = re.compile(r'[<>:"/\\|?*]')
_RESERVED_NAMES = re.compile(r"(?i)^(con|prn|aux|nul|conin\$|conout\$|(com|lpt)[0-9¹²³])(\..*)?$")


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def _safe_part(part: str, limit: int = MAX_NAME_BYTES) -> str:
    """One path component as a portable, harmless file name.

    Control and format characters (and undecodable bytes) become ``_``, as do
    characters Windows forbids; a leading dot (a hidden file, or one the next
    run's clean-up would take for a temp file) and device names get a ``_``
    prefix. A changed or over-long name gets a hash of the original, so two
    different names never share one output file.
    """
    clean = "".join("_" if unicodedata.category(c).startswith("C") else c for c in part)
    clean = _RESERVED_CHARS.sub("_", clean).rstrip(" .")
    if clean.startswith(".") or not clean or _RESERVED_NAMES.match(clean):
        clean = "_" + clean
    if clean == part and len(part.encode()) <= limit:
        return part
    cut = clean.encode()[: limit - 9].decode("utf-8", "ignore")
    return f"{cut}~{_short_hash(part)}"


def _out_name(out_dir: Path, source: Source) -> Path:
    """Where the scorecard of ``source`` goes: its path below the input, made safe.

    Every component is cleaned by :func:`_safe_part`; empty, ``.`` and ``..``
    components are dropped, so the result is always inside ``out_dir``.
    """
    relative = source.relative or source.file_name
    parts = [p for p in re.split(r"[/\\]", relative) if p not in ("", ".", "..")]
    if not parts:
        parts = [f"_~{_short_hash(source.name)}"]
    folders = [_safe_part(p) for p in parts[:-1]]
    if len(folders) > MAX_DEPTH:
        folders = [*folders[: MAX_DEPTH - 1], f"_~{_short_hash('/'.join(parts[:-1]))}"]
    name = _safe_part(parts[-1], MAX_NAME_BYTES - len(".json")) + ".json"
    return out_dir.joinpath(*folders, name)


class _OutputRefused(Exception):
    """A scorecard path under --out that would be written through a symbolic link."""


def _write_scorecard(out_dir: Path, target: Path, text: str) -> None:
    """Write ``target`` (below ``out_dir``) without following a link out of ``out_dir``.

    ``out_dir`` itself may be a link (the user chose it); below it, a link in
    place of a folder or of the file would take the write elsewhere, so the
    file is refused rather than written through it.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    folder = out_dir
    for part in target.relative_to(out_dir).parts[:-1]:
        folder = folder / part
        if folder.is_symlink():
            raise _OutputRefused(f"{folder} is a symbolic link")
        if not folder.is_dir():
            folder.mkdir(exist_ok=True)
            if folder.is_symlink() or not folder.is_dir():
                raise _OutputRefused(f"{folder} is not a folder")
    if target.is_symlink():
        raise _OutputRefused(f"{target} is a symbolic link")
    _atomic_write(target, text)


#: Write errors that will hit every remaining file too: the run stops at the first.
_STOPPING = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EFBIG: "a file size limit was reached",
    errno.EROFS: "the file system is read-only",
}


def run_batch(options: BatchOptions, progress: Progress | None = None) -> Summary:
    """Analyze every transcript under ``options.paths`` into the database."""
    from ..store import Store
    from .engines import make_engine
    from .work import Failed, make_analyzer

    progress = progress or Progress()
    summary = Summary()
    started = time.perf_counter()
    # Builds the classifier (not yet its model), config and speaker map once:
    # for the version strings, to read every file, and to label with one job.
    analyzer = make_analyzer(options.settings)
    classifier_version, scoring_version = analyzer.classifier_version, analyzer.scoring_version
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
            for row in store.history(all_analyses=True)
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
                if result.note:
                    summary.not_scored.append((result.source, result.note))
            progress.advance(result, summary)
            if result.status == "failed" and options.fail_fast:
                raise _FailFast(result)

        def on_zip_error(path: str, error: TranscriptLensError) -> None:
            record(FileResult(path, "failed", error=str(error)))

        def plan() -> Iterator[ReadMeeting]:
            all_sources = list(
                discover(
                    options.paths,
                    include=options.include,
                    exclude=options.exclude,
                    on_error=on_zip_error,
                )
            )
            # Archives and members refused while looking count as files found.
            summary.found = len(all_sources) + summary.failed
            progress.found(summary.found)
            for source in all_sources:
                try:
                    data = source.read(options.settings.max_bytes)
                    digest = content_hash(data)
                    if digest in done_hashes:
                        first = by_hash[digest]["source"]
                        if first != source.name:  # the same bytes stored from another path
                            record(FileResult(source.name, "duplicate", digest, duplicate_of=first))
                        else:
                            found = _existing(out_dir, source)
                            record(FileResult(source.name, "skipped", digest, scorecard_file=found))
                        continue
                    # Read and parsed here, once: the worker labels this transcript.
                    meeting = analyzer.read(
                        data,
                        source=source.name,
                        file_name=source.file_name,
                        modified=source.modified(),
                    )
                except TranscriptLensError as error:
                    record(FileResult(source.name, "failed", error=str(error)))
                    continue
                key = analyzer.key(meeting.fingerprint)
                if key in known_keys or key in queued_keys:
                    first = queued_keys.get(key, "a meeting already in the database")
                    record(FileResult(source.name, "duplicate", digest, duplicate_of=first))
                    continue
                queued_keys[key] = source.name
                sources[source.name] = source
                del data
                yield meeting

        engine = make_engine(
            options.engine, options.settings, options.jobs, options.ray_address, analyzer
        )
        status = "finished"
        failure: BaseException | None = None
        try:
            engine.start()
            for outcome in engine.run(plan()):
                source = sources.pop(outcome.source)
                if isinstance(outcome, Failed):
                    record(FileResult(source.name, "failed", error=outcome.error))
                    continue
                card = outcome.scorecard
                digest = outcome.meeting.content_hash or ""
                written = ""
                if out_dir is not None:
                    target = _out_name(out_dir, source)
                    try:
                        _write_scorecard(out_dir, target, card.model_dump_json(indent=2) + "\n")
                    except (OSError, _OutputRefused) as error:
                        stop = _out_error(error, target, summary)
                        if stop is not None:
                            raise stop from None
                        # Not stored either, so the next run writes it again.
                        reason = _out_reason(error, target)
                        record(FileResult(source.name, "failed", error=reason))
                        continue
                    written = str(target)
                corrected = with_corrections(
                    store, outcome.record(tags=options.tags, team=options.team), analyzer.scoring
                )
                saved = store.save(corrected, run_id=run_id)
                if not saved:
                    # Another run stored the same meeting while this one worked on it.
                    first = "a meeting already in the database"
                    record(FileResult(source.name, "duplicate", digest, duplicate_of=first))
                    continue
                summary.utterances += len(outcome.meeting.transcript.utterances)
                card = outcome.scorecard
                note = (card.assessment.message or "") if card.overall is None else ""
                record(
                    FileResult(source.name, "analyzed", digest, scorecard_file=written, note=note)
                )
        except _FailFast:
            status = "failed"
        except KeyboardInterrupt as error:
            status, failure = "interrupted", error
            raise
        except BaseException as error:
            status, failure = "failed", error
            raise
        finally:
            engine.stop()
            progress.close()
            summary.status = status
            summary.seconds = time.perf_counter() - started
            try:
                store.end_run(
                    run_id,
                    done=summary.analyzed,
                    skipped=summary.skipped + summary.duplicates,
                    failed=summary.failed,
                    status=status,
                )
                if out_dir is not None:
                    _write_summary_csv(
                        out_dir / "summary.csv",
                        summary,
                        by_hash,
                        store,
                        (classifier_version, scoring_version),
                    )
            except (TranscriptLensError, OSError):
                # A full disk or a read-only database that stopped the run fails
                # these too; the first error is the one that says what happened.
                if failure is None:
                    raise
    return summary


def _out_error(error: Exception, target: Path, summary: Summary) -> TranscriptLensError | None:
    """The error that stops the run, when ``error`` will recur for every file."""
    if not isinstance(error, OSError) or error.errno not in _STOPPING:
        return None
    return TranscriptLensError(
        f"cannot write {target}: {error.strerror or error}; {_STOPPING[error.errno]}",
        hint=f"make room (or choose another --out) and run batch again; the "
        f"{summary.analyzed} meetings stored before it stopped are kept and "
        "the next run goes on from there",
    )


def _out_reason(error: Exception, target: Path) -> str:
    if isinstance(error, _OutputRefused):
        return f"refused to write the scorecard: {error}; --out never writes through links"
    assert isinstance(error, OSError)
    return f"cannot write {target}: {error.strerror or error}"


class _FailFast(Exception):
    def __init__(self, result: FileResult) -> None:
        super().__init__(result.error)
        self.result = result


def _remove_stale_temp_files(out_dir: Path) -> None:
    """Temp files a killed run left behind (never a finished scorecard, nor one
    another run is writing right now: that one is locked)."""
    for path in out_dir.rglob(".*.tmp"):
        if not (".json." in path.name or path.name.startswith(".summary.csv.")):
            continue
        if path.is_symlink() or not path.is_file():
            continue
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            continue
        try:
            if lock(fd, wait=False):
                path.unlink(missing_ok=True)
        finally:
            os.close(fd)


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
    "note",
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
    path: Path,
    summary: Summary,
    by_hash: dict[str, dict[str, Any]],
    store: Any,
    versions: tuple[str, str],
) -> None:
    """One row per file of this run, written atomically: the analysis with this
    run's classifier and scoring, stored before it (``by_hash``) or by it."""
    fresh = {
        row["content_hash"]: row
        for row in store.history(all_analyses=True)
        if row["content_hash"] not in by_hash and (row["classifier"], row["scoring"]) == versions
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
                "band": row.get("band") or (NOT_SCORED if row else ""),
                "note": row.get("note") or "",
                **{r: row.get(r, "") for r in ("purpose", "dissent", "ownership", "candor")},
                # history() gives each anti-pattern's flag count under its label.
                **{f"{a}_flags": row.get(a, "") for a in ("resignation", "blame", "silencing")},
                "scorecard": result.scorecard_file,
                "duplicate_of": result.duplicate_of,
                "error": result.error,
            }
        )
    _atomic_write(path, buffer.getvalue())


def summary_lines(summary: Summary, *, limit: int = 20) -> list[str]:
    """The end-of-run report: counts, speed, then each failure with its reason."""
    rate = summary.analyzed / summary.seconds * 60 if summary.seconds else 0.0
    unjudged = f" ({len(summary.not_scored)} not scored)" if summary.not_scored else ""
    lines = [
        f"{summary.found} files: {summary.analyzed} analyzed{unjudged}, {summary.skipped} already "
        f"done, {summary.duplicates} duplicates, {summary.failed} failed "
        f"in {summary.seconds:.1f} s ({rate:.1f} meetings/min, "
        f"{summary.utterances / summary.seconds if summary.seconds else 0:.0f} utterances/s)"
    ]
    if summary.status != "finished":
        lines.append(f"run {summary.status}")
    for source, reason in summary.not_scored[:limit]:
        lines.append(shown(f"not scored: {source}: {reason}"))
    if len(summary.not_scored) > limit:
        lines.append(f"not scored: {len(summary.not_scored) - limit} more (see history)")
    for source, reason in summary.failures[:limit]:
        # A file name may hold a newline; the report keeps one line per failure.
        lines.append(
            shown(f"failed: {reason if reason.startswith(source) else f'{source}: {reason}'}")
        )
    if len(summary.failures) > limit:
        lines.append(
            f"... and {len(summary.failures) - limit} more failures (see the errors table)"
        )
    return lines
