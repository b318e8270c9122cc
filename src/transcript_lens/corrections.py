"""Corrections that count: a person's labels over the classifier's.

``labels export`` writes a stored meeting's turns to a CSV anyone can edit in
a spreadsheet; ``labels import`` reads it back, and every label a person
changed is stored as a correction of the meeting (who, when, the labels
before and after). A corrected scorecard is the stored one re-scored with
those labels: scores, flags, exchanges and the coaching review all follow,
the corrected turns say what the classifier had said (``corrected_from``),
and the evidence a person set is marked ``corrected``. Corrections belong to
the meeting, so a later analysis (another classifier, a new version) has them
applied before it is stored.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .classifiers.base import LabelEvidence, UtteranceLabels
from .errors import TranscriptLensError
from .labels import LABELS, Label, sort_labels
from .scorecard import Scorecard
from .scorecard.config import ScoringConfig, builtin_config_for
from .scorecard.scoring import score_transcript
from .speakers import transcript_of

if TYPE_CHECKING:
    from .store import MeetingRecord, Store

#: The columns ``labels export`` writes; ``labels import`` needs the first,
#: second and last, and reads the rest for the reader's eye only.
COLUMNS = ("meeting_id", "utterance_id", "speaker", "start", "text", "labels")

#: A spreadsheet runs a cell that starts with one of these as a formula; the
#: export puts an apostrophe before it, which the import takes away again.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")

#: What the scoring string of a corrected analysis ends with, then a digest.
MARK = "+corrected-"


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def join_labels(labels: Iterable[str]) -> str:
    return ";".join(labels)


@dataclass(frozen=True)
class Edit:
    """One row of an imported CSV: a turn of a stored meeting and its labels."""

    row: int
    meeting_id: int
    utterance_id: str
    labels: tuple[Label, ...]


# The CSV ----------------------------------------------------------------------


def _safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def _unsafe_cell(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(_FORMULA) else text


def label_csv(meeting_id: int, card: Scorecard) -> str:
    """One row per utterance of ``card``: the file ``labels export`` writes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for u in card.utterances:
        start = "" if u.start is None else f"{u.start:.2f}"
        cells = (meeting_id, u.id, u.speaker, start, u.text, join_labels(u.labels))
        writer.writerow([_safe_cell(c) for c in cells])
    return buffer.getvalue()


def _parse_labels(cell: str, row: int, path: str) -> tuple[Label, ...]:
    found: list[Label] = []
    for part in cell.replace(",", ";").split(";"):
        name = part.strip().lower()
        if not name:
            continue
        if name not in LABELS:
            raise TranscriptLensError(
                f"row {row}: {part.strip()!r} is not a label",
                path=path,
                hint=f"use {', '.join(LABELS)}, separated by ';'",
            )
        found.append(name)  # type: ignore[arg-type]
    return tuple(sort_labels(set(found)))


def read_label_csv(path: str | Path) -> list[Edit]:
    """The edits of a labels CSV, every row checked: a bad one is an error that
    names it, and nothing is returned for a file with any bad row."""
    shown = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as error:
        raise TranscriptLensError(f"cannot read {shown}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise TranscriptLensError(
            f"{shown} is not UTF-8 text", hint="save the sheet as CSV UTF-8"
        ) from None
    reader = csv.DictReader(io.StringIO(text))
    missing = {"meeting_id", "utterance_id", "labels"} - set(reader.fieldnames or ())
    if missing:
        raise TranscriptLensError(
            f"{shown}: no {', '.join(sorted(missing))} column",
            hint="import the file `transcript-lens labels export` wrote, with its header",
        )
    edits: list[Edit] = []
    seen: dict[tuple[int, str], int] = {}
    for n, record in enumerate(reader, start=2):
        meeting = _unsafe_cell((record.get("meeting_id") or "").strip())
        utterance = _unsafe_cell((record.get("utterance_id") or "").strip())
        if not meeting.isdigit():
            raise TranscriptLensError(
                f"row {n}: meeting_id {meeting!r} is not a number", path=shown
            )
        if not utterance:
            raise TranscriptLensError(f"row {n}: no utterance_id", path=shown)
        key = (int(meeting), utterance)
        if key in seen:
            raise TranscriptLensError(
                f"row {n}: utterance {utterance} of meeting {meeting} is also on row {seen[key]}",
                path=shown,
            )
        seen[key] = n
        labels = _parse_labels(_unsafe_cell(record.get("labels") or ""), n, shown)
        edits.append(Edit(n, int(meeting), utterance, labels))
    if not edits:
        raise TranscriptLensError(f"{shown} has no rows", hint="nothing to import")
    return edits


# Re-scoring -------------------------------------------------------------------


def scoring_base(scoring: str) -> str:
    """A scoring string without its corrections mark."""
    return scoring.split(MARK, 1)[0]


def corrections_digest(labels: Mapping[str, Sequence[str]]) -> str:
    blob = "\n".join(f"{uid}={join_labels(labels[uid])}" for uid in sorted(labels))
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def config_for(card: Scorecard) -> ScoringConfig | None:
    """The scoring config that made ``card``, if it is this version's built-in one."""
    return builtin_config_for(scoring_base(card.producer.scoring))


def apply_corrections(
    card: Scorecard, labels: Mapping[str, Sequence[Label]], config: ScoringConfig
) -> Scorecard:
    """``card`` re-scored with a person's ``labels`` (utterance id -> labels) in
    place of the classifier's; a card not scored stays as it is."""
    if card.overall is None or not labels:
        return card
    utterances = card.utterances
    transcript = transcript_of(card)
    judged_from = 0
    if card.assessment.scope == "q_and_a":
        judged_from = [u.id for u in utterances].index(card.assessment.scored_from or "")
    predictions = []
    machine: dict[str, list[Label]] = {}
    for i, u in enumerate(utterances):
        given = list(u.labels)
        scores = dict(u.scores)
        if u.id in labels and i >= judged_from:
            machine[u.id] = list(u.corrected_from if u.corrected_from is not None else u.labels)
            given = list(labels[u.id])
            # A person's label is as sure as a label gets.
            scores.update({label: 1.0 for label in given})
        evidence = [
            LabelEvidence(label=label, phrase=phrase, rule="stored")
            for label in given
            if (phrase := u.phrases.get(label))
        ]
        predictions.append(UtteranceLabels(labels=given, scores=scores, evidence=evidence))
    roles = {s.name: s.role for s in card.speakers if s.role}
    sides = {s.name: s.side for s in card.speakers if s.side}
    rescored = score_transcript(
        transcript,
        predictions,
        config,
        classifier=card.producer.classifier,
        roles=roles,
        assessment=card.assessment,
        sides=sides,
        side_order=[s.side for s in card.sides.sides] if card.sides else (),
    )
    digest = corrections_digest({uid: labels[uid] for uid in machine})
    scoring = scoring_base(card.producer.scoring) + MARK + digest
    return _mark(rescored, machine, labels, scoring)


def _mark(
    card: Scorecard,
    machine: Mapping[str, list[Label]],
    labels: Mapping[str, Sequence[Label]],
    scoring: str,
) -> Scorecard:
    """Say which labels a person set, and what the classifier had said."""

    def by_person(uid: str, label: str) -> bool:
        return uid in machine and label in labels[uid] and label not in machine[uid]

    requirements = {
        key: req.model_copy(
            update={
                "evidence": [
                    e.model_copy(update={"corrected": by_person(e.utterance_id, key)})
                    for e in req.evidence
                ]
            }
        )
        for key, req in card.requirements.items()
    }
    flags = [
        f.model_copy(update={"corrected": by_person(f.utterance_id, f.label)}) for f in card.flags
    ]
    utterances = [
        u.model_copy(update={"corrected_from": machine[u.id]}) if u.id in machine else u
        for u in card.utterances
    ]
    producer = card.producer.model_copy(update={"scoring": scoring})
    return card.model_copy(
        update={
            "requirements": requirements,
            "flags": flags,
            "utterances": utterances,
            "producer": producer,
        }
    )


# Import -----------------------------------------------------------------------


def corrected_record(
    store: Store, row: Mapping[str, Any], card: Scorecard, labels: Mapping[str, Sequence[Label]]
) -> MeetingRecord | None:
    """The analysis ``labels`` make of a stored meeting (its history ``row`` and
    latest ``card``), or None when this version cannot re-score it."""
    from .identity import analysis_key
    from .store import MeetingRecord

    config = config_for(card)
    fingerprint = store.fingerprint_of(int(row["id"]))
    if config is None or fingerprint is None or card.overall is None:
        return None
    fixed = apply_corrections(card, labels, config)
    return MeetingRecord(
        key=analysis_key(fingerprint, fixed.producer.classifier, fixed.producer.scoring),
        fingerprint=fingerprint,
        source=str(row["source"]),
        content_hash=str(row["content_hash"]),
        date=row["date"],
        date_source=str(row["date_source"]),
        scorecard=fixed,
        tags=tuple(row["tags"]),
        team=row["team"],
    )


def import_edits(store: Store, edits: Sequence[Edit], *, by: str, at: datetime) -> list[str]:
    """Check every edit against the stored meetings, then store the changed
    labels and the corrected analyses in one transaction; lines to print."""
    from .render.common import shorten

    by_meeting: dict[int, list[Edit]] = {}
    for edit in edits:
        by_meeting.setdefault(edit.meeting_id, []).append(edit)
    plans: list[tuple[int, list[dict[str, Any]], MeetingRecord | None]] = []
    lines: list[str] = []
    for meeting_id, mine in by_meeting.items():
        found = store.find(str(meeting_id))
        if not found:
            raise TranscriptLensError(
                f"row {mine[0].row}: no stored meeting {meeting_id}",
                hint="`transcript-lens history` lists the ids",
            )
        row = found[0]
        card = store.scorecard(int(row["analysis"]))
        turns = {u.id: u for u in card.utterances}
        changes: list[dict[str, Any]] = []
        said: list[str] = []
        for edit in mine:
            turn = turns.get(edit.utterance_id)
            if turn is None:
                raise TranscriptLensError(
                    f"row {edit.row}: meeting {meeting_id} has no utterance {edit.utterance_id!r}"
                )
            if tuple(edit.labels) == tuple(turn.labels):
                continue
            changes.append(
                {
                    "utterance_id": edit.utterance_id,
                    "text_hash": text_hash(turn.text),
                    "labels": join_labels(edit.labels),
                    "previous": join_labels(turn.labels),
                    "by": by,
                    "at": at,
                }
            )
            before = ", ".join(turn.labels) or "none"
            after = ", ".join(edit.labels) or "none"
            said.append(
                f"  {turn.id} {turn.speaker}: {before} -> {after}  “{shorten(turn.text, 60)}”"
            )
        if not changes:
            lines.append(f"meeting {meeting_id}: no label changed; nothing stored")
            continue
        effective = {
            uid: labels for uid, (labels, _) in store.corrections(meeting_id=meeting_id).items()
        }
        effective.update(
            {
                c["utterance_id"]: tuple(c["labels"].split(";")) if c["labels"] else ()
                for c in changes
            }
        )
        record = corrected_record(store, row, card, effective)  # type: ignore[arg-type]
        plans.append((meeting_id, changes, record))
        lines.append(f"meeting {meeting_id}: {len(changes)} label(s) corrected by {by}")
        lines += said
        if record is None:
            lines.append(
                f"  stored; its scores follow them when it is next analyzed "
                f"(it was scored with {card.producer.scoring}, not this version's scoring)"
            )
        elif card.overall is not None and record.scorecard.overall is not None:
            old, new = card.overall, record.scorecard.overall
            lines.append(
                f"  index {old.score:.0f} {old.band} -> {new.score:.0f} {new.band}; "
                f"flags {len(card.flags)} -> {len(record.scorecard.flags)}"
            )
    store.save_corrections(plans)
    return lines


def with_corrections(store: Store, record: MeetingRecord, config: ScoringConfig) -> MeetingRecord:
    """``record`` with the corrections stored for its meeting applied (those whose
    turn still has the words it had), as a new analysis is saved: a re-analysis
    keeps them. Unchanged when there are none."""
    import dataclasses

    from .identity import analysis_key

    stored = store.corrections(fingerprint=record.fingerprint)
    if not stored:
        return record
    turns = {u.id: u for u in record.scorecard.utterances}
    usable = {
        uid: labels
        for uid, (labels, hashed) in stored.items()
        if uid in turns and text_hash(turns[uid].text) == hashed
    }
    fixed = apply_corrections(record.scorecard, usable, config)  # type: ignore[arg-type]
    if fixed is record.scorecard:
        return record
    producer = fixed.producer
    return dataclasses.replace(
        record,
        scorecard=fixed,
        key=analysis_key(record.fingerprint, producer.classifier, producer.scoring),
    )
