"""The sides view: speakers put on sides, who says no to whom, and what is one-sided."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import make_predictions, make_transcript
from transcript_lens.cli import cli
from transcript_lens.errors import ConfigError
from transcript_lens.render import render
from transcript_lens.scorecard import Scorecard
from transcript_lens.scorecard.config import load_config
from transcript_lens.scorecard.scoring import score_transcript
from transcript_lens.speakers import SpeakerMap, load_speaker_map, sides_for

DATA = Path(__file__).parent / "data"

TURNS = [
    ("Ana (IT)", "We'd like to understand what the new portal is for before we build it."),
    ("Raj", "Just build the forms we listed. The date is fixed."),
    ("Ana (IT)", "I don't think the date holds; the identity work isn't started."),
    ("Raj", "This isn't up for discussion. Do it as listed."),
    ("Bo (IT)", "Fine. We'll do whatever you decide."),
    ("Raj", "Good. And I'll sign off the forms myself by Friday."),
    ("Unknown Speaker", "Sorry, can you repeat the date?"),
    ("Raj", "The first of March."),
]
LABELS = [
    ["purpose"],
    [],
    ["dissent", "candor"],
    ["silencing"],
    ["resignation"],
    ["ownership"],
    [],
    [],
]


def _card(sides: dict[str, str], order=()) -> Scorecard:
    transcript = make_transcript(TURNS)
    return score_transcript(
        transcript,
        make_predictions(LABELS),
        load_config(),
        classifier="test",
        sides=sides,
        side_order=order,
    )


def test_sides_map_takes_names_globs_and_patterns_first_match_wins(tmp_path):
    path = tmp_path / "map.toml"
    path.write_text(
        '[rename]\n"Ana K." = "Ana (IT)"\n'
        '[sides]\n"raj" = "business"\n"* (IT)" = "provider"\n'
        "'re:^(Bo|Raj)$' = \"vendor\"\n",
        encoding="utf-8",
    )
    speaker_map = load_speaker_map(path)
    assert speaker_map.side_for("Raj") == "business"  # exact name first, any case
    assert speaker_map.side_for("Ana (IT)") == "provider"
    assert speaker_map.side_for("Bo") == "vendor"
    assert speaker_map.side_for("Unknown Speaker") is None
    assert speaker_map.side_for("Lee") is None
    given = speaker_map.with_sides({"Raj": "client"})
    assert given.side_for("Raj") == "client" and given.side_for("Bo") == "vendor"
    assert sides_for(make_transcript(TURNS), speaker_map) == {
        "Ana (IT)": "provider",
        "Raj": "business",
        "Bo (IT)": "provider",
    }


def test_sides_map_errors_are_one_line(tmp_path):
    path = tmp_path / "map.toml"
    path.write_text("[sides]\n're:(' = \"provider\"\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[sides\] 're:\(' is not a valid regex"):
        load_speaker_map(path)
    path.write_text('[sides]\n"Ana" = "  "\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="is empty"):
        load_speaker_map(path)


def test_sides_view_counts_each_side_and_who_answers_whom():
    card = _card({"Ana (IT)": "provider", "Bo (IT)": "provider", "Raj": "business"}, ["provider"])
    sides = card.sides
    assert sides is not None
    provider, business = sides.sides
    assert (provider.side, provider.speakers, provider.turns) == ("provider", 2, 3)
    assert (business.side, business.speakers, business.turns) == ("business", 1, 4)
    assert provider.turns_by_label["dissent"] == 1 and provider.voices_by_label["dissent"] == 1
    assert provider.turns_by_label["resignation"] == 1
    assert business.turns_by_label["silencing"] == 1
    assert round(provider.talk_share + business.talk_share, 4) < 1  # the unknown voice spoke too
    assert sides.unassigned == 1
    assert [(x.label, x.by, x.to, x.turns) for x in sides.exchanges] == [
        ("dissent", "provider", "business", 1),
        ("silencing", "business", "provider", 1),
    ]
    assert sides.reading == [
        "Purpose came only from the provider side: the business side never said what the "
        "work is for.",
        "Ownership came only from the business side: the provider side never committed to "
        "anything.",
        "Only the provider side said no to the business side (1), never the reverse.",
        "The business side shut down the provider side once.",
    ]
    assert {s.name: s.side for s in card.speakers}["Bo (IT)"] == "provider"


def test_sides_view_says_when_a_side_did_not_speak_and_when_nothing_is_one_sided():
    card = _card({"Raj": "business"}, ["provider", "business"])
    assert card.sides is not None
    assert [s.side for s in card.sides.sides] == ["provider", "business"]
    assert card.sides.reading == ["Nobody on the provider side spoke."]
    both = score_transcript(
        make_transcript(
            [("A", "Why are we doing this?"), ("B", "No, I'd rather not. I'll own it.")]
            + [("A", "What's it for, then?"), ("B", "So the clinics book online.")]
        ),
        make_predictions(
            [["purpose"], ["dissent", "ownership"], ["dissent", "ownership"], ["purpose"]]
        ),
        load_config(),
        classifier="test",
        sides={"A": "business", "B": "provider"},
    )
    assert both.sides is not None
    assert both.sides.reading == [
        "Both sides spoke to purpose, said no to each other and took ownership."
    ]


def test_sides_absent_without_sides_and_old_cards_still_read():
    card = _card({})
    assert card.sides is None and all(s.side is None for s in card.speakers)
    data = json.loads(card.model_dump_json())
    data["schema_version"] = "1.3"
    del data["sides"]
    for s in data["speakers"]:
        del s["side"]
    assert Scorecard.model_validate(data).sides is None


def test_sides_render_in_every_format_and_hostile_names_stay_text():
    hostile = "[link=http://e.co]prov[/] <script>x</script>"
    card = _card({"Ana (IT)": hostile, "Bo (IT)": hostile, "Raj": "business"})
    table = render(card, "table")
    assert "Sides" in table and "business" in table and "[link=" in table
    assert "The business side shut down" in table
    markdown = render(card, "markdown")
    assert "## Sides" in markdown and "Who says no to whom" in markdown
    html = render(card, "html")
    assert 'id="sides"' in html and "<script>x</script>" not in html
    assert "&lt;script&gt;" in html
    assert json.loads(render(card, "json"))["sides"]["sides"][1]["side"] == "business"


def test_sides_cli_option_and_map_give_the_same_card(tmp_path):
    transcript = tmp_path / "m.txt"
    transcript.write_text(
        "".join(f"[00:00:{10 + i:02d}] {s}: {t}\n" for i, (s, t) in enumerate(TURNS * 3)),
        encoding="utf-8",
    )
    runner = CliRunner()
    by_option = runner.invoke(
        cli,
        [
            "analyze",
            str(transcript),
            "--classifier",
            "rules",
            "--format",
            "json",
            "--side",
            "* (IT)=provider",
            "--side",
            "Raj=business",
        ],
    )
    assert by_option.exit_code == 0, by_option.output
    speaker_map = tmp_path / "map.toml"
    speaker_map.write_text('[sides]\n"* (IT)" = "provider"\n"Raj" = "business"\n', "utf-8")
    by_map = runner.invoke(
        cli,
        [
            "analyze",
            str(transcript),
            "--classifier",
            "rules",
            "--format",
            "json",
            "--speakers",
            str(speaker_map),
        ],
    )
    assert by_map.exit_code == 0, by_map.output
    a, b = json.loads(by_option.stdout), json.loads(by_map.stdout)
    assert a["sides"] == b["sides"] and a["sides"]["sides"][0]["side"] == "provider"
    bad = runner.invoke(cli, ["analyze", str(transcript), "--side", "Raj"])
    assert bad.exit_code == 2 and "is not NAME=SIDE" in bad.output


def test_sides_speaker_map_without_sides_has_no_view():
    assert SpeakerMap(roles={"Raj": "coach"}).side_for("Raj") is None
