"""The final table: one row per measurement, against what it is compared with."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence


@dataclasses.dataclass(frozen=True)
class Row:
    """One figure. ``ratio`` defaults to value / reference; ``met`` is None for a
    figure reported without a goal."""

    benchmark: str
    measure: str
    value: float
    unit: str = ""
    reference_name: str = ""
    reference: float | None = None
    ratio: float | None = None
    goal: str = ""
    met: bool | None = None

    @property
    def shown_ratio(self) -> float | None:
        if self.ratio is not None:
            return self.ratio
        if self.reference:
            return self.value / self.reference
        return None


def number(value: float, unit: str = "") -> str:
    text = f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
    return f"{text} {unit}".strip()


def _ratio(ratio: float) -> str:
    # Near 1 a goal such as 1.03 needs the third decimal to be read.
    return f"{ratio:.3f}" if abs(ratio - 1) < 0.1 else f"{ratio:.2f}"


def _cells(row: Row) -> list[str]:
    compared = row.reference_name
    if row.reference is not None:
        compared = f"{compared}: {number(row.reference, row.unit)}"
    ratio = row.shown_ratio
    met = {None: "-", True: "yes", False: "**NO**"}[row.met]
    return [
        row.benchmark,
        row.measure,
        number(row.value, row.unit),
        compared or "-",
        _ratio(ratio) if ratio is not None else "-",
        row.goal or "-",
        met,
    ]


HEADER = ["benchmark", "measurement", "value", "compared with", "ratio", "goal", "met"]


def table(rows: Sequence[Row]) -> str:
    """A Markdown table, aligned so that it also reads in a terminal."""
    lines = [HEADER, *(_cells(row) for row in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(HEADER))]

    def render(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([render(HEADER), rule, *(render(cells) for cells in lines[1:])])


def missed(rows: Sequence[Row]) -> list[Row]:
    return [row for row in rows if row.met is False]
