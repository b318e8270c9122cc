"""Reasons in plain words: band scale, confidence, next steps, capped lists, progress."""

from __future__ import annotations

from tests.conftest import make_predictions, make_transcript
from transcript_lens.render import render
from transcript_lens.scorecard import guidance
from transcript_lens.scorecard.config import load_config
from transcript_lens.scorecard.guidance import band_scale, next_steps
from transcript_lens.scorecard.scoring import score_transcript

CONFIG = load_config()

TURNS = [
    ("Rita Vance", "Let's get the new forecast out to every region by the first of the month."),
    ("Omar Said", "I don't think that works, the regional data is not cleaned yet."),
    ("Rita Vance", "This isn't up for discussion, the board wants it and that's final."),
    ("Omar Said", "Fine. Your call, we'll do whatever you decide."),
    ("Rita Vance", "Good. Next item, the office move."),
    ("Omar Said", "Sure."),
] * 3
LABELS = [[], ["dissent"], ["silencing"], ["resignation"], [], []] * 3


def _card(turns=TURNS, labels=LABELS):
    transcript = make_transcript(turns)
    return score_transcript(transcript, make_predictions(labels), CONFIG, classifier="test/1")


def test_guidance_next_steps_quote_the_meetings_own_turns():
    card = _card()
    steps = next_steps(card)
    by_requirement: dict[str, list[str]] = {}
    for step in steps:
        by_requirement.setdefault(step.requirement, []).append(step.text)
    # Dissent scored low because it was shut down and given up: both are named,
    # with who said it and their words.
    silenced, resigned = by_requirement["dissent"]
    assert silenced.startswith("Rita Vance closed a disagreement down (\"This isn't up for")
    assert resigned.startswith('Omar Said gave up ("Fine. Your call')
    # Nothing was said about purpose at all: advice without a quote.
    [purpose] = by_requirement["purpose"]
    assert "heard nobody say why" in purpose
    assert all(len(texts) <= 2 for texts in by_requirement.values())


def test_guidance_a_requirement_that_scored_well_gets_no_advice():
    labels = [["purpose"]] * len(TURNS)
    card = _card(labels=labels)
    assert card.requirements["purpose"].score >= 50
    assert "purpose" not in {step.requirement for step in next_steps(card)}


def test_guidance_wording_comes_from_the_data_file(monkeypatch):
    words = guidance.guidance()
    changed = {**words, "next": {**words["next"]}}
    changed["next"]["dissent"] = [{"when": "silenced", "text": "CUSTOM {speaker} / {quote}"}]
    monkeypatch.setattr(guidance, "guidance", lambda: changed)
    text = render(_card(), "markdown")
    assert "CUSTOM Rita Vance / This isn't up for discussion" in text


def test_guidance_every_view_explains_the_band_scale_and_confidence():
    card = _card()
    table = render(card, "table")
    markdown = render(card, "markdown")
    html = render(card, "html")
    for name, meaning in band_scale().items():
        first_words = " ".join(meaning.split()[:4])
        assert name in table and name in markdown and name in html
        assert first_words in markdown and first_words in html
    for view in (table, markdown, html):
        assert "What to try next" in view
        assert "chance that a careful reader" in " ".join(view.split())
    # The report carries its own method: no pointer to a file its reader lacks.
    assert "docs/scoring.md" not in html and "The formula" in html
    assert "Target per 100 turns" in html


def test_guidance_the_terminal_caps_long_lists():
    turns = [(f"Speaker {i % 20}", f"Not my problem, talk to team {i}.") for i in range(400)]
    labels = [["blame"] if i % 4 == 0 else [] for i in range(400)]
    card = _card(turns, labels)
    assert len(card.flags) == 100
    table = render(card, "table")
    assert table.count("blame       ") == 8
    assert "92 more flags: see --format html" in table
    assert "12 more speakers: see --format html" in table
    # The HTML report keeps every one.
    assert render(card, "html").count('class="quote flag"') == 100


def test_guidance_labelling_reports_progress_and_gives_the_same_labels():
    from transcript_lens.analyzer import Analyzer

    turns = [
        ("Ana Ruiz" if i % 2 else "Ben Cole", f"Item {i}, we should check it.") for i in range(1100)
    ]
    transcript = make_transcript(turns)
    analyzer = Analyzer(classifier="rules")
    seen: list[tuple[int, int]] = []
    watched = analyzer.analyze(transcript, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(0, 1100), (512, 1100), (1024, 1100), (1100, 1100)]
    assert watched.scorecard == analyzer.analyze(transcript).scorecard
