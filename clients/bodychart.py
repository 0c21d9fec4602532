"""The body chart: regions of a front and a back view, in SVG units, each a
(body area, side) the pain map and the screening rules understand."""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from routines.models import BodyArea

# The words for a side of the body, after the area's name ("Neck, left").
SIDE_WORDS = {
    "left": pgettext_lazy("side of the body", "left"),
    "right": pgettext_lazy("side of the body", "right"),
    "both": pgettext_lazy("side of the body", "both sides"),
}
VIEW_NAMES = {"back": gettext_lazy("back"), "front": gettext_lazy("front")}


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
        area = BodyArea(self.area).label
        if self.side == "both":
            return str(area)
        return _("%(area)s, %(side)s") % {"area": area, "side": SIDE_WORDS.get(self.side, self.side)}


def _pair(view, area, y, height, near_x, width):
    """Left and right halves. Seen from behind, the client's left is on the
    viewer's left; seen from the front, it is on the viewer's right."""
    far_x = 200 - near_x - width
    left_x, right_x = (near_x, far_x) if view == "back" else (far_x, near_x)
    return [
        Region(view, area, "left", left_x, y, width, height),
        Region(view, area, "right", right_x, y, width, height),
    ]


# Every region is at least 34 units each way: drawn about 1.4 px a unit on a
# phone, each is a tap target of 44 CSS px or more (tested in the browser).
BACK = [
    *_pair("back", "neck", 20, 34, 49, 34),
    Region("back", "spine", "both", 83, 20, 34, 170),
    *_pair("back", "shoulders", 54, 34, 16, 67),
    *_pair("back", "upper_back", 88, 34, 26, 57),
    *_pair("back", "mid_back", 122, 34, 26, 57),
    *_pair("back", "lower_back", 156, 34, 26, 57),
    *_pair("back", "buttocks", 190, 44, 40, 60),
    *_pair("back", "ankles", 288, 36, 50, 42),
]
FRONT = [
    *_pair("front", "neck", 20, 34, 49, 34),
    *_pair("front", "shoulders", 54, 34, 16, 67),
    *_pair("front", "ankles", 288, 36, 50, 42),
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
            "label": VIEW_NAMES[name],
            "regions": [{"region": region, "intensity": marked.get((region.area, region.side))} for region in regions],
        }
        for name, regions in REGIONS.items()
    ]


def point_labels(pain_map: list[dict]) -> list[dict]:
    """The pain map as words, strongest first, for lists beside the chart."""
    return [
        {
            **point,
            "place": _("%(area)s (%(side)s)")
            % {"area": BodyArea(point["area"]).label, "side": SIDE_WORDS.get(point["side"], point["side"])},
        }
        for point in sorted(pain_map, key=lambda point: -point["intensity"])
    ]
