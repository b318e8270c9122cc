"""Inline SVG charts for the HTML reports: no script, no fonts, no network.

Every string that reaches the markup goes through :func:`markupsafe.escape`;
the functions return :class:`markupsafe.Markup` so the template does not
escape the drawing a second time. Colours are the Okabe-Ito palette, which
stays distinct under the common colour-vision deficiencies, and every label
also has its own marker shape, so no reading depends on colour alone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from ..labels import LABELS, Label
from .common import clock

#: Okabe-Ito colours, one per label.
LABEL_COLOURS: dict[Label, str] = {
    "purpose": "#0072B2",
    "dissent": "#E69F00",
    "ownership": "#009E73",
    "candor": "#56B4E9",
    "resignation": "#CC79A7",
    "blame": "#D55E00",
    "silencing": "#000000",
}
#: A marker shape per label, so colour is never the only cue.
LABEL_SHAPES: dict[Label, str] = {
    "purpose": "circle",
    "dissent": "triangle",
    "ownership": "square",
    "candor": "diamond",
    "resignation": "down",
    "blame": "cross",
    "silencing": "bar",
}
SERIES_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#000000")
SERIES_DASHES = ("", "6 3", "2 2", "8 3 2 3", "1 3", "10 4", "4 4")
_INK = "#222222"
_MUTED = "#6b6b6b"
_GRID = "#d9d9d9"
_FONT = "font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif"


def _n(value: float) -> str:
    """Coordinates with at most one decimal, so the markup stays small and stable."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def marker(label: Label, x: float, y: float, size: float = 5.0) -> str:
    """The label's shape centred on (x, y)."""
    colour = LABEL_COLOURS[label]
    shape = LABEL_SHAPES[label]
    s = size
    fill = f'fill="{colour}" stroke="#ffffff" stroke-width="0.8"'
    if shape == "circle":
        return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(s)}" {fill}/>'
    if shape == "square":
        side = _n(2 * s)
        return f'<rect x="{_n(x - s)}" y="{_n(y - s)}" width="{side}" height="{side}" {fill}/>'
    if shape == "diamond":
        d = s * 1.3
        points = f"{_n(x)},{_n(y - d)} {_n(x + d)},{_n(y)} {_n(x)},{_n(y + d)} {_n(x - d)},{_n(y)}"
        return f'<polygon points="{points}" {fill}/>'
    if shape == "triangle":
        d = s * 1.25
        points = f"{_n(x)},{_n(y - d)} {_n(x + d)},{_n(y + d * 0.8)} {_n(x - d)},{_n(y + d * 0.8)}"
        return f'<polygon points="{points}" {fill}/>'
    if shape == "down":
        d = s * 1.25
        points = f"{_n(x - d)},{_n(y - d * 0.8)} {_n(x + d)},{_n(y - d * 0.8)} {_n(x)},{_n(y + d)}"
        return f'<polygon points="{points}" {fill}/>'
    if shape == "cross":
        d = s * 0.95
        return (
            f'<path d="M{_n(x - d)},{_n(y - d)}L{_n(x + d)},{_n(y + d)}'
            f'M{_n(x - d)},{_n(y + d)}L{_n(x + d)},{_n(y - d)}" stroke="{colour}" '
            'stroke-width="2.6" stroke-linecap="round" fill="none"/>'
        )
    return (
        f'<rect x="{_n(x - s * 0.45)}" y="{_n(y - s * 1.3)}" width="{_n(s * 0.9)}" '
        f'height="{_n(s * 2.6)}" {fill}/>'
    )


def _text(
    x: float, y: float, text: str, *, anchor: str = "start", size: int = 12, **extra: str
) -> str:
    attrs = "".join(f' {k.replace("_", "-")}="{escape(v)}"' for k, v in extra.items())
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" font-size="{size}"{attrs}>'
        f"{escape(text)}</text>"
    )


def _svg(kind: str, width: float, height: float, title: str, body: list[str]) -> Markup:
    head = (
        f'<svg class="chart" data-chart="{kind}" role="img" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'width="100%" style="max-width:{_n(width)}px;{_FONT}" fill="{_INK}" '
        f'xmlns="http://www.w3.org/2000/svg" aria-labelledby="{kind}-title">'
        f'<title id="{kind}-title">{escape(title)}</title>'
    )
    return Markup(head + "".join(body) + "</svg>")


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    note: str = ""


def bar_chart(
    kind: str, title: str, bars: Sequence[Bar], *, maximum: float = 100.0, percent: bool = False
) -> Markup:
    """Horizontal bars with their values written beside them and a 0-max axis."""
    left, right, row, top = 190.0, 110.0, 26.0, 8.0
    width = 720.0
    plot = width - left - right
    height = top + row * len(bars) + 26
    body: list[str] = []
    step = _axis_step(maximum, percent)
    for i in range(int(round(maximum / step)) + 1):
        value = step * i
        x = left + plot * value / maximum
        body.append(
            f'<line x1="{_n(x)}" y1="{_n(top)}" x2="{_n(x)}" y2="{_n(height - 22)}" '
            f'stroke="{_GRID}" stroke-width="1"/>'
        )
        tick = f"{value:.0%}" if percent else f"{value:.0f}"
        body.append(_text(x, height - 8, tick, anchor="middle", size=11, fill=_MUTED))
    for i, bar in enumerate(bars):
        y = top + i * row
        share = max(0.0, min(bar.value / maximum if maximum else 0.0, 1.0))
        body.append(_text(left - 8, y + 17, bar.label, anchor="end", size=12))
        body.append(
            f'<rect x="{_n(left)}" y="{_n(y + 5)}" width="{_n(max(plot * share, 1.5))}" '
            f'height="16" fill="{SERIES_COLOURS[0]}" rx="2"><title>{escape(bar.label)}: '
            f"{escape(_value(bar.value, percent))}{escape(bar.note)}</title></rect>"
        )
        body.append(
            _text(left + plot * share + 6, y + 17, _value(bar.value, percent) + bar.note, size=12)
        )
    return _svg(kind, width, height, title, body)


def _axis_step(maximum: float, percent: bool) -> float:
    """Round gridlines: every 5 or 10 points of a share, every 25 of a score."""
    if percent and maximum <= 0.25:
        return 0.05
    if percent and maximum <= 0.5:
        return 0.1
    if percent:
        return 0.25
    return maximum / 4


def _value(value: float, percent: bool) -> str:
    return f"{value:.0%}" if percent else f"{value:.0f}"


@dataclass(frozen=True)
class Turn:
    """One utterance on the timeline: when, who, and the labels it carries."""

    id: str
    speaker: str
    start: float
    end: float
    labels: tuple[Label, ...]
    tooltip: str


@dataclass(frozen=True)
class Link:
    """A line from one labelled turn to a later one (dissent -> what followed)."""

    source: str
    target: str
    outcome: str


def _tick_step(span: float) -> float:
    for step in (30, 60, 120, 300, 600, 900, 1800, 3600, 7200):
        if span / step <= 10:
            return float(step)
    return 3600.0 * math.ceil(span / 36000)


def timeline(
    turns: Sequence[Turn],
    speakers: Sequence[str],
    *,
    timed: bool,
    links: Sequence[Link] = (),
    title: str = "Meeting timeline",
) -> Markup:
    """Time across, one lane per speaker, every turn a grey span, labels as marked shapes.

    Without times (plain text without stamps) the axis is the turn number.
    """
    left, right, lane, top = 170.0, 20.0, 30.0, 10.0
    width = 960.0
    plot = width - left - right
    lanes = {name: i for i, name in enumerate(speakers)}
    axis_y = top + lane * len(speakers) + 4
    height = axis_y + 30
    begin = min((t.start for t in turns), default=0.0)
    finish = max((t.end for t in turns), default=1.0)
    span = max(finish - begin, 1.0)

    def x_of(value: float) -> float:
        return left + plot * (value - begin) / span

    body: list[str] = []
    for name, i in lanes.items():
        y = top + i * lane
        if i % 2 == 0:
            body.append(
                f'<rect x="{_n(left)}" y="{_n(y)}" width="{_n(plot)}" height="{_n(lane)}" '
                'fill="#f4f4f4"/>'
            )
        body.append(_text(left - 8, y + lane / 2 + 4, _fit(name, 24), anchor="end", size=12))
    if timed:
        step = _tick_step(span)
        first = math.ceil(begin / step) * step
        value = first
        while value <= finish + 1e-9:
            x = x_of(value)
            body.append(
                f'<line x1="{_n(x)}" y1="{_n(top)}" x2="{_n(x)}" y2="{_n(axis_y)}" '
                f'stroke="{_GRID}"/>'
            )
            body.append(_text(x, axis_y + 14, clock(value), anchor="middle", size=11, fill=_MUTED))
            value += step
        caption = "time from the start of the meeting"
    else:
        for i in range(6):
            value = begin + span * i / 5
            body.append(
                _text(
                    x_of(value), axis_y + 14, f"{value:.0f}", anchor="middle", size=11, fill=_MUTED
                )
            )
        caption = "turn number (the transcript has no times)"
    body.append(_text(left + plot, axis_y + 27, caption, anchor="end", size=10, fill=_MUTED))

    position: dict[str, tuple[float, float]] = {}
    marks: list[str] = []
    for turn in turns:
        y = top + lanes[turn.speaker] * lane
        x0, x1 = x_of(turn.start), x_of(max(turn.end, turn.start))
        body.append(
            f'<rect x="{_n(x0)}" y="{_n(y + lane / 2 - 3)}" width="{_n(max(x1 - x0, 1.2))}" '
            f'height="6" fill="#b8b8b8"/>'
        )
        for k, label in enumerate(turn.labels):
            cx = x0 + k * 7
            cy = y + (lane * 0.3 if label in LABELS[:4] else lane * 0.72)
            position.setdefault(turn.id, (cx, cy))
            marks.append(
                f'<a href="#{escape(turn.id)}"><g class="mark" data-label="{label}">'
                f"{marker(label, cx, cy)}<title>{escape(turn.tooltip)}</title></g></a>"
            )
    for link in links:
        if link.source in position and link.target in position:
            (ax, ay), (bx, by) = position[link.source], position[link.target]
            body.append(
                f'<path d="M{_n(ax)},{_n(ay)} C{_n(ax + 20)},{_n(ay)} {_n(bx - 20)},{_n(by)} '
                f'{_n(bx)},{_n(by)}" fill="none" stroke="{_MUTED}" stroke-width="1.2" '
                f'stroke-dasharray="3 2" data-outcome="{escape(link.outcome)}"/>'
            )
    body.extend(marks)
    return _svg("timeline", width, height, title, body)


def legend(labels: Sequence[Label] = LABELS) -> Markup:
    """The label shapes and colours, as a small SVG strip."""
    width = 120.0 * len(labels)
    body = []
    for i, label in enumerate(labels):
        x = 10 + i * 120
        body.append(marker(label, x, 12))
        body.append(_text(x + 10, 16, label, size=12))
    return _svg("legend", width, 24, "Legend: label shapes and colours", body)


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]


def line_chart(
    kind: str, title: str, periods: Sequence[str], series: Sequence[Series], *, maximum: float = 100
) -> Markup:
    """One line per series over the periods, each with its colour, dash and a legend."""
    left, right, top, bottom = 44.0, 16.0, 12.0, 60.0
    width, height = 720.0, 300.0
    plot_w, plot_h = width - left - right, height - top - bottom
    count = max(len(periods), 1)

    def x_of(i: int) -> float:
        return left + (plot_w * i / (count - 1) if count > 1 else plot_w / 2)

    def y_of(value: float) -> float:
        return top + plot_h * (1 - value / maximum)

    body: list[str] = []
    for i in range(5):
        value = maximum * i / 4
        y = y_of(value)
        body.append(
            f'<line x1="{_n(left)}" y1="{_n(y)}" x2="{_n(left + plot_w)}" y2="{_n(y)}" '
            f'stroke="{_GRID}"/>'
        )
        body.append(_text(left - 6, y + 4, f"{value:.0f}", anchor="end", size=11, fill=_MUTED))
    every = max(1, math.ceil(count / 12))
    for i, period in enumerate(periods):
        if i % every == 0:
            body.append(
                _text(x_of(i), top + plot_h + 16, period, anchor="middle", size=11, fill=_MUTED)
            )
    for k, line in enumerate(series):
        colour = SERIES_COLOURS[k % len(SERIES_COLOURS)]
        dash = SERIES_DASHES[k % len(SERIES_DASHES)]
        points = [(x_of(i), y_of(v)) for i, v in enumerate(line.values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{_n(x)},{_n(y)}" for x, y in points)
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            body.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"'
                f"{dash_attr}/>"
            )
        for (x, y), (i, v) in zip(
            points, [(i, v) for i, v in enumerate(line.values) if v is not None], strict=True
        ):
            body.append(
                f'<circle cx="{_n(x)}" cy="{_n(y)}" r="3" fill="{colour}"><title>'
                f"{escape(line.name)}, {escape(periods[i])}: {v:.1f}</title></circle>"
            )
        lx = left + (k % 4) * 170
        ly = height - 26 + (k // 4) * 16
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        body.append(
            f'<line x1="{_n(lx)}" y1="{_n(ly)}" x2="{_n(lx + 24)}" y2="{_n(ly)}" '
            f'stroke="{colour}" stroke-width="2"{dash_attr}/>'
        )
        body.append(_text(lx + 30, ly + 4, line.name, size=12))
    return _svg(kind, width, height, title, body)


def grouped_bars(
    kind: str,
    title: str,
    categories: Sequence[str],
    groups: Sequence[Series],
    *,
    maximum: float = 100.0,
    integers: bool = False,
) -> Markup:
    """Vertical bars: one cluster per category, one bar per series, values on top, legend."""
    left, right, top = 44.0, 16.0, 14.0
    width = 860.0
    legend_rows = math.ceil(len(groups) / 3)
    plot_h = 200.0
    height = top + plot_h + 40 + 18 * legend_rows
    plot_w = width - left - right
    cluster = plot_w / max(len(categories), 1)
    bar_w = min(34.0, (cluster - 16) / max(len(groups), 1))

    def y_of(value: float) -> float:
        return top + plot_h * (1 - min(value, maximum) / maximum)

    step = maximum / 4
    if integers:
        # Counts: whole-number gridlines, and an axis that ends on one.
        step = float(max(1, math.ceil(maximum / 4)))
        maximum = step * math.ceil(maximum / step)
    body: list[str] = []
    for i in range(int(round(maximum / step)) + 1):
        value = step * i
        y = y_of(value)
        body.append(
            f'<line x1="{_n(left)}" y1="{_n(y)}" x2="{_n(left + plot_w)}" y2="{_n(y)}" '
            f'stroke="{_GRID}"/>'
        )
        body.append(_text(left - 6, y + 4, f"{value:.0f}", anchor="end", size=11, fill=_MUTED))
    for c, category in enumerate(categories):
        x0 = left + c * cluster + (cluster - bar_w * len(groups)) / 2
        body.append(
            _text(left + c * cluster + cluster / 2, top + plot_h + 16, category, anchor="middle")
        )
        for g, group in enumerate(groups):
            given = group.values[c]
            if given is None:
                continue
            value = float(given)
            colour = SERIES_COLOURS[g % len(SERIES_COLOURS)]
            x = x0 + g * bar_w
            y = y_of(value)
            hatch = ' stroke="#ffffff" stroke-width="1"'
            body.append(
                f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(bar_w - 2)}" '
                f'height="{_n(max(top + plot_h - y, 0.8))}" fill="{colour}"{hatch}>'
                f"<title>{escape(group.name)}, {escape(category)}: {value:.0f}</title></rect>"
            )
            body.append(_text(x + (bar_w - 2) / 2, y - 3, f"{value:.0f}", anchor="middle", size=10))
    for g, group in enumerate(groups):
        colour = SERIES_COLOURS[g % len(SERIES_COLOURS)]
        lx = left + (g % 3) * 270
        ly = top + plot_h + 30 + (g // 3) * 18
        body.append(
            f'<rect x="{_n(lx)}" y="{_n(ly)}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{_n(lx + 14)}" y="{_n(ly + 10)}" font-size="10" fill="{_MUTED}">'
            f"{g + 1}</text>"
        )
        body.append(_text(lx + 28, ly + 11, _fit(group.name, 36), size=12))
    return _svg(kind, width, height, title, body)
