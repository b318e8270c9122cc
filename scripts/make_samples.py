"""Write the Word-document transcripts: samples/teams_transcript.docx and the docx
fixtures in tests/data/readers/.

Text samples are written by hand; a .docx is a zip of XML, so it is built here
with python-docx. The output is byte-identical on every run: the document's
dates are fixed and so is every zip entry's time stamp.

    .venv/bin/python scripts/make_samples.py
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import docx

REPO = Path(__file__).resolve().parents[1]
FIXED = datetime(2024, 3, 12, 9, 0, tzinfo=UTC)
ZIP_TIME = (2024, 3, 12, 9, 0, 0)

# Teams "Download as .docx": title, date and length, then "Name   m:ss" and the text.
TEAMS_SAMPLE = [
    "Scanner rollout check-in",
    "March 12, 2024, 9:00AM",
    "5m 12s",
    "Maya Lindqvist started transcription",
    ("Maya Lindqvist", "0:04"),
    "Morning, all. Colin, Joe, thanks for dialling in from the depot. Priyanka is here "
    "for the project side. I'd like to keep this to half an hour.",
    ("Colin Ashby", "0:19"),
    "Morning. Joe's on the floor phone, so there's a bit of forklift noise behind him.",
    ("Joe Turner", "0:27"),
    "Sorry, yes. Loading bay three. I can hear you fine.",
    ("Maya Lindqvist", "0:36"),
    "Before the status, can we spend a minute on what this rollout is for? I've heard "
    "'faster picking' and I've heard 'fewer mis-picks', and they lead to different "
    "decisions. Colin, what does success look like for the depot?",
    ("Colin Ashby", "0:58"),
    "For me it's fewer wrong pallets going out. Every mis-pick is a store that's short on "
    "Monday and a van going back out on Tuesday. Speed is nice, but the returns are what "
    "cost us.",
    ("Joe Turner", "1:24"),
    "On nights it's the paperwork. If the scanner means my lads stop writing counts on "
    "a clipboard and typing them in at six in the morning, that's the win.",
    ("Maya Lindqvist", "1:47"),
    "So accuracy first, and the night shift's double keying. That's useful. Priyanka, "
    "where are we?",
    ("Priyanka Desai", "1:58"),
    "I'll be honest, it's not good news. The scanners drop off the Wi-Fi in aisles "
    "fourteen to twenty. The site survey missed the high racking at the back.",
    "That one is on me. I signed off the survey without asking for the back aisles to be "
    "walked with the racking full. We're about three weeks behind for the night shift.",
    ("Colin Ashby", "2:41"),
    "Three weeks is a lot. We've got the Easter peak coming.",
    ("Priyanka Desai", "2:49"),
    "I know. I'll get the network team back on site this week, and I'll send you a "
    "revised plan by Friday with the aisles that can go live now.",
    ("Joe Turner", "3:12"),
    "Can I push back on the workaround in the email, though? Going back to paper for "
    "those aisles only works on days. On nights I've got two people covering the whole "
    "back end, they won't carry both.",
    ("Maya Lindqvist", "3:35"),
    "That's a fair challenge. What would work on nights?",
    ("Joe Turner", "3:41"),
    "Leave the back aisles on the old handhelds until the Wi-Fi's fixed. They're slow, "
    "but they work, and nobody has to learn two ways of doing it.",
    ("Priyanka Desai", "4:02"),
    "We can do that. It means keeping the old licences a month longer.",
    ("Maya Lindqvist", "4:10"),
    "I'll take the licence extension to the budget meeting on Thursday. If the money is "
    "a problem, that's for me to argue, not for the night shift to absorb.",
    ("Colin Ashby", "4:29"),
    "Good. And the training dates for days stay as they are?",
    ("Priyanka Desai", "4:34"),
    "Yes, days go live on the twenty-fifth for aisles one to thirteen.",
    ("Maya Lindqvist", "4:42"),
    "Then let's recap. Priyanka sends the revised plan on Friday, I sort out the licences, "
    "Joe's nights stay on the old kit for the back aisles. Anything I've missed?",
    ("Joe Turner", "5:01"),
    "No, that covers it. Thanks for listening on the nights thing.",
    ("Colin Ashby", "5:07"),
    "Same time next week.",
    "Maya Lindqvist stopped transcription",
]

# The fixtures: both Teams heading orders and the older Stream cue layout.
TEAMS_FIXTURE = [
    "Budget sync",
    "January 9, 2024, 2:00PM",
    "Ana Lopez started transcription",
    ("Ana Lopez", "0:03"),
    "Morning, everyone.",
    "Shall we start with the budget?",
    ("Ben Kim", "0:15"),
    "Yes, let's.",
    ("Ana Lopez", "1:02:03"),
    "Thanks, that's all.",
]
TEAMS_TIME_FIRST_FIXTURE = [
    "Budget sync",
    ("0:03", "Ana Lopez"),
    "Morning, everyone.",
    ("0:15", "Ben Kim"),
    "Yes, let's.",
]
STREAM_FIXTURE = [
    "0:0:0.0 --> 0:0:5.100",
    "Ana Lopez",
    "Morning, everyone.",
    "",
    "0:0:5.100 --> 0:0:8.250",
    "Ana Lopez",
    "Shall we start with the budget?",
    "",
    "0:0:9.0 --> 0:0:11.520",
    "<v Ben Kim>Yes, let's.</v>",
    "",
    "0:1:2.5 --> 0:1:4.0",
    "Chidi Okafor",
    "One more item",
    "from me.",
]


def build(lines: list[str | tuple[str, str]], title: str) -> bytes:
    """A Word document with one paragraph per line; a pair is a Teams heading."""
    document = docx.Document()
    properties = document.core_properties
    properties.title = title
    properties.author = "transcript-lens samples"
    properties.last_modified_by = "transcript-lens samples"
    properties.created = properties.modified = FIXED
    properties.revision = 1
    for line in lines:
        if isinstance(line, tuple):
            # Teams sets the name in bold and the time apart; three spaces in the text.
            paragraph = document.add_paragraph()
            paragraph.add_run(line[0]).bold = not line[0][0].isdigit()
            paragraph.add_run("   ")
            paragraph.add_run(line[1]).bold = line[0][0].isdigit()
        else:
            document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return _fixed_zip(buffer.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """The same zip with every entry stamped ZIP_TIME, so the bytes do not change."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def main() -> None:
    readers = REPO / "tests" / "data" / "readers"
    outputs = {
        REPO / "samples" / "teams_transcript.docx": build(TEAMS_SAMPLE, "Scanner rollout"),
        readers / "teams.docx": build(TEAMS_FIXTURE, "Budget sync"),
        readers / "teams_time_first.docx": build(TEAMS_TIME_FIRST_FIXTURE, "Budget sync"),
        readers / "stream.docx": build(STREAM_FIXTURE, "Budget sync"),
    }
    for path, data in outputs.items():
        path.write_bytes(data)
        print(f"wrote {path.relative_to(REPO)}")


if __name__ == "__main__":
    main()
