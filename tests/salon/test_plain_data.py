from dataclasses import asdict

from hypothesis import given, settings
from hypothesis import strategies as st

from clients.outcome import Finding, PainPoint, ScreeningOutcome, Severity, Support
from routines.models import BodyArea, Pressure
from routines.specs import RoutineSpec, StepSpec

AREAS = BodyArea.values
words = st.text(max_size=12)
areas = st.lists(st.sampled_from(AREAS), max_size=4, unique=True).map(tuple)

steps = st.builds(
    StepSpec,
    order=st.integers(1, 20), technique=words, hand_part=words, areas=areas, pressure=st.sampled_from(Pressure.values),
    dose_kind=st.sampled_from(["duration", "count"]), min_minutes=st.none() | st.integers(1, 15),
    count=st.none() | st.integers(1, 40), repeat_of=st.none() | st.integers(1, 20), notes=words,
    area_pressure=st.dictionaries(st.sampled_from(AREAS), st.sampled_from(Pressure.values), max_size=3),
)  # fmt: skip
routines = st.builds(
    RoutineSpec,
    id=st.none() | st.integers(1, 10**6), slug=words, name=words, version=st.integers(1, 9), position=words,
    qualification=words, turnover_minutes=st.integers(0, 30), steps=st.lists(steps, max_size=6).map(tuple),
    supports=st.lists(words, max_size=3).map(tuple), precautions=st.lists(words, max_size=3).map(tuple), areas=areas,
)  # fmt: skip
outcomes = st.builds(
    ScreeningOutcome,
    findings=st.lists(st.builds(Finding, rule=words, severity=st.sampled_from(Severity), message=words),
                      max_size=3).map(tuple),
    blocked_areas=st.frozensets(st.sampled_from(AREAS), max_size=3),
    avoid_areas=st.frozensets(st.sampled_from(AREAS), max_size=3),
    pressure_caps=st.dictionaries(st.sampled_from(AREAS), st.sampled_from(Pressure.values), max_size=3),
    max_pressure=st.none() | st.sampled_from(Pressure.values),
    limit_reasons=st.dictionaries(st.sampled_from([*AREAS, "*"]), words, max_size=3),
    position=st.none() | words, qualification=st.none() | words,
    supports=st.lists(st.builds(Support, item=words, area=st.sampled_from(AREAS), position=words),
                      max_size=3).map(tuple),
    oil=words,
    pain_points=st.lists(st.builds(PainPoint, area=st.sampled_from(AREAS), side=words, intensity=st.integers(0, 10),
                                   note=words), max_size=3).map(tuple),
    precautions=st.lists(words, max_size=3).map(tuple),
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(routine=routines)
def test_a_routine_snapshot_is_what_dataclasses_asdict_gives(routine):
    data = routine.to_dict()

    assert data == asdict(routine)
    # and nothing in it is the routine's own (changing it changes no routine)
    for step, stored in zip(routine.steps, data["steps"], strict=True):
        assert stored["area_pressure"] is not step.area_pressure


@settings(max_examples=200, deadline=None)
@given(outcome=outcomes)
def test_a_screening_snapshot_is_what_dataclasses_asdict_gives_with_sorted_areas(outcome):
    expected = asdict(outcome)
    expected["blocked_areas"] = sorted(outcome.blocked_areas)
    expected["avoid_areas"] = sorted(outcome.avoid_areas)

    data = outcome.to_dict()

    assert data == expected
    assert data["pressure_caps"] is not outcome.pressure_caps
