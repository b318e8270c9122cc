"""The relationship view: a series of meetings and the commitment ledger."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tests.conftest import make_predictions, make_transcript
from transcript_lens.cli import cli
from transcript_lens.scorecard.config import load_config
from transcript_lens.scorecard.relationship import build_relationship, reported_status
from transcript_lens.scorecard.scoring import score_transcript


def _card(turns, labels):
    return score_transcript(
        make_transcript(turns), make_predictions(labels), load_config(), classifier="test"
    )


FIRST = [
    ("Ana", "Where are we with the supplier onboarding portal?"),
    ("Raj", "I'll send the supplier extract to finance by Friday."),
    ("Ana", "And I'll book the training room for the pilot users."),
    ("Raj", "I'll draft the vendor survey questions next week."),
    ("Ana", "We'll make it work."),
    ("Raj", "And I'll update the risk register with the licence issue."),
]
FIRST_LABELS = [[], ["ownership"], ["ownership"], ["ownership"], ["ownership"], ["ownership"]]
SECOND = [
    ("Ana", "Quick round of updates. Raj, the supplier extract?"),
    ("Raj", "It went out to finance on Thursday."),
    ("Ana", "Good. The training room for the pilot isn't booked yet, I'll do it Monday."),
    ("Raj", "On the vendor survey: we've parked it, procurement said no."),
    ("Ana", "Is the risk register done?"),
    ("Raj", "Let's talk about the licence issue in the risk review."),
]
THIRD = [
    ("Ana", "The training room for the pilot users is booked now, room four."),
    ("Raj", "Thanks. Anything else?"),
]


def _series():
    return [
        ("1", "2026-01-05", _card(FIRST, FIRST_LABELS)),
        ("2", "2026-01-12", _card(SECOND, [[]] * len(SECOND))),
        ("3", "2026-01-19", _card(THIRD, [[]] * len(THIRD))),
    ]


def test_relationship_ledger_follows_each_commitment_to_the_turn_that_settles_it():
    rel = build_relationship(_series(), title="finance")
    by_text = {e.commitment.text: e for e in rel.commitments}
    extract = by_text["I'll send the supplier extract to finance by Friday."]
    assert extract.status == "kept" and extract.owner == "Raj" and extract.due == "by Friday"
    assert extract.evidence is not None and extract.evidence.meeting == 2
    assert (
        extract.evidence.quote.text == "It went out to finance on Thursday."
    )  # answers a question
    room = by_text["And I'll book the training room for the pilot users."]
    # Slipped in the second meeting, then kept in the third: the last word decides.
    assert room.status == "kept" and room.evidence is not None and room.evidence.meeting == 3
    survey = by_text["I'll draft the vendor survey questions next week."]
    assert survey.status == "dropped"
    vague = by_text["We'll make it work."]
    assert vague.status == "open" and vague.evidence is None
    register = by_text["And I'll update the risk register with the licence issue."]
    # Asked about and talked about, never settled: open, with its mentions counted.
    assert register.status == "open" and register.evidence is None and register.mentions >= 1
    assert rel.statuses == {"kept": 2, "slipped": 0, "dropped": 1, "open": 2}
    assert [m.date for m in rel.meetings] == ["2026-01-05", "2026-01-12", "2026-01-19"]


def test_relationship_nothing_is_kept_without_a_quote_that_says_so():
    rel = build_relationship(_series(), title="finance")
    for entry in rel.commitments:
        assert (entry.status == "open") == (entry.evidence is None)
        if entry.evidence is not None:
            assert reported_status(entry.evidence.quote.text) == entry.status


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("The export went out on Tuesday.", "kept"),
        ("It hasn't gone out yet.", "slipped"),
        ("Not done yet, I'll have it by the 20th.", "slipped"),
        ("We've parked the survey; legal said no.", "dropped"),
        ("Let's look at the survey next.", None),
    ],
)
def test_relationship_reported_status(text, status):
    assert reported_status(text) == status


def test_relationship_cli_on_files_and_from_the_database(tmp_path):
    files = []
    for n, turns in enumerate((FIRST, SECOND, THIRD), 1):
        path = tmp_path / f"m{n}.txt"
        path.write_text(
            "".join(f"[00:00:{10 + i:02d}] {s}: {t}\n" for i, (s, t) in enumerate(turns * 2)),
            "utf-8",
        )
        files.append(str(path))
    runner = CliRunner()
    out = runner.invoke(
        cli,
        [
            "relationship",
            *files,
            "--classifier",
            "rules",
            "--format",
            "json",
            "--side",
            "Raj=it",
            "--side",
            "Ana=finance",
        ],
    )
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert len(data["meetings"]) == 3 and data["meetings"][0]["sides"]["sides"][0]["side"] == "it"
    assert set(data["statuses"]) == {"kept", "slipped", "dropped", "open"}
    db = f"sqlite:///{tmp_path / 'r.db'}"
    for path in files:
        saved = runner.invoke(
            cli, ["analyze", path, "--classifier", "rules", "--db", db, "--tag", "fin"]
        )
        assert saved.exit_code == 0, saved.output
    table = runner.invoke(cli, ["relationship", "--tag", "fin", "--db", db])
    assert table.exit_code == 0, table.output
    assert "Commitments:" in table.stdout and "tag fin" in table.stdout
    markdown = runner.invoke(
        cli, ["relationship", "--tag", "fin", "--db", db, "--format", "markdown"]
    )
    assert "## Commitments" in markdown.stdout
    none = runner.invoke(cli, ["relationship", "--tag", "nope", "--db", db])
    assert none.exit_code == 1 and "no stored meetings match" in none.output
    one = runner.invoke(cli, ["relationship", files[0]])
    assert one.exit_code == 2


def test_relationship_written_series_keys_point_at_their_turns():
    from tests.conftest import REPO
    from transcript_lens.readers import read_transcript
    from transcript_lens.speakers import load_speaker_map

    series = REPO / "data" / "series"
    split = json.loads((series / "split.json").read_text("utf-8"))
    ids = sorted(p.name.split(".")[0] for p in series.glob("s*.key.jsonl"))
    assert ids == sorted(split["tune"] + split["test"]) and len(ids) == 14
    statuses = set()
    for sid in ids:
        meetings = sorted(series.glob(f"{sid}_m*.txt"))
        assert 3 <= len(meetings) <= 5
        texts = {int(p.stem.split("_m")[1]): p.read_text("utf-8").splitlines() for p in meetings}
        sides = load_speaker_map(series / f"{sid}.sides.toml")
        for path in meetings:  # every speaker is on a side; one turn per line
            transcript = read_transcript(path)
            assert len(transcript.utterances) == len(texts[int(path.stem.split("_m")[1])])
            assert all(sides.side_for(s) for s in transcript.speakers), path
        for line in (series / f"{sid}.key.jsonl").read_text("utf-8").splitlines():
            item = json.loads(line)
            statuses.add(item["status"])
            turn = texts[item["meeting"]][item["line"] - 1]
            assert f"] {item['owner']}:" in turn, (sid, item)
            assert item["meeting"] < len(meetings)  # nothing is promised in the last meeting
            decided = item["decided_by"]
            assert (decided is None) == (item["status"] == "open")
            if decided:
                assert (decided["meeting"], decided["line"]) > (item["meeting"], item["line"])
                assert texts[decided["meeting"]][decided["line"] - 1].strip()
    assert statuses == {"kept", "slipped", "dropped", "open"}
