"""Tests for transcript_lens.readers: every format, detection, decoding, errors."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transcript_lens.errors import InputError
from transcript_lens.readers import (
    FORMATS,
    MAX_BYTES,
    RawTurn,
    detect_format,
    read_bytes,
    read_text,
    read_transcript,
    register_reader,
)

DATA = Path(__file__).parent / "data" / "readers"
REALMEETINGS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "realmeetings"


def turns(transcript):
    return [(u.speaker, u.text) for u in transcript.utterances]


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8", newline="")
    else:
        path.write_bytes(content)
    return path


def assert_input_error(error: pytest.ExceptionInfo[InputError], path: str | Path) -> str:
    message = str(error.value)
    assert message.startswith(f"{path}:")
    assert "\n" not in message
    assert error.value.hint
    return message


# --- formats ----------------------------------------------------------------------


def test_readers_zoom_vtt():
    transcript = read_transcript(DATA / "zoom.vtt")
    assert transcript.format == "vtt"
    assert transcript.title == "zoom"
    assert transcript.source == str(DATA / "zoom.vtt")
    assert turns(transcript) == [
        # Cue 2 has no prefix: it continues Ana's turn and merges into it.
        ("Ana Lopez", "Good morning, everyone. Thanks for joining & welcome."),
        ("Ben Kim", "Happy to be here."),
        # 10.75 s of silence is more than the 2 s merge gap.
        ("Ben Kim", "Shall we start with the budget?"),
        ("Ana Lopez", "Yes, let's."),
    ]
    first, second, third, fourth = transcript.utterances
    assert (first.id, first.start, first.end, first.reply_to) == ("u0001", 1.0, 6.0, None)
    assert (second.id, second.start, second.end, second.reply_to) == ("u0002", 7.0, 9.25, "u0001")
    assert third.reply_to == "u0001"
    assert fourth.reply_to == "u0003"


def test_readers_teams_vtt():
    transcript = read_transcript(DATA / "teams.vtt")
    assert turns(transcript) == [
        # Missing </v> and a cue text on two lines; merged with the cue before.
        ("Ana Lopez", "We have three items on the agenda today."),
        # Two voices in one cue, tags stripped.
        ("Ben Kim", "Sounds good."),
        ("Chidi Okafor", "Can I add one item?"),
        # Hourless timestamps, a timestamp tag, and entities.
        ("Ana Lopez", "Of course <Chidi>, go ahead."),
    ]
    assert [(u.start, u.end) for u in transcript.utterances] == [
        (1.0, 6.0),
        (6.5, 8.0),
        (6.5, 8.0),
        (69.0, 72.5),
    ]


def test_readers_vtt_cue_without_speaker_at_start_is_unknown():
    text = (
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHello?\n\n00:00:09.000 --> 00:00:10.000\nmore\n"
    )
    transcript = read_text(text, source="a.vtt")
    assert turns(transcript) == [("Unknown Speaker", "Hello?"), ("Unknown Speaker", "more")]


def test_readers_vtt_skips_note_style_region_blocks():
    text = (
        "WEBVTT\nKind: captions\nLanguage: en\n\n"
        "STYLE\n::cue { color: lime }\n\n"
        "REGION\nid:left width:40%\n\n"
        "NOTE a comment: not a speaker\n\n"
        "1\n00:00:01.000 --> 00:00:02.000 region:left align:start\n<v.loud Ana>Hi <b>all</b>\n"
    )
    assert turns(read_text(text, source="a.vtt")) == [("Ana", "Hi all")]


def test_readers_vtt_first_cue_right_after_header():
    text = "WEBVTT\n00:00:01.000 --> 00:00:02.000\nAna: Hi.\n"
    assert turns(read_text(text, source="a.vtt")) == [("Ana", "Hi.")]


def test_readers_srt():
    transcript = read_transcript(DATA / "meeting.srt")
    assert transcript.format == "srt"
    assert turns(transcript) == [
        ("Ana", "Welcome back. We left off at the budget."),
        ("Ben", "I have the numbers."),
        ("Chidi", "And I have questions."),
    ]
    assert [(u.start, u.end) for u in transcript.utterances] == [
        (1.0, 5.0),
        (6.0, 8.0),
        (8.5, 10.0),
    ]


def test_readers_srt_font_tags_and_multiline_cue():
    text = '1\n00:00:01,000 --> 00:00:02,500\n<font color="#fff">Ana: one</font>\ntwo\n'
    transcript = read_text(text, source="a.srt")
    assert turns(transcript) == [("Ana", "one two")]
    assert transcript.utterances[0].end == 2.5


@pytest.mark.parametrize(
    "line",
    [
        "[00:01:05] Ana: Hello there.",
        "[01:05] Ana: Hello there.",
        "(01:05) Ana: Hello there.",
        "(00:01:05) Ana: Hello there.",
        "Ana (01:05): Hello there.",
        "Ana [00:01:05]: Hello there.",
        "Ana: [01:05] Hello there.",
    ],
)
def test_readers_txt_stamp_styles(line):
    transcript = read_text(f"{line}\nBen: Hi.\n", source="a.txt")
    assert turns(transcript) == [("Ana", "Hello there."), ("Ben", "Hi.")]
    assert transcript.utterances[0].start == 65.0
    assert transcript.utterances[0].end is None
    assert transcript.utterances[1].start is None


def test_readers_txt_file():
    transcript = read_transcript(DATA / "plain.txt")
    assert transcript.format == "txt"
    assert turns(transcript) == [
        ("Ana", "Let's begin."),
        ("Ben", "I agree."),
        ("Chidi", "Me too, and I have a question."),
        ("Ana", "Go ahead."),
        ("Ben", "Quick one first."),
        ("The Chair (Hon. Ana Lopez (North, Ind.))", "Order, please."),
        ("Ben", "No stamp here."),
    ]
    assert [u.start for u in transcript.utterances] == [5.0, 70.0, 135.0, 180.0, 210.0, None, None]


def test_readers_txt_keeps_turns_as_written():
    transcript = read_text("Ana: one\nAna: two\nBen: three\n", source="a.txt")
    assert turns(transcript) == [("Ana", "one"), ("Ana", "two"), ("Ben", "three")]


def test_readers_txt_sentence_with_colon_continues_turn():
    text = (
        "Ana: We need a decision.\n"
        "The plan is simple: we ship on Friday.\n"
        "Ben: Here is why: it is ready.\n"
    )
    assert turns(read_text(text, source="a.txt")) == [
        ("Ana", "We need a decision. The plan is simple: we ship on Friday."),
        ("Ben", "Here is why: it is ready."),
    ]


def test_readers_txt_repeated_lowercase_label_is_a_speaker():
    text = "ana lopez: hi\nme013: hello\nana lopez: again\n"
    assert turns(read_text(text, source="a.txt")) == [
        ("ana lopez", "hi"),
        ("me013", "hello"),
        ("ana lopez", "again"),
    ]


def test_readers_txt_lines_before_first_speaker_are_unknown():
    text = "Weekly sync\n\nAna: Hi.\n"
    assert turns(read_text(text, source="a.txt")) == [
        ("Unknown Speaker", "Weekly sync"),
        ("Ana", "Hi."),
    ]


def test_readers_otter():
    transcript = read_transcript(DATA / "otter.txt")
    assert transcript.format == "otter"
    assert turns(transcript) == [
        ("Ana Lopez", "Welcome to the planning call."),
        ("Ben Kim", "Thanks, Ana. I have two updates. The first is about hiring."),
        ("Unknown Speaker", "Sorry, I joined late."),
    ]
    assert [u.start for u in transcript.utterances] == [5.0, 12.0, 3723.0]
    assert all(u.end is None for u in transcript.utterances)


def test_readers_jsonl():
    transcript = read_transcript(DATA / "meeting.jsonl")
    assert transcript.format == "jsonl"
    # Records are turns already: Ana's two records stay two utterances.
    assert turns(transcript) == [
        ("Ana", "Hello there."),
        ("Ana", "Second line."),
        ("Ben", "Hi Ana."),
        ("Chidi", "Morning."),
    ]
    assert [(u.id, u.start, u.end) for u in transcript.utterances] == [
        ("u0001", 0.5, 2.25),
        ("u0002", 2.5, 3.0),
        ("u0003", None, None),
        ("u0004", None, None),
    ]


def test_readers_jsonl_numeric_speaker_and_rounding():
    text = '{"speaker": 1, "text": "a", "start": 1.23456, "end": 2}\n'
    utterance = read_text(text, source="a.jsonl").utterances[0]
    assert (utterance.speaker, utterance.start, utterance.end) == ("1", 1.235, 2.0)


# --- detection --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("m.vtt", "vtt"),
        ("m.srt", "srt"),
        ("m.jsonl", "jsonl"),
        ("m.json", "jsonl"),
        ("M.SRT", "srt"),
        ("m.txt", "txt"),
    ],
)
def test_readers_detect_format_by_extension(name, expected):
    # The content is plain text, so only the extension can say vtt, srt or jsonl.
    assert detect_format(name, "Ana: hi\n") == expected


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("m.txt", "WEBVTT\n\n00:01.000 --> 00:02.000\nAna: hi\n", "vtt"),
        ("m.srt", "\ufeffWEBVTT\n", "vtt"),
        ("m.txt", "1\n00:00:01,000 --> 00:00:02,000\nAna: hi\n", "srt"),
        ("-", "00:00:01.000 --> 00:00:02.000\nAna: hi\n", "vtt"),
        ("-", '{"speaker": "Ana", "text": "hi"}\n', "jsonl"),
        ("m.txt", "Ana Lopez  0:05\nHello.\n\nBen  0:09\nHi.\n", "otter"),
        ("m.txt", "Ana\nHello.\n\nTranscribed by https://otter.ai\n", "otter"),
        ("m.txt", "Ana: we stopped at  10:30\nBen: ok\n", "txt"),
        ("notes", "[00:01] Ana: hi\n", "txt"),
    ],
)
def test_readers_detect_format_by_content(name, text, expected):
    assert detect_format(name, text) == expected


def test_readers_input_format_override(tmp_path):
    path = write(tmp_path, "meeting.vtt", "Ana: hello\nBen: hi\n")
    with pytest.raises(InputError):
        read_transcript(path)
    transcript = read_transcript(path, input_format="txt")
    assert transcript.format == "txt"
    assert turns(transcript) == [("Ana", "hello"), ("Ben", "hi")]


def test_readers_unknown_input_format(tmp_path):
    path = write(tmp_path, "m.txt", "Ana: hi\n")
    with pytest.raises(InputError) as error:
        read_transcript(path, input_format="pdf")
    message = assert_input_error(error, path)
    assert "unknown input format 'pdf'" in message
    assert "csv, docx, json, jsonl, otter, rev, srt, txt, vtt" in message


# --- merging, ids, replies -----------------------------------------------------------

GAPPY = (
    "WEBVTT\n\n"
    "00:00:00.000 --> 00:00:01.000\nAna: one\n\n"
    "00:00:01.500 --> 00:00:02.000\nAna: two\n\n"
    "00:00:05.000 --> 00:00:06.000\nAna: three\n\n"
    "00:00:06.000 --> 00:00:07.000\nBen: four\n"
)


@pytest.mark.parametrize(
    ("merge_gap", "expected"),
    [
        (0.0, [("Ana", "one"), ("Ana", "two"), ("Ana", "three"), ("Ben", "four")]),
        (0.5, [("Ana", "one two"), ("Ana", "three"), ("Ben", "four")]),
        (2.0, [("Ana", "one two"), ("Ana", "three"), ("Ben", "four")]),
        (3.0, [("Ana", "one two three"), ("Ben", "four")]),
    ],
)
def test_readers_merge_gap(merge_gap, expected):
    transcript = read_text(GAPPY, source="a.vtt", merge_gap=merge_gap)
    assert turns(transcript) == expected


def test_readers_merged_turn_spans_first_start_to_latest_end():
    text = (
        "WEBVTT\n\n00:00:00.000 --> 00:00:05.000\nAna: long\n\n"
        "00:00:01.000 --> 00:00:02.000\nAna: overlapping\n"
    )
    utterance = read_text(text, source="a.vtt").utterances[0]
    assert (utterance.text, utterance.start, utterance.end) == ("long overlapping", 0.0, 5.0)


def test_readers_merge_can_be_switched():
    assert len(read_text(GAPPY, source="a.vtt", merge=False).utterances) == 4
    text = "Ana: one\nAna: two\nBen: three\n"
    # Without times nothing says Ana stopped, so her lines merge.
    assert turns(read_text(text, source="a.txt", merge=True)) == [
        ("Ana", "one two"),
        ("Ben", "three"),
    ]


def test_readers_negative_merge_gap_is_refused():
    with pytest.raises(ValueError, match="merge_gap"):
        read_text("Ana: hi\n", source="a.txt", merge_gap=-1)


def test_readers_reply_to_is_last_turn_by_someone_else():
    text = "A: 1\nB: 2\nB: 3\nA: 4\nC: 5\nC: 6\n"
    transcript = read_text(text, source="a.txt")
    assert [(u.id, u.reply_to) for u in transcript.utterances] == [
        ("u0001", None),
        ("u0002", "u0001"),
        ("u0003", "u0001"),
        ("u0004", "u0003"),
        ("u0005", "u0004"),
        ("u0006", "u0004"),
    ]


def test_readers_ids_widen_past_9999():
    lines = "".join(f"{'Ana' if i % 2 else 'Ben'}: turn {i}\n" for i in range(10_000))
    utterances = read_text(lines, source="a.txt").utterances
    assert (utterances[0].id, utterances[-1].id) == ("u00001", "u10000")


def test_readers_whitespace_collapsed_and_empty_cues_dropped():
    text = (
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v  Ana  Lopez >  lots   of\tspace \n\n"
        "00:00:10.000 --> 00:00:11.000\n<v Ben></v>\n\n"
        "00:00:12.000 --> 00:00:13.000\n<v Ana Lopez>next\n"
    )
    assert turns(read_text(text, source="a.vtt")) == [
        ("Ana Lopez", "lots of space"),
        ("Ana Lopez", "next"),
    ]


def test_readers_deterministic():
    first = read_transcript(DATA / "teams.vtt").model_dump_json()
    second = read_transcript(DATA / "teams.vtt").model_dump_json()
    assert first == second


def test_readers_register_reader_like_a_plugin(tmp_path):
    @register_reader("pipes", extensions=(".pipes",))
    def parse(text: str, source: str) -> list[RawTurn]:
        rows = [line.split("|", 1) for line in text.splitlines() if line.strip()]
        return [RawTurn(speaker, words) for speaker, words in rows]

    try:
        path = write(tmp_path, "m.pipes", "Ana|hi\nBen|hello\n")
        transcript = read_transcript(path)
        assert transcript.format == "pipes"
        assert turns(transcript) == [("Ana", "hi"), ("Ben", "hello")]
    finally:
        del FORMATS["pipes"]


# --- decoding --------------------------------------------------------------------

WINDOWS_TEXT = "Ana: Café ☕ time\r\nBen: Merci\r\n"
EXPECTED = [("Ana", "Café ☕ time"), ("Ben", "Merci")]


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"\xef\xbb\xbf" + WINDOWS_TEXT.encode("utf-8"), id="utf-8-bom"),
        pytest.param(b"\xff\xfe" + WINDOWS_TEXT.encode("utf-16-le"), id="utf-16-le-bom"),
        pytest.param(b"\xfe\xff" + WINDOWS_TEXT.encode("utf-16-be"), id="utf-16-be-bom"),
        pytest.param(WINDOWS_TEXT.encode("utf-16-le"), id="utf-16-le-no-bom"),
        pytest.param(WINDOWS_TEXT.encode("utf-16-be"), id="utf-16-be-no-bom"),
        pytest.param(WINDOWS_TEXT.replace("\r\n", "\r").encode("utf-8"), id="lone-cr"),
    ],
)
def test_readers_decoding(tmp_path, data):
    path = write(tmp_path, "m.txt", data)
    assert turns(read_transcript(path)) == EXPECTED


def test_readers_utf16_vtt_with_bom(tmp_path):
    text = "WEBVTT\r\n\r\n00:00:01.000 --> 00:00:02.000\r\n<v Ana>Hi\r\n"
    path = write(tmp_path, "m.vtt", b"\xff\xfe" + text.encode("utf-16-le"))
    assert turns(read_transcript(path)) == [("Ana", "Hi")]


def test_readers_cp1252_fallback(tmp_path):
    path = write(tmp_path, "m.txt", "Ana: Caf\u00e9 \u201cquoted\u201d\n".encode("cp1252"))
    assert turns(read_transcript(path)) == [("Ana", "Café “quoted”")]


def test_readers_read_bytes_for_stdin():
    transcript = read_bytes(b"Ana: hi\n", source="-")
    assert (transcript.source, transcript.title, transcript.format) == ("-", "stdin", "txt")
    assert read_bytes(b"Ana: hi\n", source="-", title="Standup").title == "Standup"


# --- bad input -------------------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"  \n\t\r\n", b"\xef\xbb\xbf\n"])
def test_readers_empty_file(tmp_path, content):
    path = write(tmp_path, "m.txt", content)
    with pytest.raises(InputError) as error:
        read_transcript(path)
    assert assert_input_error(error, path) == f"{path}: is empty; {error.value.hint}"


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", id="png"),
        pytest.param(bytes(range(256)) * 4, id="all-bytes"),
        pytest.param(b"Ana: hi\nBen: \x1b[31mred\x07\n", id="control-characters"),
        pytest.param(b"\x81\x8d\x8f\x90\x9d not text", id="undecodable"),
    ],
)
def test_readers_binary_data(tmp_path, content):
    path = write(tmp_path, "m.txt", content)
    with pytest.raises(InputError) as error:
        read_transcript(path)
    assert "looks like binary data, not a transcript" in assert_input_error(error, path)


def test_readers_binary_data_names_the_line(tmp_path):
    path = write(tmp_path, "m.txt", b"Ana: hi\nBen: \x1b[31mred\n")
    with pytest.raises(InputError) as error:
        read_transcript(path)
    assert error.value.line == 2
    assert str(error.value).startswith(f"{path}:2: looks like binary data")


@pytest.mark.parametrize(
    "text",
    ["WEBVTT\n", "WEBVTT\n\nNOTE nothing here\n", "WEBVTT\nKind: captions\nLanguage: en\n"],
)
def test_readers_vtt_without_cues(tmp_path, text):
    path = write(tmp_path, "m.vtt", text)
    with pytest.raises(InputError) as error:
        read_transcript(path)
    assert "has no cues" in assert_input_error(error, path)


def test_readers_vtt_cues_without_text(tmp_path):
    path = write(tmp_path, "m.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n\n")
    with pytest.raises(InputError) as error:
        read_transcript(path)
    assert "has no speaker turns with text" in assert_input_error(error, path)


def test_readers_vtt_bad_timing_line(tmp_path):
    path = write(tmp_path, "m.vtt", "WEBVTT\n\n1\n00:00:01 --> soon\nAna: hi\n")
    with pytest.raises(InputError) as error:
        read_transcript(path)
    message = assert_input_error(error, path)
    assert error.value.line == 4
    assert "cannot read the cue timing '00:00:01 --> soon'" in message


def test_readers_srt_text_before_first_cue(tmp_path):
    path = write(tmp_path, "m.srt", "Some title\n\n1\n00:00:01,000 --> 00:00:02,000\nhi\n")
    with pytest.raises(InputError) as error:
        read_transcript(path)
    assert_input_error(error, path)
    assert error.value.line == 1


def test_readers_text_without_speaker_lines(tmp_path):
    path = write(tmp_path, "notes.txt", "We met today.\nThe plan is simple.\n")
    with pytest.raises(InputError) as error:
        read_transcript(path)
    message = assert_input_error(error, path)
    assert message.startswith(f"{path}:1: no line has a 'Speaker: text' prefix; ")
    assert "--input-format" in message


def test_readers_missing_path(tmp_path):
    path = tmp_path / "nope.vtt"
    with pytest.raises(InputError) as error:
        read_transcript(path)
    assert assert_input_error(error, path) == f"{path}: no such file; check the path"


def test_readers_directory(tmp_path):
    with pytest.raises(InputError) as error:
        read_transcript(tmp_path)
    assert "is a directory" in assert_input_error(error, tmp_path)


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read anything"
)
def test_readers_permission_denied(tmp_path):
    path = write(tmp_path, "m.txt", "Ana: hi\n")
    path.chmod(0)
    try:
        with pytest.raises(InputError) as error:
            read_transcript(path)
    finally:
        path.chmod(0o600)
    assert "permission denied" in assert_input_error(error, path)


def test_readers_too_large(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(MAX_BYTES + 1)
    with pytest.raises(InputError) as error:
        read_transcript(path)
    message = assert_input_error(error, path)
    assert "larger than 50 MB" in message
    assert "split" in message


@pytest.mark.parametrize(
    ("lines", "line", "needle"),
    [
        ('{"speaker": "Ana", "text": "hi"}\n{"speaker": "Ben", "text": }\n', 2, "bad JSON"),
        ('{"speaker": "Ana", "text": "hi"}\n\n["Ben", "hi"]\n', 3, "expected a JSON object"),
        ('{"text": "hi"}\n', 1, 'missing "speaker"'),
        ('{"speaker": "  ", "text": "hi"}\n', 1, 'missing "speaker"'),
        ('{"speaker": "Ana"}\n', 1, 'missing "text"'),
        ('{"speaker": "Ana", "text": "hi", "start": "soon"}\n', 1, '"start" must be seconds'),
        ('{"speaker": "Ana", "text": "hi", "end": -1}\n', 1, '"end" is negative'),
    ],
)
def test_readers_bad_jsonl_line(tmp_path, lines, line, needle):
    path = write(tmp_path, "m.jsonl", lines)
    with pytest.raises(InputError) as error:
        read_transcript(path)
    message = assert_input_error(error, path)
    assert error.value.line == line
    assert message.startswith(f"{path}:{line}: ")
    assert needle in message


# --- round trips -------------------------------------------------------------------

names = st.lists(
    st.sampled_from(["Ana", "Ben", "Chidi", "Dr. Ng", "Project Manager", "me013"]), min_size=1
)
words = st.text(
    alphabet=st.sampled_from("abcdefghij KLMNOP.,'?!-"), min_size=1, max_size=40
).filter(lambda text: text.strip())


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(names.map(lambda n: n[0]), words), min_size=1, max_size=20))
def test_readers_txt_round_trip(pairs):
    text = "".join(f"{speaker}: {said}\n" for speaker, said in pairs)
    expected = [(speaker, " ".join(said.split())) for speaker, said in pairs]
    assert turns(read_text(text, source="a.txt")) == expected


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(names.map(lambda n: n[0]), words), min_size=1, max_size=20))
def test_readers_vtt_and_jsonl_agree(pairs):
    cues = "".join(
        f"{i}\n00:00:{i:02d}.000 --> 00:00:{i:02d}.500\n<v {speaker}>{said}\n\n"
        for i, (speaker, said) in enumerate(pairs)
    )
    records = "".join(
        json.dumps({"speaker": speaker, "text": said, "start": i, "end": i + 0.5}) + "\n"
        for i, (speaker, said) in enumerate(pairs)
    )
    from_vtt = read_text(f"WEBVTT\n\n{cues}", source="a.vtt", merge=False)
    from_jsonl = read_text(records, source="a.jsonl")
    assert from_vtt.utterances == from_jsonl.utterances


# --- real meetings -----------------------------------------------------------------


def realmeeting_files() -> list[Path]:
    if not REALMEETINGS.is_dir():
        return []
    return sorted(path for path in REALMEETINGS.iterdir() if path.is_file())


def jsonl_speakers_and_count(path: Path) -> tuple[set[str], int]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {json.loads(line)["speaker"] for line in lines}, len(lines)


@pytest.mark.slow
def test_readers_realmeetings():
    files = realmeeting_files()
    if not files:
        pytest.skip(f"no real meetings at {REALMEETINGS}")
    for path in files:
        transcript = read_transcript(path)
        assert transcript.format == path.suffix.lstrip("."), path
        speakers, count = jsonl_speakers_and_count(path.with_suffix(".jsonl"))
        assert set(transcript.speakers) == speakers, path
        if path.suffix in (".txt", ".jsonl"):
            assert len(transcript.utterances) == count, path
        else:
            assert len(transcript.utterances) <= count, path
