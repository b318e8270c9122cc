"""Attacks on scoring and rendering: random labelled meetings and hostile text.

For any transcript and any labels, scoring succeeds, every score stays in
0-100, the JSON round-trips, each report format renders deterministically, and
no markup from the transcript reaches the HTML or Markdown as markup.

``HYPOTHESIS_PROFILE=fuzz`` runs many more examples than CI does.
"""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import make_predictions, make_transcript
from transcript_lens.api import label_transcript
from transcript_lens.classifiers import get_classifier
from transcript_lens.labels import LABELS, sort_labels
from transcript_lens.render import FORMATS, render
from transcript_lens.scorecard import Scorecard
from transcript_lens.scorecard.config import load_config
from transcript_lens.scorecard.scoring import score_transcript

FUZZ = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"
attack = settings(
    max_examples=2000 if FUZZ else 100,
    deadline=5000,  # the HTML report of 40 turns renders in milliseconds
    suppress_health_check=[HealthCheck.too_slow],
)
CONFIG = load_config(None)

# Tags and handlers a hostile transcript tries to smuggle into a report.
HOSTILE = [
    "<script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "<iframe src=javascript:alert(1)>",
    "</textarea></style><zzinject>",
    "<!-- -->]]><![CDATA[",
    "&lt;script&gt; &amp; &#x3C;",
    "{{ 7 * 7 }} {% if true %}x{% endif %}",
    "[link](javascript:alert(1)) ![i](x) `code` **b** | a | # h",
    "\u202eevil\u202c \u200f \U0001f600 a\u0301\u0301",
    "\x00\x1b[31m\x07",
]
INJECTED_TAGS = {"script", "img", "iframe", "zzinject", "object", "embed"}

hostile_text = st.sampled_from(HOSTILE) | st.text(max_size=120)
speakers = st.sampled_from(["Ana", "Ben", "Dr. Ng", *HOSTILE]) | st.text(min_size=1, max_size=30)


@st.composite
def labelled_meeting(draw: st.DrawFn):
    """A transcript of 1-40 turns and one prediction per turn, labels at random."""
    names = draw(st.lists(speakers.filter(str.strip), min_size=1, max_size=6, unique=True))
    turns = draw(st.lists(st.tuples(st.sampled_from(names), hostile_text), min_size=1, max_size=40))
    step = draw(st.sampled_from([0.0, 0.001, 1.0, 10.0, 3600.0, 1e9]))
    transcript = make_transcript(turns, step=step)
    labels = draw(
        st.lists(
            st.lists(st.sampled_from(LABELS), unique=True).map(sort_labels),
            min_size=len(turns),
            max_size=len(turns),
        )
    )
    confidence = draw(st.floats(0, 1))
    roles = {names[0]: "coach"} if draw(st.booleans()) else {}
    return transcript, make_predictions(labels, confidence), roles


def score(meeting) -> Scorecard:
    transcript, predictions, roles = meeting
    return score_transcript(transcript, predictions, CONFIG, classifier="test/1", roles=roles)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.handlers: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.handlers.update(name for name, _ in attrs if name.startswith("on"))


@attack
@given(meeting=labelled_meeting())
def test_attack_scorecard_scores_in_range(meeting):
    card = score(meeting)
    numbers = [req.score for req in card.requirements.values()]
    numbers += [card.balance.score, card.overall.score, *card.overall.inputs.values()]
    assert all(0 <= number <= 100 for number in numbers), numbers
    assert all(0 <= s.talk_share <= 1 for s in card.speakers)
    assert card.meeting.turns == len(meeting[0].utterances) == len(card.utterances)


@attack
@given(meeting=labelled_meeting())
def test_attack_scorecard_json_round_trip(meeting):
    card = score(meeting)
    assert Scorecard.model_validate_json(card.model_dump_json()) == card
    assert Scorecard.model_validate_json(render(card, "json")) == card


@attack
@given(meeting=labelled_meeting())
def test_attack_scorecard_renders_every_format_deterministically(meeting):
    card, again = score(meeting), score(meeting)
    assert card.model_dump_json() == again.model_dump_json()
    for fmt in FORMATS:
        first = render(card, fmt)
        assert isinstance(first, str) and first
        assert render(again, fmt) == first, fmt


@attack
@given(meeting=labelled_meeting())
def test_attack_scorecard_html_escapes_transcript_text(meeting):
    page = render(score(meeting), "html")
    assert "<script" not in page.lower()
    parser = _Tags()
    parser.feed(page)
    assert not parser.tags & INJECTED_TAGS, parser.tags & INJECTED_TAGS
    assert not parser.handlers, parser.handlers


@attack
@given(meeting=labelled_meeting())
def test_attack_scorecard_markdown_escapes_transcript_text(meeting):
    markdown = render(score(meeting), "markdown")
    # The Markdown writer escapes "<" with a backslash; a bare tag would render.
    assert not re.search(r"(?<!\\)<(?:script|img|iframe|svg|zzinject)", markdown, re.IGNORECASE)


@settings(
    max_examples=300 if FUZZ else 25,
    deadline=None,  # the rule classifier's first call loads its patterns
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    turns=st.lists(
        st.tuples(st.sampled_from(["Ana", "Ben", HOSTILE[0]]), hostile_text.filter(str.strip)),
        min_size=1,
        max_size=8,
    )
)
def test_attack_scorecard_rules_classifier_on_random_text(turns):
    transcript = make_transcript(turns)
    predictions = label_transcript(transcript, get_classifier("rules"))
    card = score_transcript(transcript, predictions, CONFIG, classifier="rules")
    assert all(0 <= req.score <= 100 for req in card.requirements.values())
    assert "<script" not in render(card, "html").lower()
