"""The HTML report: structure, escaping of untrusted text, charts, determinism.

The real-browser checks are in test_report_browser.py; these parse the markup.
Set UPDATE_GOLDEN=1 to rewrite tests/golden/card.html after an intended change.
"""

from __future__ import annotations

import os
from html.parser import HTMLParser

import pytest

from tests.conftest import REPO, make_predictions, make_transcript
from tests.test_render import _card
from transcript_lens.render import render
from transcript_lens.render.html import to_html
from transcript_lens.scorecard.config import load_config
from transcript_lens.scorecard.scoring import score_transcript

GOLDEN = REPO / "tests" / "golden"
ATTACKS = [
    "<script>window.__pwned=1</script>",
    '<img src=x onerror="window.__pwned=1">',
    '<a href="javascript:window.__pwned=1">click</a>',
    '"><svg onload=window.__pwned=1>',
    "</textarea></title></style><script>alert(1)</script>",
    "{{ 7*7 }} {% raw %}",
]


class _Elements(HTMLParser):
    """Every start tag with its attributes, and the text outside tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _parse(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser


def _hostile_card():
    turns = [
        (ATTACKS[0], "What are we trying to achieve? " + ATTACKS[1]),
        ("Ben", "I'd push back on that. " + ATTACKS[2]),
        (ATTACKS[3], "This isn't up for discussion. " + ATTACKS[4]),
        ("Ben", "Fine, whatever. " + ATTACKS[5]),
    ] + [("Ben" if i % 2 else ATTACKS[0], f"status item {i}") for i in range(20)]
    labels = [["purpose"], ["dissent"], ["silencing"], ["resignation"]] + [[]] * 20
    return score_transcript(
        make_transcript(turns), make_predictions(labels), load_config(), classifier="test/1"
    )


def test_render_html_matches_golden():
    text = render(_card(), "html")
    path = GOLDEN / "card.html"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def test_render_html_is_deterministic():
    assert to_html(_card()) == to_html(_card())


def test_render_html_transcript_markup_is_text_not_markup():
    html = to_html(_hostile_card())
    page = _parse(html)
    tags = [tag for tag, _ in page.tags]
    assert "script" not in tags and "img" not in tags and "textarea" not in tags
    for tag, attrs in page.tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        for name in ("href", "src", "xlink:href"):
            value = attrs.get(name)
            assert value is None or value.startswith("#"), (tag, attrs)
    text = "".join(page.text)
    for attack in ATTACKS[:4]:
        assert attack in text
    assert "{{ 7*7 }}" in text and "49" not in text


def test_render_html_is_self_contained_with_a_strict_policy():
    html = to_html(_card())
    page = _parse(html)
    policy = [
        a["content"] for t, a in page.tags if a.get("http-equiv") == "Content-Security-Policy"
    ]
    assert policy and "default-src 'none'" in policy[0] and "script-src" not in policy[0]
    assert "<link" not in html and "@import" not in html and "url(" not in html
    for tag, attrs in page.tags:
        assert not (attrs.get("href") or "#").startswith(("http", "//")), (tag, attrs)
    assert "@media print" in html


def test_render_html_has_the_charts_and_every_flag_quoted():
    card = _card()
    page = _parse(to_html(card))
    charts = {a.get("data-chart") for t, a in page.tags if t == "svg"}
    assert {"scores", "timeline", "talk-share", "legend"} <= charts
    marks = [a["data-label"] for t, a in page.tags if a.get("class") == "mark"]
    assert sorted(marks) == sorted(label for u in card.utterances for label in u.labels)
    quoted = {a["data-utterance"] for t, a in page.tags if t == "blockquote"}
    assert {flag.utterance_id for flag in card.flags} <= quoted
    for req in card.requirements.values():
        assert {ev.utterance_id for ev in req.evidence[:3]} <= quoted
    text = "".join(page.text)
    for title in ("Exchange of purpose", "Right to say no", "Joint accountability"):
        assert title in text
    assert f"{card.overall.score:.1f}" in text and card.overall.band in text


def test_render_html_without_times_draws_turn_numbers():
    transcript = make_transcript([("Ana", "hello there"), ("Ben", "I'd push back")])
    bare = transcript.model_copy(
        update={
            "utterances": tuple(
                u.model_copy(update={"start": None, "end": None}) for u in transcript.utterances
            )
        }
    )
    card = score_transcript(
        bare, make_predictions([[], ["dissent"]]), load_config(), classifier="test/1"
    )
    html = to_html(card)
    assert "turn number (the transcript has no times)" in html


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_render_reports_show_roles_when_given(fmt):
    turns = [("Coach", "What do you want from this?"), ("Sam", "I'll own the follow-up.")] * 6
    card = score_transcript(
        make_transcript(turns),
        make_predictions([["purpose"], ["ownership"]] * 6),
        load_config(),
        classifier="test/1",
        roles={"Coach": "coach"},
    )
    text = render(card, fmt)
    assert "Coaching review" in text
    assert "coach" in text
