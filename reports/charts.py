"""The report's charts drawn on the server as SVG coordinates (no script,
nothing from elsewhere); each is shown beside a table of the same figures,
which is what screen readers and printouts rely on."""

import datetime

from django.utils.dates import WEEKDAYS_ABBR

WIDTH, HEIGHT, MARGIN = 600, 160, 10
HEAT_LEVELS = 4


def _scaled(values: list[int]) -> list[tuple[float, float]]:
    """Points across the width, the largest value at the top."""
    top = max(values, default=0) or 1
    step = (WIDTH - 2 * MARGIN) / max(len(values) - 1, 1)
    return [
        (MARGIN + index * step, HEIGHT - MARGIN - value / top * (HEIGHT - 2 * MARGIN))
        for index, value in enumerate(values)
    ]


def line_chart(daily: dict[datetime.date, tuple[int, int]]) -> dict:
    """Bookings and revenue a day, each as a polyline on its own scale."""
    bookings = [figures[0] for figures in daily.values()]
    revenue = [figures[1] for figures in daily.values()]
    as_points = lambda values: " ".join(f"{x:.1f},{y:.1f}" for x, y in _scaled(values))  # noqa: E731
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "bookings": as_points(bookings),
        "revenue": as_points(revenue),
        "most_bookings": max(bookings, default=0),
        "most_revenue": max(revenue, default=0),
    }


def bars_chart(rows) -> dict:
    """A horizontal bar of bookings per row (therapist)."""
    top = max((row.bookings for row in rows), default=0) or 1
    bar, gap, label_width = 18, 6, 140
    bars = [
        {
            "label": row.label,
            "value": row.bookings,
            "y": index * (bar + gap),
            "text_y": index * (bar + gap) + bar - 4,
            "width": round(row.bookings / top * (WIDTH - label_width - 60), 1),
        }
        for index, row in enumerate(rows)
    ]
    return {"width": WIDTH, "height": max(len(rows) * (bar + gap), bar), "bar": bar, "left": label_width, "bars": bars}


def heat_cells(heat: dict[tuple[int, int], float]) -> dict:
    """The heat map as a table: a row per weekday, a column per hour from
    the first to the last anyone was on duty (08–19 when nobody was), each
    cell with its utilisation (None where nobody was on duty then) and a
    shade from 0 to HEAT_LEVELS; more than fully booked shades as full."""
    hours = [hour for _, hour in heat] or [8, 19]
    columns = list(range(min(hours), max(hours) + 1))
    rows = []
    # Django's short weekday names, in the page's language: Monday is 0 there, 1 in ISO's numbering.
    for weekday, name in sorted(WEEKDAYS_ABBR.items()):
        cells = []
        for hour in columns:
            share = heat.get((weekday + 1, hour))
            level = 0 if not share else min(HEAT_LEVELS, max(1, round(share * HEAT_LEVELS)))
            cells.append({"share": share, "level": level})
        rows.append({"weekday": name, "cells": cells})
    return {"hours": columns, "rows": rows}
