"""The HTML report in a real browser: inert with hostile transcripts, charts drawn, prints.

Drives the system Chromium (Debian's ``chromium`` package) through Playwright and
never downloads a browser. Without a browser these tests skip, unless
TRANSCRIPT_LENS_REQUIRE_BROWSER=1 (``.ci/run`` sets it), when they fail instead, so
CI cannot skip them silently. Screenshots, PDFs and the reports themselves go to
$TRANSCRIPT_LENS_ARTIFACTS, else ``test-artifacts/`` in the checkout.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import pytest
from click.testing import CliRunner

from tests.conftest import REPO, SAMPLES
from transcript_lens.cli import cli

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

# Playwright adds --headless and a fresh temporary --user-data-dir itself.
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox will not start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CHARTS = ("scores", "timeline", "talk-share")
TIMEOUT_MS = 30_000

PWNED = "window.__pwned=1"
SCRIPT = f"<script>{PWNED}</script>"
IMG = f"<img src=x onerror={PWNED}>"
LINK = f'<a href="javascript:{PWNED}">click</a>'
BREAKOUT = f'"><svg onload={PWNED}>'
ATTRIBUTE = f"' onmouseover='{PWNED}"
STYLE = "<style>body{display:none}</style>"
FRAME = f'<iframe src="javascript:{PWNED}"></iframe>'
REFRESH = f'<meta http-equiv="refresh" content="0;url=javascript:{PWNED}">'
REMOTE = '<img src="http://127.0.0.1:9/beacon.png"><link rel=stylesheet href="//127.0.0.1:9/x.css">'
BASE = '<base href="http://127.0.0.1:9/">'
MARKDOWN = f"[click](javascript:{PWNED})"

TITLE = "hostile" + BREAKOUT  # the file's name is the meeting's title

# Each labelled turn carries a payload, so whatever the report quotes is hostile.
HOSTILE = "Mallory " + IMG
HOSTILE_TURNS = [
    (
        "Dana Whitfield",
        f"Thanks for coming. Our purpose today is to agree what the vendor "
        f"is accountable for, and why it matters to the patients we serve. {BASE}",
    ),
    (HOSTILE, f"I disagree with the plan. {SCRIPT} I think we should push back on the timeline."),
    ("Dana Whitfield", f"Let's not go there. We don't have time for that, moving on. {LINK}"),
    (
        HOSTILE,
        f"Fine. Whatever, it doesn't matter what I think, it never changes anything. {BREAKOUT}",
    ),
    (
        "Priya Nair",
        f"I'll own the follow-up and send the numbers by Friday. To be honest, I "
        f"made a mistake in the last forecast. {FRAME} {SCRIPT}",
    ),
    (
        "Dana Whitfield",
        f"That's their fault, the vendor always drops the ball. {STYLE} {ATTRIBUTE} {SCRIPT}",
    ),
    (HOSTILE, f"Why are we doing this at all? What is this project for? {REFRESH} {MARKDOWN}"),
    ("Priya Nair", f"Honestly, I'm worried we are not being straight with each other. {REMOTE}"),
]


@dataclass
class Visit:
    """What one report did in the browser."""

    text: str = ""
    flags: str = ""
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("TRANSCRIPT_LENS_REQUIRE_BROWSER", "") not in ("", "0"):
        pytest.fail(f"{reason} (TRANSCRIPT_LENS_REQUIRE_BROWSER is set)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        _unavailable("playwright is not installed; run: pip install -e '.[dev]'")
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        _unavailable("no Chromium on PATH; run: apt-get install chromium")
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(
                executable_path=executable, headless=True, args=CHROMIUM_ARGS, timeout=60_000
            )
        except Error as error:
            _unavailable(f"{executable} did not start: {str(error).splitlines()[0]}")
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def artifacts(request: pytest.FixtureRequest) -> Iterator[Path]:
    folder = Path(os.environ.get("TRANSCRIPT_LENS_ARTIFACTS") or REPO / "test-artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    started = time.time()
    yield folder
    if any(path.stat().st_mtime >= started for path in folder.iterdir()):
        # Shown even when the run passes, so CI logs say where to look.
        capture = request.config.pluginmanager.getplugin("capturemanager")
        reporter = request.config.pluginmanager.getplugin("terminalreporter")
        if capture is not None and reporter is not None:
            with capture.global_and_fixture_disabled():
                reporter.write("\n")
                reporter.write_line(f"browser screenshots: {folder}")
        else:
            print(f"browser screenshots: {folder}")


def _render(source: Path, out: Path) -> Path:
    report = out / "report.html"
    args = ["analyze", str(source), "--format", "html", "-o", str(report), "--classifier", "rules"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert report.is_file()
    return report


def _open(page: Page, report: Path) -> Visit:
    visit = Visit()
    page.on("console", lambda m: m.type == "error" and visit.errors.append(m.text))
    page.on("pageerror", lambda error: visit.errors.append(f"page error: {error}"))
    page.on("request", lambda r: visit.requests.append(r.url))
    page.goto(report.as_uri(), wait_until="load")
    visit.text = page.inner_text("body")
    return visit


def _foreign_requests(visit: Visit, report: Path) -> list[str]:
    return [url for url in visit.requests if url != report.as_uri() and not url.startswith("data:")]


_DOM_PROBLEMS = """() => {
  const problems = [];
  const forbidden =
    'script, iframe, frame, object, embed, base, form, meta[http-equiv="refresh" i]';
  for (const el of document.querySelectorAll(forbidden)) problems.push(`<${el.localName}>`);
  const urls = ['href', 'xlink:href', 'src', 'action', 'formaction', 'data', 'poster'];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      const value = attr.value.replace(/[\\u0000-\\u0020]/g, '').toLowerCase();
      if (name.startsWith('on')) problems.push(`<${el.localName} ${attr.name}>`);
      if (urls.includes(name) && /^(javascript|vbscript):/.test(value)) {
        problems.push(`<${el.localName} ${attr.name}="${attr.value}">`);
      }
    }
  }
  return problems;
}"""


def _check_report(browser: Browser, report: Path, artifacts: Path, name: str) -> Visit:
    """Open ``report`` and check what every report must do; return what the page showed."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        visit = _open(page, report)
        shutil.copyfile(report, artifacts / f"{name}.html")
        page.screenshot(path=artifacts / f"{name}.png", full_page=True)

        assert page.evaluate("() => typeof window.__pwned") == "undefined"
        assert page.evaluate(_DOM_PROBLEMS) == []
        assert page.evaluate("() => document.scripts.length") == 0
        csp = page.get_attribute('meta[http-equiv="Content-Security-Policy" i]', "content")
        assert csp is not None and "default-src 'none'" in csp, csp
        assert "script-src" not in csp and "unsafe-eval" not in csp, csp

        for chart in CHARTS:
            svg = page.locator(f'svg.chart[data-chart="{chart}"]').first
            box = svg.bounding_box()
            assert box is not None and box["width"] > 0 and box["height"] > 0, (chart, box)
            assert svg.evaluate("el => el.textContent.trim()"), f"{chart} chart has no title"
        quotes = page.locator("blockquote.quote")
        assert quotes.count() >= 1
        ids = quotes.evaluate_all("qs => qs.map(q => q.dataset.utterance)")
        assert all(i and i.startswith("u") and i[1:].isdigit() for i in ids), ids
        assert page.locator("section#flags").count() == 1
        visit.flags = page.inner_text("section#flags")

        page.emulate_media(media="print")
        page.screenshot(path=artifacts / f"{name}-print.png", full_page=True)
        for chart in CHARTS:
            box = page.locator(f'svg.chart[data-chart="{chart}"]').first.bounding_box()
            assert box is not None and box["width"] > 0 and box["height"] > 0, (chart, box)
        pdf = page.pdf(path=artifacts / f"{name}.pdf", print_background=True)
        assert pdf.startswith(b"%PDF-") and len(pdf) > 1000

        assert visit.errors == []
        assert _foreign_requests(visit, report) == []
        return visit
    finally:
        context.close()


#: Ordinary turns after the hostile ones, so the meeting is long enough to be
#: scored (a report not scored has no charts or flags to check).
PLAIN_TURNS = [
    ("Priya Nair", "The vendor's numbers for March came in this morning, I'll share them."),
    ("Dana Whitfield", "Thanks. Can we look at the ticket backlog next, then the renewal?"),
    ("Priya Nair", "Sure. The backlog is down to forty tickets, most of them access requests."),
    ("Dana Whitfield", "Good. And the renewal date is still the end of June, is that right?"),
    ("Priya Nair", "Yes, the thirtieth. Legal wants the draft two weeks before that."),
    ("Dana Whitfield", "Okay. Let's pick that up next week with the full team then."),
]


def _hostile_transcripts(folder: Path) -> list[Path]:
    """The same hostile meeting as plain text and as JSON Lines, under a hostile name."""
    text = folder / f"{TITLE}.txt"
    text.write_text(
        "".join(
            f"[00:{i // 6:02d}:{i * 10 % 60:02d}] {speaker}: {words}\n"
            for i, (speaker, words) in enumerate([*HOSTILE_TURNS, *PLAIN_TURNS])
        ),
        encoding="utf-8",
    )
    # JSON Lines lets the speaker names carry what a 'Name:' label cannot.
    renamed = {HOSTILE: SCRIPT, "Dana Whitfield": "Dana " + BREAKOUT, "Priya Nair": STYLE}
    lines = folder / f"{TITLE}.jsonl"
    lines.write_text(
        "".join(
            json.dumps({"speaker": renamed[speaker], "text": words, "start": i * 10.0}) + "\n"
            for i, (speaker, words) in enumerate([*HOSTILE_TURNS, *PLAIN_TURNS])
        ),
        encoding="utf-8",
    )
    return [text, lines]


@pytest.mark.parametrize("kind", ["txt", "jsonl"])
def test_report_browser_hostile_transcript_is_inert_and_shown_as_text(
    browser: Browser, artifacts: Path, tmp_path: Path, kind: str
):
    source = next(p for p in _hostile_transcripts(tmp_path) if p.suffix == f".{kind}")
    report = _render(source, tmp_path)
    raw = report.read_text("utf-8").lower()
    for tag in ("<script", "<img src=", "<iframe", "<base", "<svg onload", "<style>body{display"):
        assert tag not in raw, f"{tag} is in the report unescaped"

    visit = _check_report(browser, report, artifacts, f"hostile-{kind}")

    assert TITLE in visit.text
    assert SCRIPT in visit.text
    assert (HOSTILE if kind == "txt" else "Dana " + BREAKOUT) in visit.text
    # The silencing, resignation and blame turns are flagged and quoted whole.
    for payload in (LINK, BREAKOUT, STYLE):
        assert payload in visit.flags, payload


def test_report_browser_hostile_transcript_is_inert_without_csp(browser: Browser, tmp_path: Path):
    """Escaping alone must hold: the policy is a second lock, not the only one."""
    report = _render(_hostile_transcripts(tmp_path)[1], tmp_path)
    context = browser.new_context(bypass_csp=True)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        visit = _open(page, report)
        page.mouse.move(10, 10)
        page.mouse.move(600, 400)
        assert page.evaluate("() => typeof window.__pwned") == "undefined"
        assert page.evaluate(_DOM_PROBLEMS) == []
        assert visit.errors == []
        assert _foreign_requests(visit, report) == []
        assert SCRIPT in visit.text
    finally:
        context.close()


def test_report_browser_sample_renders(browser: Browser, artifacts: Path, tmp_path: Path):
    report = _render(SAMPLES / "order_taker.vtt", tmp_path)
    visit = _check_report(browser, report, artifacts, "order_taker")
    assert "Richard Hale" in visit.text and "Priya Nair" in visit.text


@pytest.mark.slow
def test_report_browser_real_meeting_renders(
    browser: Browser, artifacts: Path, tmp_path: Path, realmeetings: Path
):
    source = realmeetings / "ami_ES2002a.jsonl"
    report = _render(source, tmp_path)
    visit = _check_report(browser, report, artifacts, "ami_ES2002a")
    with source.open(encoding="utf-8") as lines:
        speakers = {json.loads(line)["speaker"] for line in lines if line.strip()}
    assert all(speaker in visit.text for speaker in speakers), speakers


def test_report_browser_coaching_review_and_comparison(
    browser: Browser, artifacts: Path, tmp_path: Path
):
    coaching = str(SAMPLES / "coaching_session.txt")
    report = tmp_path / "coaching.html"
    args = ["analyze", coaching, "--coach", "Helen Park", "--classifier", "rules"]
    result = CliRunner().invoke(cli, [*args, "--format", "html", "-o", str(report)])
    assert result.exit_code == 0, result.output
    visit = _check_report(browser, report, artifacts, "coaching_session")
    assert "Coaching review" in visit.text and "What happened to dissent" in visit.text

    comparison = tmp_path / "compare.html"
    files = [coaching, str(SAMPLES / "order_taker.vtt"), str(SAMPLES / "healthy_partnership.vtt")]
    result = CliRunner().invoke(
        cli, ["compare", *files, "--classifier", "rules", "--format", "html", "-o", str(comparison)]
    )
    assert result.exit_code == 0, result.output
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        seen = _open(page, comparison)
        page.screenshot(path=artifacts / "compare.png", full_page=True)
        for chart in ("compare", "flags"):
            box = page.locator(f'svg.chart[data-chart="{chart}"]').bounding_box()
            assert box is not None and box["width"] > 0 and box["height"] > 0, (chart, box)
        assert "order_taker" in seen.text and "Partnership index" in seen.text
        assert seen.errors == [] and _foreign_requests(seen, comparison) == []
    finally:
        context.close()


def test_report_browser_relationship_report_is_inert_and_draws_its_charts(
    browser: Browser, artifacts: Path, tmp_path: Path
):
    """A series of the hostile meeting (as text, then as JSON Lines with hostile
    speaker names and sides): charts drawn, nothing runs, nothing is fetched,
    and every meeting's report is written beside the page and linked from it."""
    meetings = _hostile_transcripts(tmp_path)
    page_path = tmp_path / "relationship.html"
    result = CliRunner().invoke(
        cli,
        [
            "relationship",
            *map(str, meetings),
            "--classifier",
            "rules",
            "--format",
            "html",
            "-o",
            str(page_path),
            "--side",
            f"{SCRIPT}={BREAKOUT}",
            "--side",
            "*=business",
        ],
    )
    assert result.exit_code == 0, result.output
    raw = page_path.read_text("utf-8").lower()
    for tag in ("<script", "<img src=", "<iframe", "<base", "<svg onload"):
        assert tag not in raw, f"{tag} is in the relationship report unescaped"
    for n in (1, 2):
        assert (tmp_path / f"relationship-meeting{n}.html").is_file()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        visit = _open(page, page_path)
        shutil.copyfile(page_path, artifacts / "relationship.html")
        page.screenshot(path=artifacts / "relationship.png", full_page=True)
        assert page.evaluate("() => typeof window.__pwned") == "undefined"
        assert page.evaluate(_DOM_PROBLEMS) == []
        assert page.evaluate("() => document.scripts.length") == 0
        for chart in ("trend", "sides"):
            box = page.locator(f'svg.chart[data-chart="{chart}"]').bounding_box()
            assert box is not None and box["width"] > 0 and box["height"] > 0, (chart, box)
        links = page.locator("section#meetings a").evaluate_all(
            "a => a.map(x => x.getAttribute('href'))"
        )
        assert links == ["relationship-meeting1.html", "relationship-meeting2.html"]
        assert BREAKOUT in visit.text and "Commitments, and what became of them" in visit.text
        assert visit.errors == [] and _foreign_requests(visit, page_path) == []
    finally:
        context.close()
