"""Rendered views of a hand-built scorecard against golden files.

Set UPDATE_GOLDEN=1 to rewrite the golden files after an intended change.
"""

from __future__ import annotations

import json
import os

import pytest

from tests.conftest import REPO, make_predictions, make_transcript
from transcript_lens.render import render
from transcript_lens.render.common import clock, shorten
from transcript_lens.render.json import schema_json
from transcript_lens.scorecard.config import load_config
from transcript_lens.scorecard.scoring import score_transcript

GOLDEN = REPO / "tests" / "golden"


def _card():
    turns = [
        ("Ana Ruiz", "What are we actually trying to achieve with this rollout?"),
        ("Ben Okoro", "For me, success is clinics booking without calling us."),
        ("Chloe Park", "I'd push back on March; the data says the opposite."),
        ("Ana Ruiz", "This isn't up for discussion."),
        ("Chloe Park", "Fine. Whatever you think. <script>alert(1)</script> | *x*"),
        ("Ben Okoro", "That one's on me, I didn't escalate early enough."),
        ("Ana Ruiz", "If procurement had done their job we wouldn't be here."),
        ("Chloe Park", "To be blunt, we are three weeks behind."),
    ] + [("Ben Okoro" if i % 2 else "Ana Ruiz", f"status item {i}") for i in range(32)]
    labels = [
        ["purpose"],
        ["purpose"],
        ["dissent"],
        ["silencing"],
        ["resignation"],
        ["ownership", "candor"],
        ["blame"],
        ["candor"],
    ] + [[] for _ in range(32)]
    return score_transcript(
        make_transcript(turns, step=37.5),
        make_predictions(labels),
        load_config(),
        classifier="test/1",
    )


@pytest.mark.parametrize(
    "fmt, name", [("markdown", "card.md"), ("table", "card.txt"), ("json", "card.json")]
)
def test_render_matches_golden(fmt, name):
    text = render(_card(), fmt)
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def test_render_markdown_escapes_transcript_text():
    text = render(_card(), "markdown")
    assert "<script>" not in text
    assert "\\<script\\>" in text
    assert "\\| \\*x\\*" in text


def test_render_unknown_format_is_rejected():
    with pytest.raises(ValueError, match="unknown format"):
        render(_card(), "pdf")


def test_render_schema_is_valid_json_with_contract_fields():
    schema = json.loads(schema_json())
    evidence = schema["$defs"]["Evidence"]["properties"]
    assert {"utterance_id", "speaker", "start", "text", "confidence"} <= set(evidence)


@pytest.mark.parametrize(
    "seconds, expected", [(None, "--:--"), (0, "00:00"), (65.9, "01:05"), (3725.4, "1:02:05")]
)
def test_render_clock(seconds, expected):
    assert clock(seconds) == expected


def test_render_shorten_cuts_at_a_word():
    assert shorten("alpha beta gamma", 12) == "alpha beta …"
    assert shorten("short", 12) == "short"
