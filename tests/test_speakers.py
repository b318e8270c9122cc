"""Speaker maps: renaming, merging, unknown voices, roles and --coach."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import SAMPLES, make_transcript
from transcript_lens.errors import ConfigError
from transcript_lens.model import Transcript
from transcript_lens.readers import read_transcript
from transcript_lens.readers._common import RawTurn, to_utterances
from transcript_lens.speakers import (
    SpeakerMap,
    apply_speaker_map,
    is_unknown_speaker,
    link_replies,
    load_speaker_map,
    roles_for,
)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "map.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _error(tmp_path: Path, text: str) -> str:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_speaker_map(path)
    message = str(caught.value)
    assert "\n" not in message
    return message.removeprefix(f"{path}: ")


@pytest.fixture
def aliases() -> Transcript:
    """Dana joins on a laptop and a phone, so two labels are one person."""
    return make_transcript(
        [
            ("Dana K.", "Let's start."),
            ("Dana (phone)", "Can you hear me on this one?"),
            ("Sam", "Yes, both."),
            ("Dana K.", "Good. Sam, the numbers?"),
            ("Dana (phone)", "Sorry, there's an echo."),
            ("Sam", "They're on track."),
        ]
    )


def test_speakers_rename_merges_two_labels_into_one_person(aliases):
    speaker_map = SpeakerMap(rename={"Dana K.": "Dana", "Dana (phone)": "Dana"})
    merged = apply_speaker_map(aliases, speaker_map)
    assert merged.speakers == ("Dana", "Sam")
    assert Counter(u.speaker for u in merged.utterances) == {"Dana": 4, "Sam": 2}
    assert [u.id for u in merged.utterances] == [u.id for u in aliases.utterances]
    assert [u.text for u in merged.utterances] == [u.text for u in aliases.utterances]
    # Before: u0002 answered u0001 and u0005 answered u0004, Dana's own turns.
    assert [u.reply_to for u in aliases.utterances][1::3] == ["u0001", "u0004"]
    assert [u.reply_to for u in merged.utterances] == [
        None,
        None,
        "u0002",
        "u0003",
        "u0003",
        "u0005",
    ]


def test_speakers_link_replies_matches_the_readers():
    speakers = ["A", "B", "B", "A", "C", "C", "C", "A", "B"]
    turns = [RawTurn(speaker, f"turn {i}") for i, speaker in enumerate(speakers)]
    read = to_utterances(turns)
    unlinked = [u.model_copy(update={"reply_to": None}) for u in read]
    assert link_replies(unlinked) == read


def test_speakers_unchanged_meeting_is_returned_as_is(aliases):
    speaker_map = SpeakerMap(rename={"Someone Else": "Dana"}, match={"Lee*": "Lee"})
    assert apply_speaker_map(aliases, speaker_map) is aliases


def test_speakers_names_compare_case_and_whitespace_insensitively(aliases):
    speaker_map = SpeakerMap(rename={"  dana   k. ": "Dana", "DANA (PHONE)": "Dana"})
    assert apply_speaker_map(aliases, speaker_map).speakers == ("Dana", "Sam")


def test_speakers_rename_takes_the_spelling_already_in_the_meeting():
    transcript = make_transcript([("Dana", "Hi."), ("Sam", "Hello."), ("dana k", "Me again.")])
    renamed = apply_speaker_map(transcript, SpeakerMap(rename={"dana k": "DANA"}))
    assert renamed.speakers == ("Dana", "Sam")


def test_speakers_match_glob_and_regex_with_groups():
    transcript = make_transcript(
        [
            ("The Acting Chair (Mr. Bruce Stanton (Simcoe North, CPC))", "Order."),
            ("Mr. Pat Kelly (Calgary Rocky Ridge, CPC)", "Thank you."),
            ("The Acting Chair (Mr. Bruce Stanton)", "Go ahead."),
            ("Mr. Pat Kelly", "My question is this."),
        ]
    )
    speaker_map = SpeakerMap(
        match={
            "the acting chair (*": "Bruce Stanton",
            r"re:^(?P<name>[^(]+?) \(.*\)$": r"\g<name>",
        }
    )
    assert apply_speaker_map(transcript, speaker_map).speakers == ("Bruce Stanton", "Mr. Pat Kelly")


def test_speakers_exact_rename_wins_over_a_pattern(aliases):
    speaker_map = SpeakerMap(rename={"Dana K.": "Dana"}, match={"Dana*": "Someone"})
    assert apply_speaker_map(aliases, speaker_map).speakers == ("Dana", "Someone", "Sam")


def test_speakers_unknown_stays_unknown_under_a_pattern():
    transcript = make_transcript(
        [
            ("Unknown Speaker", "Hello?"),
            ("Dana", "Hi."),
            ("unknown", "Who's that?"),
            ("Speaker ?", "Me."),
        ]
    )
    speaker_map = SpeakerMap(match={"*": "Dana", "re:.*": "Dana"})
    assert apply_speaker_map(transcript, speaker_map).speakers == (
        "Unknown Speaker",
        "Dana",
        "unknown",
        "Speaker ?",
    )
    assert is_unknown_speaker("  UNKNOWN   speaker ") and is_unknown_speaker("")
    assert not is_unknown_speaker("Speaker 2")


def test_speakers_rename_of_unknown_is_refused(tmp_path):
    message = _error(tmp_path, '[rename]\n"Unknown Speaker" = "Dana"\n')
    assert message == (
        "[rename] cannot rename the placeholder 'Unknown Speaker': several unknown voices"
        " are not one person; see docs/speakers.md for the format"
    )


def test_speakers_rename_into_a_placeholder_is_refused(tmp_path):
    message = _error(tmp_path, '[rename]\n"Dana" = "Unknown"\n')
    assert message.startswith("[rename] 'Dana' = 'Unknown': a person cannot become a placeholder")


def test_speakers_bad_toml_is_one_line_error(tmp_path):
    message = _error(tmp_path, "[rename]\nDana K. = Dana\n")
    assert message.startswith("not valid TOML: ")
    assert message.endswith("; see docs/speakers.md for the format")


def test_speakers_unknown_table_is_refused(tmp_path):
    message = _error(tmp_path, '[roels]\n"Dana" = "coach"\n')
    assert message == (
        "unknown table [roels]; a speaker map has only [rename], [match], [roles] and [sides]"
    )


def test_speakers_wrong_types_are_refused(tmp_path):
    assert _error(tmp_path, '[rename]\n"Dana K." = 3\n') == (
        '[rename] \'Dana K.\' must be a string, not a number; quote the value: "Dana K." = "Dana"'
    )
    assert _error(tmp_path, 'rename = "Dana"\n').startswith(
        "rename must be a table of names, not a string"
    )


def test_speakers_bad_regex_and_empty_names_are_refused(tmp_path):
    assert _error(tmp_path, "[match]\n're:(' = 'Dana'\n").startswith(
        "[match] 're:(' is not a valid regex"
    )
    assert _error(tmp_path, '[roles]\n"Dana" = "  "\n').startswith(
        "[roles] 'Dana' is empty; give a name or role"
    )


def test_speakers_missing_file_names_the_option(tmp_path):
    with pytest.raises(ConfigError, match="cannot read speaker map: .*; check the --speakers path"):
        load_speaker_map(tmp_path / "nope.toml")


def test_speakers_role_for_a_renamed_alias_points_at_the_person(tmp_path):
    message = _error(tmp_path, '[rename]\n"Dana K." = "Dana"\n[roles]\n"dana k." = "coach"\n')
    assert message.startswith("[roles] 'dana k.' is renamed to 'Dana'; give the role to 'Dana'")


def test_speakers_role_for_absent_speaker_lists_speakers(tmp_path, aliases):
    path = _write(tmp_path, '[roles]\n"Lee" = "coach"\n')
    speaker_map = load_speaker_map(path)
    with pytest.raises(ConfigError) as caught:
        roles_for(aliases, speaker_map)
    assert str(caught.value) == (
        f"{path}: [roles] 'Lee' is not a speaker in 'test'"
        " (speakers: 'Dana K.', 'Dana (phone)', 'Sam'); use a name as it appears after [rename]"
    )


def test_speakers_roles_refer_to_names_after_renaming(tmp_path, aliases):
    path = _write(
        tmp_path,
        '[rename]\n"Dana K." = "Dana"\n"Dana (phone)" = "Dana"\n'
        '[roles]\n"dana" = "Coach"\n"Sam" = "coachee"\n',
    )
    speaker_map = load_speaker_map(path)
    merged = apply_speaker_map(aliases, speaker_map)
    assert roles_for(merged, speaker_map) == {"Dana": "coach", "Sam": "coachee"}


def test_speakers_coach_option_is_case_insensitive_and_wins(aliases):
    speaker_map = SpeakerMap(roles={"Sam": "coachee"})
    assert roles_for(aliases, None, ["  dana K. "]) == {"Dana K.": "coach"}
    assert roles_for(aliases, speaker_map, ["SAM"]) == {"Sam": "coach"}


def test_speakers_coach_not_in_meeting_lists_speakers(aliases):
    with pytest.raises(ConfigError) as caught:
        roles_for(aliases, coach=["Lee"])
    assert str(caught.value) == (
        "coach 'Lee' is not a speaker in 'test' (speakers: 'Dana K.', 'Dana (phone)', 'Sam');"
        " pass --coach one of these names (any case)"
    )
    with pytest.raises(ConfigError, match="coach 'Unknown Speaker' is not a speaker"):
        roles_for(make_transcript([("Unknown Speaker", "Hi.")]), coach=["Unknown Speaker"])


def test_speakers_sample_map_fits_the_coaching_sample():
    transcript = read_transcript(SAMPLES / "coaching_session.txt")
    speaker_map = load_speaker_map(SAMPLES / "coaching_session.speakers.toml")
    mapped = apply_speaker_map(transcript, speaker_map)
    assert roles_for(mapped, speaker_map) == {
        "Helen Park": "coach",
        "Sam Osei": "coachee",
        "Ravi Menon": "observer",
    }


def test_speakers_real_committee_chair_aliases_merge(realmeetings, tmp_path):
    # The chair's first turn carries their riding and party; later turns do not.
    transcript = read_transcript(realmeetings / "qmsum-committee_covid_2.jsonl")
    counts = Counter(u.speaker for u in transcript.utterances)
    path = _write(
        tmp_path,
        '[match]\n"The Chair (*" = "The Chair"\n"The Acting Chair (*" = "Bruce Stanton"\n'
        "'re:^(?P<name>[^(]+?) \\(.*\\)$' = '\\g<name>'\n",
    )
    mapped = apply_speaker_map(transcript, load_speaker_map(path))
    merged = Counter(u.speaker for u in mapped.utterances)
    chair = [s for s in counts if s.startswith("The Chair")]
    acting = [s for s in counts if s.startswith("The Acting Chair")]
    assert len(chair) == 2 and len(acting) == 2
    assert merged["The Chair"] == sum(counts[s] for s in chair)
    assert merged["Bruce Stanton"] == sum(counts[s] for s in acting)
    assert not any("(" in s for s in mapped.speakers)
    assert len(mapped.utterances) == len(transcript.utterances)
    by_id = {u.id: u for u in mapped.utterances}
    assert all(by_id[u.reply_to].speaker != u.speaker for u in mapped.utterances if u.reply_to)
