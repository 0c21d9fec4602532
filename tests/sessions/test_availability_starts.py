"""clear_starts, which Calendar.slots works out a therapist's and a room's
starts with, compared minute by minute with the plain reading of it: a
start is kept when the session from it meets no busy interval, and each range
kept begins where a free interval begins (its first start is put on the grid)."""

import random

from sessions.availability import clear_starts, merge, subtract


def plain_starts(starts, busy, length):
    kept = {
        minute
        for low, high in starts
        for minute in range(low, high)
        if not any(begin < minute + length and minute < end for begin, end in busy)
    }
    return sorted(kept)


def minutes_of(ranges):
    return sorted(minute for low, high in ranges for minute in range(low, high))


def test_kept_starts_are_those_whose_session_meets_nothing_busy():
    for seed in range(300):
        rng = random.Random(seed)  # noqa: S311 (test data)
        length = rng.randrange(1, 90)
        free = merge([(start, start + rng.randrange(1, 300))
                      for start in rng.sample(range(0, 2000, 7), rng.randrange(1, 6))])  # fmt: skip
        starts = [(start, end - length + 1) for start, end in free if end - start >= length]
        busy = merge([(start, start + rng.randrange(0, 120))
                      for start in rng.sample(range(-200, 2200), rng.randrange(8))])  # fmt: skip
        kept = clear_starts(starts, busy, length)
        assert minutes_of(kept) == plain_starts(starts, busy, length), f"seed {seed}"
        # Each range kept is the starts of one free interval long enough, from its first minute.
        long_enough = [(start, end - length + 1) for start, end in subtract(free, busy) if end - start >= length]
        assert sorted(kept) == long_enough, f"seed {seed}"


def test_a_range_bisects_to_the_busy_interval_it_meets():
    busy = [(100, 160), (300, 345), (900, 960)]
    assert clear_starts([(0, 1000)], busy, 60) == [(0, 41), (160, 241), (345, 841), (960, 1000)]
    assert clear_starts([(350, 400), (0, 30)], busy, 60) == [(350, 400), (0, 30)]  # in any order
    assert clear_starts([(0, 1000)], [], 60) == [(0, 1000)]
