from clients.bodychart import REGIONS, chart_views


def region(view, area, side):
    return next(r for r in REGIONS[view] if (r.area, r.side) == (area, side))


def test_the_clients_left_is_on_the_viewers_left_from_behind_and_right_from_the_front():
    assert region("back", "shoulders", "left").x < region("back", "shoulders", "right").x
    assert region("front", "shoulders", "left").x > region("front", "shoulders", "right").x


def test_a_point_on_both_sides_marks_both_halves():
    views = chart_views([{"area": "lower_back", "side": "both", "intensity": 6, "note": ""}])

    back = {(item["region"].area, item["region"].side): item["intensity"] for item in views[0]["regions"]}
    assert back[("lower_back", "left")] == back[("lower_back", "right")] == 6
    assert back[("neck", "left")] is None


def test_every_region_has_a_spoken_label():
    assert region("back", "spine", "both").label == "Spine"
    assert region("back", "mid_back", "right").label == "Mid back, right"
