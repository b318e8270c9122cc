"""The formats added to the readers: Teams .docx, JSON documents, CSV, Rev, legacy encodings."""

from __future__ import annotations

import io
import json
import logging
import zipfile
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from tests.conftest import REPO, SAMPLES
from transcript_lens.cli import cli
from transcript_lens.errors import InputError
from transcript_lens.readers import (
    FORMATS,
    describe_formats,
    detect_binary_format,
    detect_format,
    formats_table,
    parse_columns,
    read_bytes,
    read_text,
    read_transcript,
)

DATA = Path(__file__).parent / "data" / "readers"


def turns(transcript):
    return [(u.speaker, u.text) for u in transcript.utterances]


def times(transcript):
    return [(u.start, u.end) for u in transcript.utterances]


def error_of(path: Path | str, **options) -> str:
    with pytest.raises(InputError) as error:
        read_transcript(path, **options)
    message = str(error.value)
    assert message.startswith(f"{path}")
    assert "\n" not in message
    assert error.value.hint
    return message


def word_document(*paragraphs: str) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- Teams .docx ------------------------------------------------------------------


def test_readers_formats_teams_docx_headings():
    transcript = read_transcript(DATA / "teams.docx")
    assert transcript.format == "docx"
    # Title, date and the "started transcription" note are not speech; the two
    # paragraphs after one heading are one turn.
    assert turns(transcript) == [
        ("Ana Lopez", "Morning, everyone. Shall we start with the budget?"),
        ("Ben Kim", "Yes, let's."),
        ("Ana Lopez", "Thanks, that's all."),
    ]
    assert times(transcript) == [(3.0, None), (15.0, None), (3723.0, None)]


def test_readers_formats_teams_docx_time_first_headings():
    transcript = read_transcript(DATA / "teams_time_first.docx")
    assert turns(transcript) == [("Ana Lopez", "Morning, everyone."), ("Ben Kim", "Yes, let's.")]
    assert times(transcript) == [(3.0, None), (15.0, None)]


def test_readers_formats_stream_docx_cues():
    transcript = read_transcript(DATA / "stream.docx")
    assert transcript.format == "docx"
    assert turns(transcript) == [
        # Two cues of one speaker merge; the <v Name> form is read as in WebVTT.
        ("Ana Lopez", "Morning, everyone. Shall we start with the budget?"),
        ("Ben Kim", "Yes, let's."),
        ("Chidi Okafor", "One more item from me."),
    ]
    assert times(transcript) == [(0.0, 8.25), (9.0, 11.52), (62.5, 64.0)]


def test_readers_formats_teams_docx_sample():
    transcript = read_transcript(SAMPLES / "teams_transcript.docx")
    assert len(transcript.utterances) == 20
    assert {u.speaker for u in transcript.utterances} == {
        "Maya Lindqvist",
        "Colin Ashby",
        "Joe Turner",
        "Priyanka Desai",
    }
    priyanka = transcript.utterances[7]
    assert (priyanka.speaker, priyanka.start) == ("Priyanka Desai", 118.0)
    assert priyanka.text.endswith("three weeks behind for the night shift.")
    assert "transcription" not in " ".join(u.text for u in transcript.utterances)


def test_readers_formats_docx_detected_by_its_bytes():
    data = (DATA / "teams.docx").read_bytes()
    assert detect_binary_format("-", data) == "docx"
    assert detect_binary_format("meeting.vtt", b"WEBVTT\n") is None
    transcript = read_bytes(data, source="-")
    assert (transcript.format, transcript.title) == ("docx", "stdin")


def test_readers_formats_docx_text_reads_with_input_format():
    text = "Ana Lopez   0:03\nMorning.\n\nBen Kim   0:15\nHi.\n"
    transcript = read_text(text, source="-", input_format="docx")
    assert turns(transcript) == [("Ana Lopez", "Morning."), ("Ben Kim", "Hi.")]


def test_readers_formats_sample_docx_is_reproducible():
    # scripts/make_samples.py fixes every date, so its output never drifts.
    import runpy

    script = runpy.run_path(str(REPO / "scripts" / "make_samples.py"))
    built = script["build"](script["TEAMS_SAMPLE"], "Scanner rollout")
    assert built == (SAMPLES / "teams_transcript.docx").read_bytes()


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        pytest.param(
            b"Ana Lopez   0:03\nHi.\n", "is not a Word document (not a zip file)", id="text"
        ),
        pytest.param(b"PK\x03\x04broken", "is not a Word document (a damaged zip file)", id="zip"),
        pytest.param(
            _zip({"notes.txt": b"hi"}),
            "is a zip archive but not a Word document (no word/document.xml)",
            id="not-word",
        ),
        pytest.param(
            _zip({"word/document.xml": b"<w:document"}),
            "cannot read the Word document",
            id="damaged-word",
        ),
        pytest.param(
            word_document("Quarterly plan", "We will hire two people."),
            "has no Teams transcript",
            id="no-transcript",
        ),
    ],
)
def test_readers_formats_bad_docx(tmp_path, content, needle):
    path = tmp_path / "meeting.docx"
    path.write_bytes(content)
    assert needle in error_of(path)


def test_readers_formats_zip_without_docx_name_is_not_a_transcript(tmp_path):
    path = tmp_path / "meeting.txt"
    path.write_bytes(_zip({"notes.txt": b"hi"}))
    assert "looks like binary data" in error_of(path)


# --- JSON documents ---------------------------------------------------------------


def test_readers_formats_fireflies_sample():
    transcript = read_transcript(SAMPLES / "fireflies_export.json")
    assert transcript.format == "json"
    # 31 sentences; consecutive sentences of one speaker merge into turns.
    assert len(transcript.utterances) == 15
    first = transcript.utterances[0]
    assert (first.speaker, first.start, first.end) == ("Hannah Cole", 2.16, 15.38)
    assert first.text.startswith("Hi everyone, thanks for making the time. Dev asked")


def test_readers_formats_fireflies_api_response():
    transcript = read_transcript(DATA / "fireflies_api.json")
    assert turns(transcript) == [
        ("Ana Lopez", "Morning, everyone. Shall we start?"),
        # No speaker_name: Fireflies shows the speaker by number.
        ("Speaker 1", "Yes, let's."),
    ]
    assert times(transcript) == [(1.5, 5.0), (9.0, 10.125)]


def test_readers_formats_json_array_of_turns():
    transcript = read_transcript(DATA / "turns.json")
    assert turns(transcript) == [
        ("Ana Lopez", "Morning, everyone."),
        ("2", "Hi Ana."),
        ("Ana Lopez", "Shall we start?"),
    ]
    assert times(transcript) == [(0.5, 2.0), (3.5, 4.0), (None, None)]


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("m.json", '{"sentences": []}', "json"),
        ("m.json", '[\n  {"speaker": "Ana", "text": "hi"}\n]\n', "json"),
        ("m.json", '{"speaker": "Ana", "text": "hi"}\n{"speaker": "Ben", "text": "yo"}\n', "jsonl"),
        # One turn record on one line is a JSON Lines file with one line.
        ("m.json", '{"speaker": "Ana", "text": "hi"}\n', "jsonl"),
        ("m.json", '{\n  "sentences": [\n', "json"),
        ("-", '[{"speaker": "Ana", "text": "hi"}]', "json"),
        ("-", '{"sentences": [{"speaker_name": "Ana", "text": "hi"}]}', "json"),
        ("m.jsonl", '[{"speaker": "Ana", "text": "hi"}]', "jsonl"),
        ("notes", "[00:01] Ana: hi\n", "txt"),
    ],
)
def test_readers_formats_json_or_json_lines(name, text, expected):
    assert detect_format(name, text) == expected


@pytest.mark.parametrize(
    ("document", "needle"),
    [
        (
            {"sentences": [{"speaker_name": "Ana", "text": "hi"}, {"speaker_name": "Ben"}]},
            "sentences[1]: no text",
        ),
        (
            {"data": {"transcript": {"sentences": [{"text": "hi"}]}}},
            "data.transcript.sentences[0]: no speaker (one of speaker_name, speaker, name)",
        ),
        (
            {"sentences": [{"speaker_name": "Ana", "text": "hi", "start_time": "soon"}]},
            'sentences[0]: "start_time" must be seconds or h:mm:ss, not "soon"',
        ),
        ([{"speaker": "Ana", "text": "hi", "end": -3}], '[0]: "end" must be seconds'),
        ([{"speaker": "Ana", "text": 5}], '[0]: "text" must be a string, not a number'),
        (["hi"], "[0]: expected an object, found a string"),
        ({"sentences": {"0": "hi"}}, "sentences: expected an array, found an object"),
        ({"title": "Budget"}, 'has no "sentences" array'),
    ],
)
def test_readers_formats_bad_json_names_the_field(tmp_path, document, needle):
    path = tmp_path / "m.json"
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    assert needle in error_of(path)


def test_readers_formats_broken_json_names_the_line(tmp_path):
    path = tmp_path / "m.json"
    path.write_text('{\n  "sentences": [\n    {"text": "hi",}\n  ]\n}\n', encoding="utf-8")
    message = error_of(path)
    assert message.startswith(f"{path}:3: bad JSON")


# --- CSV --------------------------------------------------------------------------


def test_readers_formats_csv_sample():
    transcript = read_transcript(SAMPLES / "turns.csv")
    assert transcript.format == "csv"
    assert len(transcript.utterances) == 17
    first = transcript.utterances[0]
    assert (first.speaker, first.start, first.end) == ("Gary Holt", 3.2, 9.85)
    assert first.text.startswith("Right, let's get going, I've got a hard stop")


def test_readers_formats_csv_columns_semicolons_and_quoted_lines():
    columns = {"speaker": "who", "text": "Said", "start": "From", "end": "To"}
    transcript = read_transcript(DATA / "turns_semicolon.csv", columns=columns)
    assert turns(transcript) == [
        ("Ana Lopez", "Morning; everyone."),
        ("Ben Kim", "Hi Ana."),
        ("Ana Lopez", "Shall we start?"),
    ]
    assert times(transcript) == [(1.5, 3.0), (4.0, 5.25), (3723.0, None)]


def test_readers_formats_tsv_with_synonyms():
    transcript = read_transcript(DATA / "turns.tsv")
    assert turns(transcript) == [("Ana Lopez", "Morning."), ("Ben Kim", "Hi.")]
    assert times(transcript) == [(1.0, None), (2.5, None)]


def test_readers_formats_csv_detected_by_its_header():
    text = "Start Time,Speaker Name,Transcript\n0:01,Ana,Hello.\n"
    assert detect_format("-", text) == "csv"
    assert turns(read_text(text, source="-")) == [("Ana", "Hello.")]
    assert detect_format("-", "Ana: hello, Ben, and welcome\n") == "txt"


@pytest.mark.parametrize(
    ("text", "options", "needle"),
    [
        ("Who,Said\nAna,hi\n", {}, "row 1: no speaker column (looked for speaker,"),
        ("speaker,start\nAna,1\n", {}, "row 1: no text column"),
        (
            "Who,Said\nAna,hi\n",
            {"columns": {"speaker": "Person", "text": "Said"}},
            "row 1: no column 'Person' (the header has 'Who', 'Said')",
        ),
        (
            "speaker,text,start\nAna,hi,1\nBen,yo,ten\n",
            {},
            "row 3: cannot read the start time 'ten'",
        ),
        ("speaker,text\nAna,hi\n,yo\n", {}, "row 3: no speaker in column 'speaker'"),
        ("speaker,start,text\nAna,1,hi\nBen\n", {}, "row 3: has 1 cells, so no text"),
        ("just one column\nAna\n", {"input_format": "csv"}, "row 1: no comma, semicolon or tab"),
    ],
)
def test_readers_formats_bad_csv_names_the_row(tmp_path, text, options, needle):
    path = tmp_path / "m.csv"
    path.write_text(text, encoding="utf-8")
    assert needle in error_of(path, **options)


def test_readers_formats_columns_spec():
    assert parse_columns("speaker=Who, text=Said,START=From") == {
        "speaker": "Who",
        "text": "Said",
        "start": "From",
    }
    for bad, needle in [
        ("speaker", "expected PART=COLUMN"),
        ("who=Speaker", "unknown part 'who'"),
        ("text=A,text=B", "'text' is given twice"),
        ("speaker=", "expected PART=COLUMN"),
    ]:
        with pytest.raises(ValueError, match=needle):
            parse_columns(bad)


# --- Rev --------------------------------------------------------------------------


def test_readers_formats_rev_sample():
    transcript = read_transcript(SAMPLES / "rev_export.txt")
    assert transcript.format == "rev"
    assert len(transcript.utterances) == 17
    assert transcript.utterances[9].speaker == "Speaker 4"
    assert times(transcript)[:3] == [(2.0, None), (11.0, None), (20.0, None)]


def test_readers_formats_rev_one_line_variant():
    transcript = read_transcript(DATA / "rev_oneline.txt")
    assert transcript.format == "rev"
    # "Note:" is text: only "Name (mm:ss):" starts a turn in a Rev export.
    assert turns(transcript) == [
        ("Speaker 1", "Morning, everyone. Budget first."),
        ("Speaker 2", "Fine by me. Note: the budget is in the shared folder."),
        ("Speaker 1", "Thanks."),
    ]
    assert times(transcript) == [(0.0, None), (4.0, None), (3723.0, None)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ana (00:01):\nHello.\n\nBen (00:05):\nHi.\n", "rev"),
        ("Ana (00:01): Hello.\nBen (00:05): Hi.\n", "rev"),
        # One stamped label among plain ones is a text file with a stamp.
        ("Ana (01:05): Hello there.\nBen: Hi.\n", "txt"),
        ("Ana Lopez  0:05\nHello.\n\nBen  0:09\nHi.\n", "otter"),
    ],
)
def test_readers_formats_rev_detected_by_content(text, expected):
    assert detect_format("m.txt", text) == expected


def test_readers_formats_rev_without_headers(tmp_path):
    path = tmp_path / "m.txt"
    path.write_text("Ana: hello\n", encoding="utf-8")
    message = error_of(path, input_format="rev")
    assert "no 'Speaker 1 (00:05):' speaker line found" in message


# --- encodings and caption markup -------------------------------------------------


def test_readers_formats_cp1252_file(caplog):
    with caplog.at_level(logging.DEBUG, logger="transcript_lens.readers._common"):
        transcript = read_transcript(DATA / "cp1252.txt")
    assert turns(transcript) == [
        ("Zoë Müller", "It’s the €40k line – the “quick win” we promised."),
        ("Ben Kim", "Naïve question… who signed it off?"),
    ]
    # The guess goes to the debug log only, never into the transcript.
    assert "reading it as cp1252" in caplog.text


def test_readers_formats_latin1_file():
    transcript = read_transcript(DATA / "latin1.srt")
    assert turns(transcript) == [
        ("José Nuñez", "Buenos días, ça va?"),
        ("Bjørn Ødegård", "Très bien, grüß dich."),
    ]


def test_readers_formats_utf16_file():
    transcript = read_transcript(DATA / "utf16.vtt")
    assert turns(transcript) == [("Zoë Müller", "Hello from Köln."), ("Ben Kim", "Hi Zoë.")]


def test_readers_formats_other_legacy_code_pages(tmp_path):
    text = "Ana: Привет, как дела? Всё хорошо, спасибо.\nBen: Да, спасибо большое, до встречи.\n"
    path = tmp_path / "m.txt"
    path.write_bytes(text.encode("cp1251"))
    assert turns(read_transcript(path))[0] == ("Ana", "Привет, как дела? Всё хорошо, спасибо.")


def test_readers_formats_caption_markup_removed():
    transcript = read_transcript(DATA / "tagged.vtt")
    assert turns(transcript) == [
        ("Ana Lopez", "Q&A comes after the budget."),
        # <br/> separates words; an escaped "<" stays as text.
        ("Ben Kim", "That's fine by me <3"),
        ("Ana Lopez", "Thanks both."),
    ]


# --- the list of formats ----------------------------------------------------------


def test_readers_formats_describe_every_registered_format():
    described = describe_formats()
    assert [item.name for item in described] == sorted(FORMATS)
    assert all(item.detection and item.example for item in described)
    docx_format = next(item for item in described if item.name == "docx")
    assert docx_format.extensions == (".docx",)


def test_readers_formats_readme_table_is_the_formats_output():
    readme = (REPO / "README.md").read_text("utf-8")
    result = CliRunner().invoke(cli, ["formats", "--markdown"])
    assert result.exit_code == 0
    assert result.stdout == formats_table(markdown=True)
    assert f"## Input formats\n\n{result.stdout}\n" in readme


def test_readers_formats_command_lists_formats():
    result = CliRunner().invoke(cli, ["formats"])
    assert result.exit_code == 0
    blocks = result.stdout.split("\n\n")
    assert [block.split()[0] for block in blocks] == sorted(FORMATS)
    assert "`" not in result.stdout
    assert blocks[1].splitlines()[1] == (
        "  detected by: '.docx', or a zip file holding 'word/document.xml'"
    )


# --- through the command line -----------------------------------------------------


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def one_line_error(result, exit_code: int = 1) -> str:
    assert result.exit_code == exit_code, result.output
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("Error: ")
    if exit_code == 1:
        assert len(lines) == 1, result.stderr
    return lines[-1]


@pytest.mark.slow
def test_readers_formats_cli_bad_docx_is_one_line(tmp_path):
    path = tmp_path / "meeting.docx"
    path.write_text("not a document", encoding="utf-8")
    line = one_line_error(run("analyze", str(path), "--classifier", "rules"))
    assert line == (
        f"Error: {path}: is not a Word document (not a zip file); download the transcript "
        "from Teams as .docx, or save the text and pass --input-format for its format"
    )


@pytest.mark.slow
def test_readers_formats_cli_bad_json_is_one_line(tmp_path):
    path = tmp_path / "m.json"
    path.write_text('{"sentences": [{"speaker_name": "Ana"}]}', encoding="utf-8")
    line = one_line_error(run("analyze", str(path), "--classifier", "rules"))
    assert line.startswith(f"Error: {path}: sentences[0]: no text; expected")


@pytest.mark.slow
def test_readers_formats_cli_columns():
    path = str(DATA / "turns_semicolon.csv")
    columns = "speaker=Who,text=Said,start=From,end=To"
    result = run("analyze", path, "--columns", columns, "--classifier", "rules", "--format", "json")
    assert result.exit_code == 0, result.output
    card = json.loads(result.stdout)
    assert card["meeting"]["format"] == "csv"
    assert [s["name"] for s in card["speakers"]] == ["Ana Lopez", "Ben Kim"]
    line = one_line_error(
        run("analyze", path, "--columns", "speaker=Person", "--classifier", "rules")
    )
    assert "row 1: no column 'Person'" in line and "check --columns speaker=..." in line


def test_readers_formats_cli_bad_columns_is_a_usage_error():
    result = run("analyze", str(DATA / "turns.tsv"), "--columns", "who=Person")
    line = one_line_error(result, exit_code=2)
    assert (
        line
        == "Error: Invalid value for '--columns': unknown part 'who'; use speaker, text, start, end"
    )
    result = run("batch", str(DATA), "--columns", "speaker")
    assert "expected PART=COLUMN, not 'speaker'" in one_line_error(result, exit_code=2)
