"""What a batch worker does with one meeting: label and score it.

The coordinator reads and parses each file once (``Analyzer.read``) and hands
the :class:`~..analyzer.ReadMeeting` to a worker; the worker's
:class:`~..analyzer.Analyzer`, built once per process from :class:`Settings`,
labels it. :func:`label_safely` never raises for a bad meeting and never
touches the database: only the coordinating process writes results.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..analyzer import Analysis, Analyzer, ReadMeeting
from ..errors import TranscriptLensError


@dataclass(frozen=True)
class Settings:
    """How every file of a run is read and scored (picklable, sent to workers)."""

    classifier: str = "ensemble"
    config: str | None = None
    device: str = "cpu"
    merge_gap: float = 2.0
    input_format: str | None = None
    speakers: str | None = None
    # (name, side) pairs, as --side gives them.
    sides: tuple[tuple[str, str], ...] = ()
    coach: tuple[str, ...] = ()
    # (part, column) pairs for CSV files, as --columns gives them; a tuple so
    # Settings stays hashable.
    columns: tuple[tuple[str, str], ...] = ()
    max_bytes: int | None = None


@dataclass(frozen=True)
class Failed:
    """A meeting that could not be analyzed, and why (one line)."""

    source: str
    error: str


def make_analyzer(settings: Settings, *, threads: int | None = None) -> Analyzer:
    """The analyzer of a run. A coach or role naming someone absent from one
    meeting of the archive is passed over there, not an error."""
    return Analyzer(
        classifier=settings.classifier,
        config=settings.config,
        speakers=settings.speakers,
        sides=dict(settings.sides),
        coach=settings.coach,
        input_format=settings.input_format,
        merge_gap=settings.merge_gap,
        columns=dict(settings.columns),
        max_bytes=settings.max_bytes,
        strict_roles=False,
        device=settings.device,
        threads=threads,
    )


def label_safely(analyzer: Analyzer, meeting: ReadMeeting) -> Analysis | Failed:
    """``analyzer.label(meeting)``; a failure is returned, never raised."""
    try:
        return analyzer.label(meeting)
    except TranscriptLensError as error:
        return Failed(meeting.source, str(error))
    except Exception as error:  # noqa: BLE001 - one bad file must not stop a run
        return Failed(
            meeting.source, f"{meeting.source}: unexpected {type(error).__name__}: {error}"
        )
