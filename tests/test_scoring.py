from __future__ import annotations

import json

import pytest

from tests.conftest import make_predictions, make_transcript
from transcript_lens.errors import ConfigError
from transcript_lens.scorecard import Scorecard
from transcript_lens.scorecard.config import load_config
from transcript_lens.scorecard.scoring import gini, score_transcript

CONFIG = load_config()
SPEAKERS = ["Ana", "Ben", "Chloe", "Dev"]


def _meeting(n: int = 40) -> list[tuple[str, str]]:
    return [(SPEAKERS[i % 4], f"turn {i} about the rollout plan") for i in range(n)]


def _card(labels: list[list[str]], turns: list[tuple[str, str]] | None = None) -> Scorecard:
    turns = turns or _meeting(len(labels))
    return score_transcript(
        make_transcript(turns), make_predictions(labels), CONFIG, classifier="test/1"
    )


def test_scoring_gini_is_zero_for_equal_talk_and_high_for_one_talker():
    assert gini([10, 10, 10]) == pytest.approx(0.0)
    assert gini([100, 0, 0, 0]) == pytest.approx(0.75)
    assert gini([5]) == 0.0


def test_scoring_empty_of_labels_gives_zero_requirements_and_order_taker_band():
    card = _card([[] for _ in range(40)])
    assert all(req.score == 0 for req in card.requirements.values())
    assert card.overall.band == "order taker"
    assert card.flags == []


def test_scoring_more_dissent_never_lowers_the_dissent_score():
    labels: list[list[str]] = [[] for _ in range(40)]
    previous = _card(labels).requirements["dissent"].score
    for i in range(0, 40, 3):
        labels[i] = ["dissent"]
        score = _card(labels).requirements["dissent"].score
        assert score >= previous
        previous = score
    assert previous > 50


def test_scoring_adding_a_dissent_turn_never_lowers_the_dissent_score():
    turns = _meeting(12)
    labels: list[list[str]] = [["dissent"] if i % 4 == 0 else [] for i in range(12)]
    before = _card(labels, turns).requirements["dissent"].score
    for speaker in ["Ana", "Eve"]:
        after = _card(labels + [["dissent"]], turns + [(speaker, "I'd push back on that")])
        assert after.requirements["dissent"].score >= before


def test_scoring_breadth_rewards_several_voices_for_purpose():
    one_voice = [["purpose"] if i in (0, 4, 8) else [] for i in range(40)]  # all Ana
    three_voices = [["purpose"] if i in (0, 1, 2) else [] for i in range(40)]  # Ana, Ben, Chloe
    solo, shared = _card(one_voice), _card(three_voices)
    assert solo.requirements["purpose"].count == shared.requirements["purpose"].count == 3
    assert shared.requirements["purpose"].score > solo.requirements["purpose"].score
    assert shared.requirements["purpose"].voices == ["Ana", "Ben", "Chloe"]


def test_scoring_is_normalised_by_meeting_length():
    short = _card([["candor"] if i < 3 else [] for i in range(40)])
    long = _card([["candor"] if i < 3 else [] for i in range(200)])
    assert short.requirements["candor"].score > long.requirements["candor"].score


def test_scoring_resignation_and_silencing_lower_dissent_and_blame_lowers_ownership():
    base = [["dissent", "ownership"] if i % 5 == 0 else [] for i in range(40)]
    clean = _card(base)
    soured = [
        row + (["resignation"] if i == 3 else []) + (["blame"] if i == 7 else [])
        for i, row in enumerate(base)
    ]
    soured[11] = ["silencing"]
    card = _card(soured)
    assert card.requirements["dissent"].score < clean.requirements["dissent"].score
    assert card.requirements["ownership"].score < clean.requirements["ownership"].score
    assert card.requirements["dissent"].penalties["resignation"] > 0
    assert card.requirements["dissent"].penalties["silencing"] > 0
    assert card.requirements["ownership"].penalties["blame"] > 0
    assert card.requirements["purpose"].penalties == {}


def test_scoring_every_anti_pattern_is_flagged_with_speaker_and_time():
    labels: list[list[str]] = [[] for _ in range(40)]
    labels[5] = ["resignation"]
    labels[9] = ["blame", "candor"]
    labels[20] = ["silencing"]
    card = _card(labels)
    assert [(f.label, f.utterance_id, f.speaker, f.start) for f in card.flags] == [
        ("resignation", "u0006", "Ben", 50.0),
        ("blame", "u0010", "Ben", 90.0),
        ("silencing", "u0021", "Ana", 200.0),
    ]


def test_scoring_evidence_backs_every_count():
    labels = [["ownership"] if i % 7 == 0 else [] for i in range(40)]
    card = _card(labels)
    req = card.requirements["ownership"]
    assert req.count == len(req.evidence) == 6
    ids = {u.id for u in card.utterances if "ownership" in u.labels}
    assert {e.utterance_id for e in req.evidence} == ids


def test_scoring_speakers_talk_share_sums_to_one_and_counts_labels():
    labels = [["purpose"] if i == 0 else [] for i in range(40)]
    card = _card(labels)
    assert sum(s.talk_share for s in card.speakers) == pytest.approx(1.0, abs=1e-3)
    ana = next(s for s in card.speakers if s.name == "Ana")
    assert ana.turns == 10 and ana.label_counts["purpose"] == 1


def test_scoring_overall_index_is_the_weighted_mean_less_anti_patterns_stretched():
    import math

    labels = [["purpose", "dissent", "candor"] if i % 6 == 0 else [] for i in range(40)]
    labels[1] = ["silencing"]
    labels[7] = ["silencing"]
    card = _card(labels)
    overall = card.overall
    mean = sum(overall.weights[k] * v for k, v in overall.inputs.items())
    assert overall.mean == pytest.approx(mean, abs=0.06)
    assert set(overall.inputs) == {"purpose", "dissent", "ownership", "candor", "balance"}
    ix = CONFIG.index
    assert overall.anti_rates["silencing"] == pytest.approx(5.0)
    assert overall.kept == pytest.approx(math.exp(-ix.silencing * (5.0 - ix.tolerance)), abs=1e-4)
    middle = (ix.floor + ix.ceiling) / 2
    stretched = 100 / (1 + math.exp(-4 * (mean * overall.kept - middle) / (ix.ceiling - ix.floor)))
    assert overall.score == pytest.approx(stretched, abs=0.06)


def test_scoring_the_overruled_partner_who_gives_up_is_no_partnership():
    """Purpose asked, a candid no, overruled, told their group always finds
    reasons, and twice 'Fine, your call': below trusted advisor, however good
    the rest of the labels."""
    labels: list[list[str]] = [[] for _ in range(30)]
    labels[2] = ["purpose"]
    labels[4] = ["dissent", "candor"]
    labels[5] = ["silencing"]
    labels[6] = ["blame"]
    labels[7] = ["resignation"]
    labels[12] = ["resignation"]
    labels[15] = ["ownership"]
    labels[20] = ["ownership"]
    card = _card(labels)
    assert card.overall.band in ("order taker", "service provider")
    assert card.overall.score < 50
    # The same meeting without the anti-patterns reads far better.
    for i in (5, 6, 7, 12):
        labels[i] = []
    assert _card(labels).overall.score > card.overall.score + 20


def test_scoring_one_turn_by_one_voice_is_a_start_not_a_strong_score():
    labels = [["candor"] if i == 3 else [] for i in range(30)]
    assert _card(labels).requirements["candor"].score < 40


def test_scoring_json_round_trips_and_is_deterministic():
    labels = [["dissent"] if i % 4 == 0 else [] for i in range(40)]
    first, second = _card(labels), _card(labels)
    text = first.model_dump_json(indent=2)
    assert text == second.model_dump_json(indent=2)
    assert Scorecard.model_validate_json(text) == first
    data = json.loads(text)
    assert set(data["requirements"]) == {"purpose", "dissent", "ownership", "candor"}
    for key in ("schema_version", "meeting", "flags", "speakers", "overall", "utterances"):
        assert key in data


def test_scoring_mismatched_prediction_count_is_an_error():
    with pytest.raises(Exception, match="2 results for 3 utterances"):
        score_transcript(
            make_transcript([("A", "a"), ("B", "b"), ("A", "c")]),
            make_predictions([[], []]),
            CONFIG,
            classifier="test/1",
        )


def test_config_override_merges_over_defaults(tmp_path):
    path = tmp_path / "weights.toml"
    path.write_text("[requirements.dissent]\ntarget_rate = 8.0\n")
    config = load_config(path)
    assert config.requirements["dissent"].target_rate == 8.0
    assert (
        config.requirements["dissent"].breadth_target
        == CONFIG.requirements["dissent"].breadth_target
    )
    assert config.digest != CONFIG.digest


@pytest.mark.parametrize(
    "content, message",
    [
        ("[overall]\nbalance = 0.5\n", "must sum to 1"),
        ("not toml = = =", "not valid TOML"),
        ("[requirements.purpose]\ntarget_rate = -1\n", "requirements.purpose.target_rate"),
    ],
)
def test_config_invalid_file_gives_one_line_error(tmp_path, content, message):
    path = tmp_path / "bad.toml"
    path.write_text(content)
    with pytest.raises(ConfigError, match=message) as info:
        load_config(path)
    assert "\n" not in str(info.value)
    assert str(path) in str(info.value)


def test_config_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read config"):
        load_config(tmp_path / "nope.toml")


def test_config_bands_follow_the_brm_role_levels():
    assert [b.name for b in CONFIG.bands] == [
        "order taker",
        "service provider",
        "trusted advisor",
        "strategic partner",
    ]
    assert CONFIG.band(0) == "order taker"
    assert CONFIG.band(80) == "strategic partner"


def test_scoring_more_anti_patterns_never_raise_the_score_they_weigh_on():
    labels = [["dissent", "ownership"] if i % 5 == 0 else [] for i in range(40)]
    previous = _card(labels).requirements
    for i in (1, 2, 3, 6, 7):
        labels[i] = ["resignation", "blame"] if i % 2 else ["silencing"]
        current = _card(labels).requirements
        assert current["dissent"].score <= previous["dissent"].score
        assert current["ownership"].score <= previous["ownership"].score
        previous = current
