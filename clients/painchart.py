"""The pain chart: pain before and after each visit (0 to 10) as an SVG line
chart drawn on the server, so it needs no script, prints, and stands beside a
table that says the same for screen readers."""

from dataclasses import dataclass, field

WIDTH = 480
HEIGHT = 200
# Room for the 0-10 labels on the left and the visit numbers below.
LEFT, RIGHT, TOP, BOTTOM = 32, 12, 10, 26
LEVELS = 10
MARK = 4


@dataclass
class Series:
    """One line: where its marks go and the segments joining visits that
    both have a level (a visit without one leaves a gap, not a guess)."""

    name: str
    marks: list[dict] = field(default_factory=list)
    segments: list[str] = field(default_factory=list)


def _x(index: int, count: int) -> float:
    inner = WIDTH - LEFT - RIGHT
    return LEFT + (inner / 2 if count == 1 else inner * index / (count - 1))


def _y(level: int) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (LEVELS - level) / LEVELS


def _series(name: str, levels: list[int | None]) -> Series:
    series = Series(name)
    count = len(levels)
    previous = None
    for index, level in enumerate(levels):
        if level is None:
            previous = None
            continue
        point = (round(_x(index, count), 1), round(_y(level), 1))
        # The corner too, for the square that marks the "after" series.
        corner = (round(point[0] - MARK, 1), round(point[1] - MARK, 1))
        series.marks.append({"x": point[0], "y": point[1], "corner_x": corner[0], "corner_y": corner[1]})
        if previous is not None:
            series.segments.append(f"{previous[0]},{previous[1]} {point[0]},{point[1]}")
        previous = point
    return series


def pain_chart(visits: list) -> dict:
    """What the template draws for ``visits`` (``PainVisit``, oldest first):
    the two series, the gridlines of levels 0, 5 and 10, and a label under
    each visit (its number in the table)."""
    count = len(visits)
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "label_x": LEFT - 6,
        "right": WIDTH - RIGHT,
        "before": _series("before", [visit.pain_before for visit in visits]),
        "after": _series("after", [visit.pain_after for visit in visits]),
        "grid": [{"level": level, "y": round(_y(level), 1)} for level in (0, 5, 10)],
        "ticks": [{"x": round(_x(index, count), 1), "label": index + 1} for index in range(count)],
        "tick_y": HEIGHT - 8,
    }


def pain_trend(visits: list) -> dict | None:
    """How the pain before sessions went, in words for "my day": the first
    and latest level given, and whether it eased, grew or stayed."""
    levels = [visit.pain_before for visit in visits if visit.pain_before is not None]
    if len(levels) < 2:
        return None
    first, latest = levels[0], levels[-1]
    direction = "eased" if latest < first else "worse" if latest > first else "same"
    return {"first": first, "latest": latest, "direction": direction, "count": len(levels)}
