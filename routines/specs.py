"""A routine version as plain, immutable data: what the plan builder reads and
what a session plan keeps as its snapshot. Durations are computed here."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from routines.models import RoutineStep
from salon.plain_data import as_plain_data


@dataclass(frozen=True)
class StepSpec:
    order: int
    technique: str
    hand_part: str
    areas: tuple[str, ...]
    pressure: str
    dose_kind: str
    direction: str = ""
    side: str = "both"
    min_minutes: int | None = None
    max_minutes: int | None = None
    count: int | None = None
    unit: str = ""
    seconds_per_unit: int | None = None
    per_side: bool = False
    alternating_minutes: int = 0
    uses_pain_map: bool = False
    repeat_of: int | None = None
    notes: str = ""
    core: bool = False
    beside_spine: bool = False
    # Lighter pressure on some areas than the step's own, e.g. the neck.
    area_pressure: dict[str, str] = field(default_factory=dict)

    @property
    def sides(self) -> int:
        return 2 if self.per_side else 1

    @property
    def minimum_minutes(self) -> int:
        """The least time the step may take. A counted step cannot be shortened."""
        if self.dose_kind == RoutineStep.DoseKind.DURATION:
            return self.min_minutes
        return self.typical_minutes

    @property
    def maximum_minutes(self) -> int:
        """The most time the step may take. A counted step cannot be lengthened."""
        if self.dose_kind == RoutineStep.DoseKind.DURATION:
            return self.max_minutes
        return self.typical_minutes

    @property
    def typical_minutes(self) -> int:
        """The middle of a duration range; for a count, the units turned into
        time (plus any alternated stroking), rounded up to whole minutes."""
        if self.dose_kind == RoutineStep.DoseKind.DURATION:
            return math.ceil((self.min_minutes + self.max_minutes) / 2)
        seconds = self.count * self.seconds_per_unit * self.sides
        return math.ceil(seconds / 60) + self.alternating_minutes * self.sides

    @property
    def dose_text(self) -> str:
        if self.dose_kind == RoutineStep.DoseKind.DURATION:
            if self.min_minutes == self.max_minutes:
                return f"{self.min_minutes} min"
            return f"{self.min_minutes}–{self.max_minutes} min"
        unit = self.unit or _("times")
        text = f"{self.count} {unit}".strip()
        if self.per_side:
            text += " " + _("per side")
        text += ", " + _("%(seconds)s s each") % {"seconds": self.seconds_per_unit}
        if self.alternating_minutes:
            text += ", " + _("alternated with %(minutes)s min of stroking") % {"minutes": self.alternating_minutes}
        return text


@dataclass(frozen=True)
class RoutineSpec:
    id: int | None
    slug: str
    name: str
    version: int
    position: str
    qualification: str
    turnover_minutes: int
    steps: tuple[StepSpec, ...]
    surface: str = ""
    oil: str = ""
    towels: int = 0
    supports: tuple[str, ...] = ()
    precautions: tuple[str, ...] = ()
    areas: tuple[str, ...] = field(default=())

    @property
    def minimum_minutes(self) -> int:
        return sum(step.minimum_minutes for step in self.steps)

    @property
    def maximum_minutes(self) -> int:
        return sum(step.maximum_minutes for step in self.steps)

    @property
    def typical_minutes(self) -> int:
        return sum(step.typical_minutes for step in self.steps)

    def slot_minutes(self, grid_minutes: int) -> int:
        """What a booking of this routine occupies: the typical duration plus
        turnover, rounded up to the salon's slot grid."""
        return math.ceil((self.typical_minutes + self.turnover_minutes) / grid_minutes) * grid_minutes

    def to_dict(self) -> dict:
        return as_plain_data(self)

    @classmethod
    def from_dict(cls, data: dict) -> RoutineSpec:
        data = dict(data)
        data["steps"] = tuple(StepSpec(**{**step, "areas": tuple(step["areas"])}) for step in data["steps"])
        for name in ("supports", "precautions", "areas"):
            data[name] = tuple(data.get(name, ()))
        return cls(**data)
