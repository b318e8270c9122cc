"""Attacks on the readers: random and mutated input, pathological sizes and shapes.

Every reader in the ``FORMATS`` registry is attacked, so a reader added later is
covered without a change here. The promise under test: any input either reads
into a valid ``Transcript`` or raises a ``TranscriptLensError`` with a one-line
message, in time proportional to its size.

``HYPOTHESIS_PROFILE=fuzz`` runs many more examples than CI does.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import re
import signal
import time
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from transcript_lens.errors import ConfigError, InputError, TranscriptLensError
from transcript_lens.model import Transcript
from transcript_lens.readers import (
    FORMATS,
    _limits,
    detect_format,
    read_bytes,
    read_file_bytes,
    read_text,
    read_transcript,
)

REPO = Path(__file__).resolve().parents[1]
SEED_DIRS = (REPO / "samples", REPO / "tests" / "data" / "readers")

FUZZ = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"
EXAMPLES = 3000 if FUZZ else 120
# Wall-clock bounds are loose so a slow CI machine does not flake; the
# quadratic and cubic cases they guard against take minutes, not seconds.
DEADLINE_MS = 2000
attack = settings(
    max_examples=EXAMPLES,
    deadline=DEADLINE_MS,
    # Seeds are whole files and the strategies build on them, which is slower to
    # generate than hypothesis expects of small values; the work is intended.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


class Hang(Exception):
    """A single read ran past its wall-clock budget."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt a hang instead of waiting for it; the regex engine checks signals."""

    def interrupt(signum: int, frame: object) -> None:
        raise Hang(f"took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def assert_valid(transcript: Transcript) -> None:
    """What every reader promises of a transcript it returns."""
    assert transcript.utterances
    assert transcript.format in FORMATS
    seen: set[str] = set()
    for utterance in transcript.utterances:
        assert utterance.id not in seen
        assert utterance.text.strip() and utterance.speaker.strip()
        assert utterance.reply_to is None or utterance.reply_to in seen
        for value in (utterance.start, utterance.end):
            assert value is None or (math.isfinite(value) and value >= 0)
        seen.add(utterance.id)
    assert Transcript.model_validate_json(transcript.model_dump_json()) == transcript


def outcome(read: Callable[[], Transcript], seconds: float = 10.0) -> str:
    """Read, check the result or the error, and say which it was."""
    try:
        with time_limit(seconds):
            transcript = read()
    except TranscriptLensError as error:
        message = str(error)
        assert message and "\n" not in message, message
        return "refused"
    assert_valid(transcript)
    return "read"


# --- seeds and mutations ----------------------------------------------------------


def seed_files() -> list[Path]:
    """Every sample and test file a reader claims by its extension."""
    extensions = {ext for reader in FORMATS.values() for ext in reader.extensions}
    return sorted(
        path
        for folder in SEED_DIRS
        if folder.is_dir()
        for path in folder.iterdir()
        if path.is_file() and path.suffix.lower() in extensions
    )


SEEDS = {path.name: path.read_bytes() for path in seed_files()}

SPECIAL = [
    "\x00",
    "\x1b",
    "\x07",
    "\x7f",
    "\x85",
    "\u202e",  # right-to-left override
    "\u200f",
    "\u2028",
    "\ufeff",
    "\u0301\u0301\u0301",  # combining marks with nothing to combine with
    "\U0001f600",
    "\U0001f469\u200d\U0001f4bb",
    "\t",
    "\r",
    "\r\n",
    "\x0b",
    "\x0c",
    "<script>alert(1)</script>",
    "<v",
    "-->",
    ":",
    "[",
    "(",
    "{",
    '"',
    ",",
    "99999999999999999999999999999999999",
    "9" * 5000,
    "-1",
    "NaN",
    "Infinity",
    "-Infinity",
    "1e999",
]
_NUMBER = re.compile(rb"\d+")
_JSON_NUMBER = re.compile(rb'("(?:start|end|start_time|end_time)"\s*:\s*)(-?[\d.eE+]+|null)')
_TIMING = re.compile(rb"([\d:.,]+)(\s*-->\s*)([\d:.,]+)")


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


@st.composite
def mutation(draw: st.DrawFn, data: bytes) -> bytes:
    """One edit of the kind a damaged file or a hostile one holds."""
    kind = draw(
        st.sampled_from(
            [
                "delete_line",
                "duplicate_line",
                "swap_lines",
                "insert_junk",
                "truncate",
                "flip_byte",
                "insert_special",
                "huge_number",
                "negative_time",
                "reverse_timing",
                "json_number",
                "repeat_line",
            ]
        )
    )
    lines = _lines(data)
    at = draw(st.integers(0, max(len(lines) - 1, 0)))
    if kind == "delete_line" and lines:
        del lines[at]
    elif kind == "duplicate_line" and lines:
        lines.insert(at, lines[at])
    elif kind == "swap_lines" and len(lines) > 1:
        other = draw(st.integers(0, len(lines) - 1))
        lines[at], lines[other] = lines[other], lines[at]
    elif kind == "insert_junk":
        junk = draw(
            st.text(max_size=40) | st.binary(max_size=40).map(lambda b: b.decode("latin-1"))
        )
        lines.insert(at, junk.encode("utf-8"))
    elif kind == "repeat_line" and lines and len(data) < 20_000:
        # Bounded: five of these in a row must not make a file of megabytes.
        lines.insert(at, lines[at] * draw(st.integers(2, 50)))
    else:
        position = draw(st.integers(0, len(data)))
        if kind == "truncate":
            return data[:position]
        if kind == "flip_byte" and data:
            index = min(position, len(data) - 1)
            return (
                data[:index] + bytes([data[index] ^ draw(st.integers(1, 255))]) + data[index + 1 :]
            )
        if kind == "insert_special":
            special = draw(st.sampled_from(SPECIAL)).encode("utf-8")
            return data[:position] + special + data[position:]
        numbers = list(_NUMBER.finditer(data))
        if kind == "huge_number" and numbers:
            match = draw(st.sampled_from(numbers))
            huge = draw(st.sampled_from([b"9" * 20, b"9" * 400, b"9" * 5000, b"0" * 50]))
            return data[: match.start()] + huge + data[match.end() :]
        if kind == "negative_time" and numbers:
            match = draw(st.sampled_from(numbers))
            return data[: match.start()] + b"-" + data[match.start() :]
        timings = list(_TIMING.finditer(data))
        if kind == "reverse_timing" and timings:
            match = draw(st.sampled_from(timings))
            swapped = match[3] + match[2] + match[1]
            return data[: match.start()] + swapped + data[match.end() :]
        values = list(_JSON_NUMBER.finditer(data))
        if kind == "json_number" and values:
            match = draw(st.sampled_from(values))
            value = draw(
                st.sampled_from(
                    [b"NaN", b"Infinity", b"-Infinity", b"-1", b"1e400", b"1" * 400, b"1" * 5000]
                    + [b'"-0:01"', b'"1e999"', b'"nan"', b"true", b"[]", b"{}"]
                )
            )
            return data[: match.start(2)] + value + data[match.end(2) :]
        return data
    return b"\n".join(lines)


@st.composite
def mutated_seed(draw: st.DrawFn) -> tuple[str, bytes]:
    """A sample or test file with one to five mutations, and its name."""
    name = draw(st.sampled_from(sorted(SEEDS)))
    data = SEEDS[name]
    for _ in range(draw(st.integers(1, 5))):
        data = draw(mutation(data))
    return name, data


def docx_with(document_xml: bytes) -> bytes:
    """A Word document whose body is ``document_xml``, the other parts from a sample."""
    base = next((data for name, data in SEEDS.items() if name.endswith(".docx")), None)
    if base is None:
        return document_xml
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            body = source.read(info)
            target.writestr(info, document_xml if info.filename == "word/document.xml" else body)
    return out.getvalue()


@st.composite
def mutated_docx(draw: st.DrawFn) -> bytes:
    """A sample Word document whose XML body (not the zip) has been mutated."""
    names = [name for name in SEEDS if name.endswith(".docx")]
    if not names:
        return b""
    with zipfile.ZipFile(io.BytesIO(SEEDS[draw(st.sampled_from(names))])) as archive:
        xml = archive.read("word/document.xml")
    for _ in range(draw(st.integers(1, 3))):
        xml = draw(mutation(xml))
    return docx_with(xml)


names = st.sampled_from(sorted(FORMATS))
suffixes = st.sampled_from(
    sorted({ext for reader in FORMATS.values() for ext in reader.extensions} | {"", ".md"})
)


# --- random and mutated input -----------------------------------------------------


@attack
@given(text=st.text(max_size=300), name=names)
def test_attack_readers_random_text_each_format(text, name):
    outcome(lambda: read_text(text, source="m.x", input_format=name))


@attack
@given(text=st.text(max_size=300), suffix=suffixes)
def test_attack_readers_random_text_detected(text, suffix):
    outcome(lambda: read_text(text, source=f"m{suffix}"))


@attack
@given(data=st.binary(max_size=300), suffix=suffixes, name=st.none() | names)
def test_attack_readers_random_bytes(data, suffix, name):
    outcome(lambda: read_bytes(data, source=f"m{suffix}", input_format=name))


@attack
@given(seed=mutated_seed(), name=st.none() | names)
def test_attack_readers_mutated_samples(seed, name):
    """Damaged copies of every sample, read by their own name and by a random reader."""
    source, data = seed
    outcome(lambda: read_bytes(data, source=source, input_format=name))


@attack
@given(data=mutated_docx())
def test_attack_readers_mutated_word_xml(data):
    outcome(lambda: read_bytes(data, source="m.docx"))


@attack
@given(text=st.text(max_size=300), suffix=suffixes)
def test_attack_readers_detect_format_names_a_reader(text, suffix):
    with time_limit(10):
        assert detect_format(f"m{suffix}", text) in FORMATS


# --- time bounded per input byte --------------------------------------------------

# Characters the readers' patterns turn on; a repeated unit of them is where
# backtracking and quadratic loops show.
_PIECES = list(' \t\n:;,.-><[](){}"/\\0123456789aAvV') + [
    "<v",
    "-->",
    "WEBVTT",
    "00:00",
    "<c",
    "</v",
    "[[",
    "{[",
    "otter.ai",
    "transcribed by ",
    "<b ",
    "0:0:",
]
_PREFIXES = [
    "",
    "Ana: ",
    "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n",
    "1\n00:00:01,000 --> 00:00:02,000\n",
    '{"speaker": "Ana", "text": "',
    "Ana Lopez  0:01\n",
    "Speaker 1 (00:05):\n",
    "speaker,text\nAna,",
    '{"sentences": [{"speaker_name": "Ana", "text": "',
]
LONG = 60_000


@settings(
    max_examples=EXAMPLES // 2 if FUZZ else 60,
    deadline=None,  # time_limit below is the bound, at a size where it means something
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    unit=st.lists(st.sampled_from(_PIECES), min_size=1, max_size=6).map("".join),
    prefix=st.sampled_from(_PREFIXES),
    name=names,
)
@example(unit=" ", prefix="A", name="txt")  # cubic in the speaker-label pattern
@example(unit="<v ", prefix=_PREFIXES[2], name="vtt")
@example(unit="<c ", prefix=_PREFIXES[2], name="vtt")
@example(unit="otter.ai", prefix="transcribed by ", name="otter")
@example(unit=" ", prefix="Ana", name="otter")
@example(unit=" ", prefix="Ana", name="rev")
@example(unit=" ", prefix="0:01 A", name="docx")
@example(unit="\n", prefix="Ana: hi\n", name="srt")
@example(unit="[", prefix="", name="json")
@example(unit='" \t', prefix="", name="csv")  # quadratic in csv.Sniffer
def test_attack_readers_long_repeated_input_is_linear(unit, prefix, name):
    """60,000 characters of one repeated pattern read in well under a second a reader.

    Linear work on this much text takes milliseconds; a quadratic regex or loop
    takes tens of seconds, a cubic one hours.
    """
    text = prefix + unit * (LONG // len(unit))
    start = time.perf_counter()
    outcome(lambda: read_text(text, source="m.x", input_format=name), seconds=5)
    outcome(lambda: read_text(text, source="m.txt"), seconds=5)
    assert time.perf_counter() - start < 5


def test_attack_readers_time_grows_linearly():
    """Ten times the input takes about ten times as long, not a hundred, for each sample."""

    def cost(text: str, source: str) -> float:
        best = math.inf
        for _ in range(3):
            start = time.perf_counter()
            outcome(lambda: read_text(text, source=source), seconds=30)
            best = min(best, time.perf_counter() - start)
        return best

    for name, data in SEEDS.items():
        if name.endswith(".docx"):
            continue
        text = data.decode("utf-8", "replace")
        if name.endswith(".json"):
            continue  # one document: repeating it is not a longer transcript
        small, large = cost(text * 10, name), cost(text * 100, name)
        # 10x the input; allow 25x for noise and caches before calling it quadratic.
        assert large < 25 * small + 0.05, (name, small, large)


# --- regressions found by the attacks ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "source"),
    [
        # Hours beyond what int() and float() take.
        ("WEBVTT\n\n" + "9" * 5000 + ":00:00.000 --> 00:00:01.000\nAna: hi\n", "m.vtt"),
        ("WEBVTT\n\n" + "9" * 400 + ":00:00.000 --> 00:00:01.000\nAna: hi\n", "m.vtt"),
        ("1\n" + "9" * 400 + ":00:00,000 --> 00:00:01,000\nAna: hi\n", "m.srt"),
        ("[" + "9" * 400 + ":00:00] Ana: hi\n", "m.txt"),
        ("Ana  " + "9" * 400 + ":00:00\nhi\n", "m.txt"),
        # JSON numbers that json parses but float() does not, or json refuses.
        ('{"speaker": "Ana", "text": "hi", "start": 1' + "0" * 400 + "}\n", "m.jsonl"),
        ('{"speaker": "Ana", "text": "hi", "start": 1' + "0" * 5000 + "}\n", "m.jsonl"),
        ('[{"speaker": "Ana", "text": "hi", "start": 1' + "0" * 400 + "}]", "m.json"),
        ('[{"speaker": "Ana", "text": "hi", "start": 1' + "0" * 5000 + "}]", "m.json"),
        ('[{"speaker": "Ana", "text": "hi", "start": "' + "9" * 400 + ':00:00"}]', "m.json"),
        # Nesting deeper than the JSON parser's recursion.
        ("[" * 100_000, "m.json"),
        ("[" * 100_000 + "]" * 100_000, "m.json"),
        ('{"speaker": "Ana", "text": ' + "[" * 100_000 + "}\n", "m.jsonl"),
        ("[" * 100_000, "m.txt"),
        # A CSV cell longer than the csv module's field limit.
        ("speaker,text\nAna," + "a" * 200_000 + "\n", "m.csv"),
        ('speaker,text\nAna,"' + "a" * 200_000 + "\n", "m.csv"),
    ],
)
def test_attack_readers_regressions(text, source):
    outcome(lambda: read_text(text, source=source))
    outcome(lambda: read_bytes(text.encode(), source=source))


def test_attack_readers_stream_docx_huge_hours():
    body = "".join(
        f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>"
        for line in ["9" * 400 + ":0:1.0 --> 0:0:2.0", "Ana", "hi"]
    )
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{body}</w:body></w:document>"
    ).encode()
    outcome(lambda: read_bytes(docx_with(xml), source="m.docx"))
    text = "9" * 400 + ":0:1.0 --> 0:0:2.0\nAna\nhi\n"
    outcome(lambda: read_text(text, source="m.x", input_format="docx"))


# --- size and shape limits --------------------------------------------------------


def test_attack_readers_file_over_size_limit_refused_before_reading(tmp_path):
    path = tmp_path / "big.txt"
    with path.open("wb") as handle:
        handle.truncate(4 * 2**30)  # sparse: takes no disk, but reading it would show
    tracemalloc.start()
    try:
        with pytest.raises(InputError) as error:
            read_file_bytes(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(error.value) == (
        f"{path}: is 4096 MB, larger than 50 MB, the size limit; pass --max-size MB "
        "(or set TRANSCRIPT_LENS_MAX_SIZE_MB) to raise it, or split the transcript into "
        "smaller files"
    )
    assert peak < 2**20


def test_attack_readers_size_limit_from_environment(tmp_path, monkeypatch):
    path = tmp_path / "m.txt"
    path.write_text(("Ana: " + "a" * 1000 + "\n") * 1050)  # just over 1 MB
    monkeypatch.setenv("TRANSCRIPT_LENS_MAX_SIZE_MB", "1")
    with pytest.raises(InputError, match=r"is 1,056,300 bytes, larger than 1 MB, the size limit"):
        read_transcript(path)
    monkeypatch.setenv("TRANSCRIPT_LENS_MAX_SIZE_MB", "2")
    assert read_transcript(path).utterances[0].speaker == "Ana"
    assert read_transcript(path, max_bytes=2 * 2**20).utterances
    with pytest.raises(InputError, match="larger than 0.5 MB, the size limit"):
        read_transcript(path, max_bytes=2**19)


@pytest.mark.parametrize("value", ["", "abc", "0", "-3", "nan", "inf"])
def test_attack_readers_size_limit_bad_environment(monkeypatch, value):
    monkeypatch.setenv("TRANSCRIPT_LENS_MAX_SIZE_MB", value)
    with pytest.raises(ConfigError) as error:
        _limits.max_bytes()
    assert "TRANSCRIPT_LENS_MAX_SIZE_MB" in str(error.value)


def test_attack_readers_size_limit_applies_to_bytes_and_text():
    data = b"Ana: " + b"a" * 2000 + b"\n"
    with pytest.raises(InputError, match="the size limit"):
        read_bytes(data, source="-", max_bytes=1000)
    with pytest.raises(InputError, match="the size limit"):
        read_text(data.decode(), source="-", max_bytes=1000)
    assert read_bytes(data, source="-", max_bytes=3000).utterances


def test_attack_readers_stream_over_size_limit(monkeypatch):
    stream = io.BytesIO(b"Ana: hi\n" * 1000)
    with pytest.raises(InputError) as error:
        _limits.read_limited(stream, "-", 100)
    assert str(error.value) == (
        "-: is larger than 100 bytes, the size limit; pass --max-size MB "
        "(or set TRANSCRIPT_LENS_MAX_SIZE_MB) to raise it, or split the transcript into "
        "smaller files"
    )
    assert _limits.read_limited(io.BytesIO(b"Ana: hi\n"), "-", 100) == b"Ana: hi\n"


@pytest.mark.parametrize(
    ("text", "source", "needle"),
    [
        ("Ana: hi\n" * 2001, "m.txt", "more than the 2,000 speaker turns allowed"),
        ("WEBVTT\n\n" + "00:00:01.000 --> 00:00:02.000\n\n" * 12_000, "m.vtt", "lines"),
        # Many voices in one line: few lines, many turns.
        (
            "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n" + "<v A>x<v B>y" * 1500 + "\n",
            "m.vtt",
            "speaker turns",
        ),
        ('{"speaker": "A", "text": "x"}\n' * 2001, "m.jsonl", "speaker turns"),
        (
            "["
            + ",".join(['{"speaker": "A", "text": "x"}', '{"speaker": "B", "text": "y"}'] * 1001)
            + "]",
            "m.json",
            "turns",
        ),
    ],
)
def test_attack_readers_turn_limit(monkeypatch, text, source, needle):
    monkeypatch.setenv("TRANSCRIPT_LENS_MAX_TURNS", "2000")
    with pytest.raises(InputError) as error:
        read_text(text, source=source)
    message = str(error.value)
    assert needle in message and "\n" not in message
    assert "TRANSCRIPT_LENS_MAX_TURNS" in message


def test_attack_readers_turn_limit_counts_after_merging_cues(monkeypatch):
    """A caption file splits a turn into many cues; the limit is on turns, not cues."""
    monkeypatch.setenv("TRANSCRIPT_LENS_MAX_TURNS", "40")
    cues = "".join(f"00:00:{i:02d}.000 --> 00:00:{i:02d}.500\nAna: part {i}\n\n" for i in range(60))
    assert len(read_text("WEBVTT\n\n" + cues, source="m.vtt").utterances) == 1


def test_attack_readers_limits_default():
    assert _limits.max_bytes() == 50 * 2**20
    assert _limits.max_turns() == 200_000


def test_attack_readers_turn_too_long_refused():
    """A turn spaCy would refuse (or parse with gigabytes) is refused with its line."""
    text = "Ben: hi\nAna: " + "lorem ipsum " * 10_000 + "\n"
    with pytest.raises(InputError) as error:
        read_text(text, source="m.txt")
    assert str(error.value) == (
        "m.txt:2: has a speaker turn of 119,999 characters, more than the 100,000 allowed; "
        "break the turn up or check the file's line breaks; "
        "TRANSCRIPT_LENS_MAX_TURN_CHARS raises the limit"
    )


def test_attack_readers_merging_stops_at_turn_length(monkeypatch):
    """Captions without speakers merge into turns no longer than the limit."""
    monkeypatch.setenv("TRANSCRIPT_LENS_MAX_TURN_CHARS", "1000")
    cues = "".join(
        f"00:00:{i // 10:02d}.{i % 10}00 --> 00:00:{i // 10:02d}.{i % 10}50\n{'word ' * 40}\n\n"
        for i in range(300)
    )
    transcript = read_text("WEBVTT\n\n" + cues, source="m.vtt")
    assert {u.speaker for u in transcript.utterances} == {"Unknown Speaker"}
    assert all(len(u.text) <= 1000 for u in transcript.utterances)
    assert sum(len(u.text.split()) for u in transcript.utterances) == 300 * 40


def test_attack_readers_docx_unknown_zip_version():
    """Found by benchmarks/fuzz_readers.py: zipfile raised NotImplementedError."""
    data = bytearray(next((d for n, d in SEEDS.items() if n.endswith(".docx")), b""))
    if not data:
        pytest.skip("no .docx sample")
    # "Version needed to extract" of the first central directory entry: 7.2.
    central = data.index(b"PK\x01\x02")
    data[central + 6 : central + 8] = (72).to_bytes(2, "little")
    assert outcome(lambda: read_bytes(bytes(data), source="m.docx")) == "refused"
    assert outcome(lambda: read_bytes(bytes(data), source="m.bin")) in ("refused", "read")


def test_attack_readers_docx_body_of_wrong_shape():
    """Found by the fuzz profile: python-docx raised AttributeError reading paragraphs."""
    xml = b'<?xml version="1.0" encoding="UTF-8"?><w:x xmlns:w="urn:x"/>'
    with pytest.raises(InputError, match=r"cannot read the Word document \(AttributeError\)"):
        read_bytes(docx_with(xml), source="m.docx")
