import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import pairwise

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salon.inputs import DateFormField
from salon.models import Weekday


class ManagerForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)


class ClosureForm(ManagerForm):
    first_day = DateFormField(label=gettext_lazy("First day closed"), widget=forms.DateInput(attrs={"type": "date"}))
    last_day = DateFormField(label=gettext_lazy("Last day closed"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=gettext_lazy("Reason (optional)"), max_length=200, required=False)


class SpecialHoursForm(ManagerForm):
    day = DateFormField(label=gettext_lazy("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    opens = forms.TimeField(label=gettext_lazy("Opens"), widget=forms.TimeInput(attrs={"type": "time"}))
    closes = forms.TimeField(label=gettext_lazy("Closes"), widget=forms.TimeInput(attrs={"type": "time"}))
    reason = forms.CharField(label=gettext_lazy("Reason (optional)"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if data.get("opens") and data.get("closes") and data["closes"] <= data["opens"]:
            self.add_error("closes", _("Closing comes after opening."))
        return data


# A week of times per day, as the rota editor and the weekly opening hours show it.

MAX_ROWS_PER_DAY = 6
ISO_DATE = "%Y-%m-%d"  # what <input type="date"> takes
GRID_FIELD = re.compile(r"^(?P<grid>[a-z]+)-(?P<weekday>[0-6])-(?P<row>\d{1,2})-(?P<edge>from|to)$")
GRID_ACTION = re.compile(r"^(?P<verb>add|remove):(?P<grid>[a-z]+)-(?P<weekday>[0-6])(?:-(?P<row>\d{1,2}))?$")
WEEKDAYS = [label for _, label in Weekday.choices]

Span = tuple[datetime.time, datetime.time]


@dataclass(frozen=True)
class GridWords:
    """What a grid's rows are called. ``row_label`` with the day's name and
    the row's number is the start of each input's label ("Monday shift 1"),
    followed by ``from_word`` or ``to_word``."""

    row_label: str  # "{day} shift {n}"
    from_word: str
    to_word: str
    add: str  # the add button's visible words
    add_more: str  # and what follows them for screen readers, before " on <day>"
    backwards: str


SHIFT_WORDS = GridWords(
    gettext_lazy("{day} shift {n}"),
    gettext_lazy("starts"),
    gettext_lazy("ends"),
    gettext_lazy("Add a shift"),
    "",
    gettext_lazy("Ends before it starts."),
)
WEEK_B_WORDS = GridWords(
    gettext_lazy("{day} (week B) shift {n}"),
    gettext_lazy("starts"),
    gettext_lazy("ends"),
    gettext_lazy("Add a shift"),
    gettext_lazy(" (week B)"),
    gettext_lazy("Ends before it starts."),
)
OPENING_WORDS = GridWords(
    gettext_lazy("{day} hours {n}"),
    gettext_lazy("from"),
    gettext_lazy("until"),
    gettext_lazy("Add opening hours"),
    "",
    gettext_lazy("Closes before it opens."),
)


@dataclass
class GridRow:
    grid: str
    weekday: int
    number: int
    starts: str
    ends: str
    words: GridWords
    invalid: bool = False

    @property
    def field(self) -> str:
        return f"{self.grid}-{self.weekday}-{self.number}"

    @property
    def label(self) -> str:
        return self.words.row_label.format(day=WEEKDAYS[self.weekday], n=self.number)

    @property
    def label_pattern(self) -> str:
        """The label with "#" for the number, for the script that renumbers rows."""
        return self.words.row_label.format(day=WEEKDAYS[self.weekday], n="#")


@dataclass
class GridDay:
    grid: str
    weekday: int
    rows: list[GridRow]
    errors: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return WEEKDAYS[self.weekday]

    @property
    def full(self) -> bool:
        return len(self.rows) >= MAX_ROWS_PER_DAY


def _wall_clock(value: datetime.time) -> str:
    return f"{value:%H:%M}" if value.second == 0 else f"{value:%H:%M:%S}"


class WeekGrid:
    """Seven days, each with rows of two times (a split shift, a lunch break),
    posted as ``<name>-<weekday>-<n>-from`` and ``-to``. A row left blank is
    no row; a day without rows is a day off (closed). Each day's mistakes
    are its own, so the page shows them next to that day."""

    def __init__(self, name: str, *, words: GridWords, data=None, initial: dict[int, list[Span]] | None = None):
        self.name = name
        self.words = words
        posted: dict[int, dict[int, dict[str, str]]] = defaultdict(lambda: defaultdict(dict))
        if data is not None:
            for key in data:
                match = GRID_FIELD.match(key)
                if match and match["grid"] == name:
                    posted[int(match["weekday"])][int(match["row"])][match["edge"]] = data.get(key, "").strip()
        else:
            for weekday, spans in (initial or {}).items():
                for number, (starts, ends) in enumerate(sorted(spans), start=1):
                    posted[weekday][number] = {"from": _wall_clock(starts), "to": _wall_clock(ends)}
        self.days = []
        for weekday in range(7):
            rows = [
                GridRow(name, weekday, 0, times.get("from", ""), times.get("to", ""), words)
                for _, times in sorted(posted[weekday].items())
            ][:MAX_ROWS_PER_DAY]
            self.days.append(GridDay(name, weekday, rows))
        self._renumber()
        self.spans: dict[int, list[Span]] = {}

    def _renumber(self) -> None:
        for day in self.days:
            if not day.rows:  # an empty row to type into; blank, it is no shift
                day.rows.append(GridRow(self.name, day.weekday, 0, "", "", self.words))
            for number, row in enumerate(day.rows, start=1):
                row.number = number

    def apply(self, action: str) -> bool:
        """Add a row to a day, or remove one (``add:a-0``, ``remove:a-0-2``),
        as the page's buttons ask when no script does it. True if it was this grid's."""
        match = GRID_ACTION.match(action)
        if not match or match["grid"] != self.name:
            return False
        day = self.days[int(match["weekday"])]
        if match["verb"] == "add" and not day.full:
            day.rows.append(GridRow(self.name, day.weekday, 0, "", "", self.words))
        elif match["verb"] == "remove" and match["row"]:
            day.rows = [row for row in day.rows if row.number != int(match["row"])]
        self._renumber()
        return True

    def is_valid(self) -> bool:
        self.spans = {}
        parse = forms.TimeField().clean
        for day in self.days:
            day.errors = []
            spans = []
            for row in day.rows:
                if not row.starts and not row.ends:
                    continue
                try:
                    starts, ends = parse(row.starts), parse(row.ends)
                except forms.ValidationError:
                    row.invalid = True
                    day.errors.append(
                        _("%(row)s: give both times, as HH:MM.") % {"row": row.label} if row.starts and row.ends else
                        _("%(row)s: give both times.") % {"row": row.label}
                    )  # fmt: skip
                    continue
                if ends <= starts:
                    row.invalid = True
                    day.errors.append(
                        _("%(row)s: %(problem)s") % {"row": row.label, "problem": str(self.words.backwards).lower()}
                    )
                    continue
                spans.append((starts, ends, row))
            spans.sort(key=lambda span: span[0])
            for (_starts, ends, row), (next_starts, _next_ends, next_row) in pairwise(spans):
                if next_starts < ends:
                    row.invalid = next_row.invalid = True
                    day.errors.append(
                        _("%(row)s and %(next)s overlap (%(starts)s–%(ends)s and %(next_starts)s–%(next_ends)s).")
                        % {
                            "row": row.label,
                            "next": next_row.number,
                            "starts": row.starts,
                            "ends": row.ends,
                            "next_starts": next_row.starts,
                            "next_ends": next_row.ends,
                        }
                    )
            self.spans[day.weekday] = [(starts, ends) for starts, ends, _ in spans]
        return not any(day.errors for day in self.days)

    def hours(self) -> list[tuple[int, datetime.time, datetime.time]]:
        """(weekday, from, to) of every row, once ``is_valid()``."""
        return [(weekday, starts, ends) for weekday, spans in sorted(self.spans.items()) for starts, ends in spans]


class RotaForm(ManagerForm):
    """A therapist's rota from a date: the dates here, the shifts in a
    WeekGrid for week A (every week, when the rota does not alternate) and
    one for week B."""

    valid_from = DateFormField(
        label=gettext_lazy("Valid from"), widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE)
    )
    valid_to = DateFormField(
        label=gettext_lazy("Valid until (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE),
        help_text=gettext_lazy("Leave empty to keep this rota. With a last day, the rota before comes back after it."),
    )
    alternating = forms.BooleanField(label=gettext_lazy("Alternating weeks (week A / week B)"), required=False)
    # Set when a refused rota starts later instead: its weeks A and B stay as planned.
    week_a = DateFormField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_valid_from(self):
        day = self.cleaned_data["valid_from"]
        if day < self.today:
            raise forms.ValidationError(_("Give today or a later day: the rota of past days stays as it was."))
        return day

    def clean(self):
        data = super().clean()
        if data.get("valid_from") and data.get("valid_to") and data["valid_to"] < data["valid_from"]:
            self.add_error("valid_to", _("The last day comes before the first."))
        return data


def rota_shifts(*, alternating: bool, week_a: WeekGrid, week_b: WeekGrid) -> list[tuple]:
    """The shifts for ``rota_set`` from valid grids: without alternating weeks
    every week's; with them, a shift in both grids is worked every week, the
    others only in their week."""
    if not alternating:
        return [(weekday, starts, ends, None) for weekday, starts, ends in week_a.hours()]
    first, second = set(week_a.hours()), set(week_b.hours())
    return sorted(
        [(*shift, None) for shift in first & second]
        + [(*shift, "A") for shift in first - second]
        + [(*shift, "B") for shift in second - first],
        key=lambda shift: (shift[0], shift[1], shift[3] or ""),
    )


class WeeklyHoursForm(ManagerForm):
    """The weekly opening hours: the times are in a WeekGrid; this field
    says the grid was sent, so that an empty post never closes the week."""

    week = forms.CharField(widget=forms.HiddenInput, initial="opening-hours")
