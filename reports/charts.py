"""Charts drawn on the server as SVG: horizontal bars for categories, columns for years.

No JavaScript, no library: the markup is built here and styled by portal.css (colours of the portal's
palette, print rules). Widths are percentages of the chart's own width and text keeps its real size, so
a chart reads the same on a phone and on a wide screen, and nothing is scaled down to illegible type.
Every chart is an image with a title and a description (role="img"); its figures are also printed on
the bars and given in the data table the page shows next to it.
"""

import textwrap
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

# Horizontal bars: a row is its label (one or two lines) above a bar, the value at the bar's end.
LABEL_LINE = 20  # px per label line
LABEL_CHARS = 38  # characters per label line: fits a phone's width at the label's size
LABEL_LINES = 2
BAR_HEIGHT = 24
ROW_GAP = 16
PLOT_SHARE = 88  # % of the width the longest bar takes; the rest keeps room for a value written after a bar
INSIDE_FROM = 0.6  # a bar longer than this share of the longest writes its value inside, at its end

# Columns: values above, years below.
COLUMN_PLOT = 180
COLUMN_TOP = 28
COLUMN_BOTTOM = 30
COLUMN_SLOTS = 6  # a chart of a few years keeps columns of a sensible width, centred


@dataclass(frozen=True)
class Bar:
    """One bar or column: its label, its value, and an optional note written after the value (e.g. "81%")."""

    label: str
    value: int
    note: str = ""


def _number(value: int) -> str:
    return number_format(value, force_grouping=True)


def _value_text(bar: Bar) -> str:
    return f"{_number(bar.value)} · {bar.note}" if bar.note else _number(bar.value)


def _label_lines(label: str) -> list[str]:
    lines = textwrap.wrap(str(label), LABEL_CHARS) or [""]
    if len(lines) > LABEL_LINES:
        lines = [
            *lines[: LABEL_LINES - 1],
            textwrap.shorten(" ".join(lines[LABEL_LINES - 1 :]), LABEL_CHARS, placeholder=" …"),
        ]
    return lines


def _percent(share: float) -> str:
    return f"{share:.2f}%"


def description(bars: list[Bar]) -> str:
    """The figures in words, for the chart's <desc>."""
    return "; ".join(f"{bar.label}: {_value_text(bar)}" for bar in bars)


def _frame(*, key: str, title: str, desc: str, height: int, css_class: str, body: SafeString) -> SafeString:
    return format_html(
        '<svg class="chart__svg {}" width="100%" height="{}" role="img" aria-labelledby="{}-title {}-desc" '
        'focusable="false" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        css_class,
        height,
        key,
        key,
        key,
        title,
        key,
        desc,
        body,
    )


def bar_chart(*, key: str, title: str, bars: list[Bar], tone: str = "accent") -> SafeString:
    """Horizontal bars, one per category, longest = largest value; an empty list draws nothing.

    `key` makes the ids unique on the page; `tone` is "accent" or "star" (the star badge's colour). Nothing
    is drawn when every value is zero: such a chart says nothing the table does not.
    """
    if not any(bar.value for bar in bars):
        return SafeString("")
    largest = max(bar.value for bar in bars)
    parts = []
    top = 0
    for bar in bars:
        lines = _label_lines(bar.label)
        label = format_html_join(
            "",
            '<tspan x="0" dy="{}">{}</tspan>',
            ((0 if index == 0 else LABEL_LINE, line) for index, line in enumerate(lines)),
        )
        bar_top = top + len(lines) * LABEL_LINE + 4
        share = bar.value / largest
        width = PLOT_SHARE * share
        inside = share > INSIDE_FROM
        parts.append(
            format_html(
                '<g class="chart__row"><text class="chart__label" x="0" y="{}">{}</text>{}'
                '<text class="chart__value{}" x="{}" dx="{}" y="{}"{}>{}</text></g>',
                top + 15,
                label,
                format_html(
                    '<rect class="chart__bar" x="0" y="{}" width="{}" height="{}" rx="3"></rect>',
                    bar_top,
                    _percent(width),
                    BAR_HEIGHT,
                )
                if bar.value
                else format_html(
                    '<rect class="chart__bar chart__bar--zero" x="0" y="{}" width="2" height="{}"></rect>',
                    bar_top,
                    BAR_HEIGHT,
                ),
                " chart__value--inside" if inside else "",
                _percent(width) if bar.value else "2",
                -8 if inside else 8,
                bar_top + 17,
                SafeString(' text-anchor="end"') if inside else "",
                _value_text(bar),
            )
        )
        top = bar_top + BAR_HEIGHT + ROW_GAP
    return _frame(
        key=key,
        title=title,
        desc=description(bars),
        height=top - ROW_GAP + 4,
        css_class=f"chart__svg--bars chart__svg--{tone}",
        body=SafeString("".join(parts)),
    )


def column_chart(*, key: str, title: str, columns: list[Bar]) -> SafeString:
    """Vertical columns in order (e.g. one per year), the value above each, the label below."""
    if not any(column.value for column in columns):
        return SafeString("")
    largest = max(column.value for column in columns)
    slots = max(len(columns), COLUMN_SLOTS)
    offset = (slots - len(columns)) / 2
    baseline = COLUMN_TOP + COLUMN_PLOT
    parts = []
    for index, column in enumerate(columns):
        height = round(COLUMN_PLOT * column.value / largest) if column.value else 0
        left = (offset + index + 0.2) / slots * 100
        middle = (offset + index + 0.5) / slots * 100
        parts.append(
            format_html(
                '<g class="chart__column">{}<text class="chart__value" x="{}" y="{}" text-anchor="middle">{}</text>'
                '<text class="chart__label" x="{}" y="{}" text-anchor="middle">{}</text></g>',
                format_html(
                    '<rect class="chart__bar" x="{}" y="{}" width="{}" height="{}" rx="3"></rect>',
                    _percent(left),
                    baseline - height,
                    _percent(0.6 / slots * 100),
                    height,
                )
                if height
                else "",
                _percent(middle),
                baseline - height - 8,
                _value_text(column),
                _percent(middle),
                baseline + 22,
                column.label,
            )
        )
    axis = format_html(
        '<line class="chart__axis" x1="0" x2="100%" y1="{}" y2="{}"></line>', baseline + 0.5, baseline + 0.5
    )
    return _frame(
        key=key,
        title=title,
        desc=description(columns),
        height=baseline + COLUMN_BOTTOM,
        css_class="chart__svg--columns",
        body=SafeString("".join(parts)) + axis,
    )


def share_note(part: int, whole: int) -> str:
    """`part` as a whole percentage of `whole` ("81%"); empty when there is no whole to compare with."""
    return f"{round(100 * part / whole)}%" if whole else ""
