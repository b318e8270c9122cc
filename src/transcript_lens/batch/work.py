"""What a batch worker does with one transcript: read, label, score.

A :class:`Labeller` loads the classifier and the scoring config once and is
then called for each :class:`~.sources.Source`. It returns a plain dict (a
:class:`Outcome`), never raises for a bad file, and never touches the
database: only the coordinating process writes results.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..errors import TranscriptLensError
from ..identity import content_hash, fingerprint
from .dates import meeting_date
from .sources import Source


@dataclass(frozen=True)
class Settings:
    """How every file of a run is read and scored (picklable, sent to workers)."""

    classifier: str = "ensemble"
    config: str | None = None
    device: str = "cpu"
    merge_gap: float = 2.0
    input_format: str | None = None
    speakers: str | None = None
    coach: tuple[str, ...] = ()
    # (part, column) pairs for CSV files, as --columns gives them; a tuple so
    # Settings stays hashable.
    columns: tuple[tuple[str, str], ...] = ()
    max_bytes: int | None = None


class Labeller:
    """Loads the model once; then turns sources into outcomes."""

    def __init__(self, settings: Settings, *, threads: int | None = None) -> None:
        from ..classify import get_classifier
        from ..classify.base import ClassifierInput
        from ..config import load_config
        from ..speakers import load_speaker_map

        options: dict[str, Any] = {"device": settings.device}
        if threads is not None:
            options["threads"] = threads
        self.settings = settings
        self.classifier = get_classifier(settings.classifier, **options)
        self.scoring = load_config(settings.config)
        self.speakers = load_speaker_map(settings.speakers) if settings.speakers else None
        # Load the models now, not on the first file, so a broken install fails
        # early (an empty list would return before loading anything).
        self.classifier.predict([ClassifierInput(text="Hello.")])

    def __call__(
        self,
        source: Source,
        expected_hash: str | None = None,
        data: bytes | None = None,
        modified: datetime | None = None,
    ) -> dict[str, Any]:
        """Label one source; ``data`` and ``modified`` when it was read elsewhere."""
        from ..api import score_meeting
        from ..readers import read_text, to_text

        try:
            if data is None:
                data = source.read(self.settings.max_bytes)
            if modified is None:
                modified = source.modified()
            digest = content_hash(data)
            if expected_hash is not None and digest != expected_hash:
                raise TranscriptLensError("changed while the batch was running", path=source.name)
            text, input_format = to_text(
                data, source.name, self.settings.input_format, max_bytes=self.settings.max_bytes
            )
            transcript = read_text(
                text,
                source=source.name,
                input_format=input_format,
                merge_gap=self.settings.merge_gap,
                title=source.file_name.rsplit(".", 1)[0],
                columns=dict(self.settings.columns),
            )
            date, date_source = meeting_date(source.file_name, text, modified)
            card = score_meeting(
                transcript,
                self.classifier,
                self.scoring,
                speakers=self.speakers,
                coach=self.settings.coach,
                strict_roles=False,
            )
        except TranscriptLensError as error:
            return {"source": source.name, "ok": False, "error": str(error)}
        except Exception as error:  # noqa: BLE001 - one bad file must not stop a run
            return {
                "source": source.name,
                "ok": False,
                "error": f"{source.name}: unexpected {type(error).__name__}: {error}",
            }
        return {
            "source": source.name,
            "ok": True,
            "content_hash": digest,
            "fingerprint": fingerprint([u.text for u in transcript.utterances]),
            "date": date.isoformat(),
            "date_source": date_source,
            "turns": len(transcript.utterances),
            "scorecard": card.model_dump_json(),
        }
