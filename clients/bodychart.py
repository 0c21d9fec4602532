"""The body chart: regions of a front and a back view, in SVG units, each a
(body area, side) the pain map and the screening rules understand."""

from dataclasses import dataclass

from routines.models import BodyArea


@dataclass(frozen=True)
class Region:
    view: str
    area: str
    side: str
    x: int
    y: int
    width: int
    height: int

    @property
    def label(self) -> str:
        side = "" if self.side == "both" else f", {self.side}"
        return f"{BodyArea(self.area).label}{side}"


def _pair(view, area, y, height, near_x, width):
    """Left and right halves. Seen from behind, the client's left is on the
    viewer's left; seen from the front, it is on the viewer's right."""
    far_x = 200 - near_x - width
    left_x, right_x = (near_x, far_x) if view == "back" else (far_x, near_x)
    return [
        Region(view, area, "left", left_x, y, width, height),
        Region(view, area, "right", right_x, y, width, height),
    ]


BACK = [
    *_pair("back", "neck", 22, 24, 88, 12),
    *_pair("back", "shoulders", 46, 24, 48, 52),
    *_pair("back", "upper_back", 70, 40, 60, 37),
    Region("back", "spine", "both", 97, 70, 6, 120),
    *_pair("back", "mid_back", 110, 40, 62, 35),
    *_pair("back", "lower_back", 150, 40, 64, 33),
    *_pair("back", "buttocks", 190, 40, 62, 38),
    *_pair("back", "ankles", 276, 16, 72, 20),
]
FRONT = [
    *_pair("front", "neck", 22, 24, 88, 12),
    *_pair("front", "shoulders", 46, 24, 48, 52),
    *_pair("front", "ankles", 276, 16, 72, 20),
]
REGIONS = {"back": BACK, "front": FRONT}


def chart_views(pain_map: list[dict] | None = None) -> list[dict]:
    """Regions of both views with the intensity marked on each, for templates."""
    marked: dict[tuple[str, str], int] = {}
    for point in pain_map or []:
        sides = ["left", "right"] if point["side"] == "both" and point["area"] != "spine" else [point["side"]]
        for side in sides:
            key = (point["area"], side if point["area"] != "spine" else "both")
            marked[key] = max(marked.get(key, 0), point["intensity"])
    return [
        {
            "name": name,
            "regions": [{"region": region, "intensity": marked.get((region.area, region.side))} for region in regions],
        }
        for name, regions in REGIONS.items()
    ]


def point_labels(pain_map: list[dict]) -> list[dict]:
    """The pain map as words, strongest first, for lists beside the chart."""
    sides = {"left": "left", "right": "right", "both": "both sides"}
    return [
        {**point, "place": f"{BodyArea(point['area']).label} ({sides.get(point['side'], point['side'])})"}
        for point in sorted(pain_map, key=lambda point: -point["intensity"])
    ]
