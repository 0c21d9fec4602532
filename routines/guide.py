"""The routines of the practitioner's back-massage guide, as data.

A data migration loads them into every new database (``write_guide_routines``
in ``routines/guide_load.py``, with the migration's historical models);
``seed_demo`` calls it again so the demo salon always has them. Where the
guide gives no time, the step's notes say which time was chosen and why.
"""

TECHNIQUES = [
    {
        "name": "Open-palm stroking",
        "hand_part": "palm",
        "default_pressure": "medium",
        "description": "Both hands together, open palms: up from the lower back to the neck, "
        "then back down in circles with a little pressure. Spreads oil warmed in the palm.",
    },
    {
        "name": "Base-of-palm stroking",
        "hand_part": "base_of_palm",
        "default_pressure": "medium",
        "description": "Circular strokes with the base of the palm, out to the sides, up, and back to the centre, "
        "working up the back. A smaller contact, so deeper than open-palm stroking.",
    },
    {
        "name": "Reinforced fingertip stroking",
        "hand_part": "fingertips",
        "default_pressure": "firm",
        "description": "Fingertips with one hand on top of the other, from the spine outward and back, "
        "from the bottom up to the neck, standing on the opposite side; start on the right side.",
    },
    {
        "name": "Reinforced thumb rubbing",
        "hand_part": "thumbs",
        "default_pressure": "firm",
        "description": "Rubbing with the thumbs along the whole length of the muscles either side of the spine, "
        "slowly upward, lighter at the neck, longer where tension is strong.",
    },
    {
        "name": "Reinforced middle-finger kneading",
        "hand_part": "middle_finger",
        "default_pressure": "firm",
        "description": "Deep kneading with the middle finger, supported by the others, on each side of the back "
        "from the bottom up; five movements at each point, more where it hurts.",
    },
    {
        "name": "Forearm stroking",
        "hand_part": "forearm",
        "default_pressure": "medium",
        "description": "The forearms glide towards the head with steady pressure, stopping just below the "
        "shoulder blades.",
    },
    {
        "name": "Thumb pressure on painful points",
        "hand_part": "thumbs",
        "default_pressure": "adaptive",
        "description": "Guided by the client's pain map and what they say: press the point, hold about five "
        "seconds, release, then press a little harder.",
    },
    {
        "name": "Thumb kneading beside the spine",
        "hand_part": "thumbs",
        "default_pressure": "light",
        "description": "Both thumbs knead softly in small circles beside (never on) the spine, from the bottom up, "
        "lingering where tension is greatest.",
    },
    {
        "name": "Gentle kneading of the buttocks",
        "hand_part": "palm",
        "default_pressure": "light",
        "description": "After the lower back, knead the buttocks gently with the whole hand.",
    },
    {
        "name": "Soft thumb kneading of neck and shoulders",
        "hand_part": "thumbs",
        "default_pressure": "light",
        "description": "The lower-back kneading used on the neck and shoulders: small soft circles with the thumbs "
        "over the shoulder muscles and the sides of the neck, never on the spine or the shoulder blades.",
    },
]

COMMON_PRECAUTIONS = [
    "Warm the oil in your palm; never pour it onto the body.",
    "Use little oil: the less oil, the deeper the effect.",
    "Keep parts not being worked covered with a warm towel.",
    "No direct pressure on bones (shoulder blades, ribs, hips) or on the spine.",
    "Stand so you reach the whole back without straining; keep your own back straight.",
]
# The guide's cue for every pressing finger or thumb.
SUPPORTED = "Support the pressing finger or thumb with the others, or it tires quickly and starts to hurt."

BACK = ["lower_back", "mid_back", "upper_back"]


def duration(minimum, maximum=None):
    return {"dose_kind": "duration", "min_minutes": minimum, "max_minutes": maximum or minimum}


def counted(count, unit, seconds, *, per_side=False, alternating_minutes=0):
    return {
        "dose_kind": "count",
        "count": count,
        "unit": unit,
        "seconds_per_unit": seconds,
        "per_side": per_side,
        "alternating_minutes": alternating_minutes,
    }


ROUTINES = [
    {
        "slug": "classic-back-massage",
        "aftercare": (
            "Drink a glass of water, keep your back warm and move gently for the rest of the day. "
            "Some muscle soreness the next day is normal; if pain grows, call us."
        ),
        "name": "Classic back massage",
        "purpose": "Relaxes the back muscles, relieves tension and mild pain, improves circulation.",
        "position": "prone",
        "qualification": "none",
        "turnover_minutes": 15,
        "oil": "Massage oil (baby oil as a substitute)",
        "towels": 3,
        "supports": ["Small pad", "Soft rollers"],
        "precautions": [*COMMON_PRECAUTIONS, "Lighter pressure at the neck."],
        "steps": [
            {"order": 1, "technique": "Open-palm stroking", "areas": [*BACK, "neck"], "direction": "bottom_up",
             "side": "both", "pressure": "medium", "area_pressure": {"neck": "light"}, **duration(5, 10),
             "notes": "Warm a little oil in your palms and apply it with both hands; up to the neck, then circle "
             "back down to the lower back."},
            {"order": 2, "technique": "Base-of-palm stroking", "areas": BACK, "direction": "circular",
             "side": "both", "pressure": "firm", **duration(5),
             "notes": "A smaller contact than the open palm, so deeper: outward, up, back to the centre, moving up "
             "the back."},
            {"order": 3, "technique": "Reinforced fingertip stroking", "areas": [*BACK, "neck"],
             "direction": "spine_outward", "side": "alternating", "pressure": "firm",
             "area_pressure": {"neck": "medium"}, **duration(5),
             "notes": "Stand on the opposite side; start with the right side, bottom to neck. One hand on top of "
             "the other."},
            {"order": 4, "technique": "Reinforced thumb rubbing", "areas": [*BACK, "neck"], "direction": "bottom_up",
             "side": "alternating", "pressure": "firm", "area_pressure": {"neck": "medium"},
             **counted(3, "cycles", 60, per_side=True, alternating_minutes=2),
             "notes": "Along the muscles either side of the spine, never on it; lighter at the neck. The guide gives "
             "no time per cycle: one minute each is assumed; each side's three cycles are followed by two minutes "
             "of stroking."},
            {"order": 5, "technique": "Reinforced middle-finger kneading", "areas": BACK, "direction": "bottom_up",
             "side": "alternating", "pressure": "firm", **counted(40, "movements", 4, per_side=True),
             "notes": "Five movements at each of about eight points per side, more at painful points. "
             "The guide gives no time: four seconds a movement is assumed. " + SUPPORTED},
            {"order": 6, "technique": "Forearm stroking", "areas": ["lower_back", "mid_back"],
             "direction": "toward_head", "side": "both", "pressure": "medium", **counted(6, "movements", 20),
             "notes": "Stop just below the shoulder blades. About twenty seconds a movement is assumed."},
            {"order": 7, "technique": "Thumb pressure on painful points", "areas": [*BACK, "shoulders"],
             "direction": "static", "side": "both", "pressure": "adaptive", "uses_pain_map": True,
             **counted(12, "holds", 15),
             "notes": "Hold about five seconds, release, press a little harder; the client guides you. "
             "Fifteen seconds per hold with release and repositioning; twelve holds is the planned default. "
             + SUPPORTED},
            {"order": 8, "technique": "Reinforced fingertip stroking", "areas": [*BACK, "neck"],
             "direction": "spine_outward", "side": "alternating", "pressure": "medium", "repeat_of": 3,
             "area_pressure": {"neck": "light"},
             **duration(2, 3), "notes": "Finish, first movement. The guide gives no time: two to three minutes."},
            {"order": 9, "technique": "Base-of-palm stroking", "areas": BACK, "direction": "circular",
             "side": "both", "pressure": "medium", "repeat_of": 2, **duration(2, 3),
             "notes": "Finish, second movement. The guide gives no time: two to three minutes."},
            {"order": 10, "technique": "Open-palm stroking", "areas": [*BACK, "neck"], "direction": "bottom_up",
             "side": "both", "pressure": "light", "repeat_of": 1, **duration(2, 3),
             "notes": "Finish, last movement. The guide gives no time: two to three minutes."},
        ],
    },
    {
        "slug": "lower-back-relief",
        "aftercare": (
            "Keep your lower back warm, walk a little and avoid lifting heavy things today. If the "
            "pain grows rather than eases, call us."
        ),
        "name": "Lower-back relief",
        "purpose": "Eases fatigue, tension and mild pain in the lower back.",
        "position": "prone",
        "qualification": "none",
        "turnover_minutes": 15,
        "oil": "Massage oil (baby oil as a substitute)",
        "towels": 3,
        "supports": ["Small pad"],
        "precautions": COMMON_PRECAUTIONS,
        "steps": [
            {"order": 1, "technique": "Open-palm stroking", "areas": ["lower_back"], "direction": "bottom_up",
             "side": "both", "pressure": "light", **duration(3, 5),
             "notes": "Warm-up and oil. Three to five minutes chosen; the guide gives no time here."},
            {"order": 2, "technique": "Thumb kneading beside the spine", "areas": ["lower_back"],
             "direction": "bottom_up", "side": "both", "pressure": "light", **duration(10, 15),
             "notes": "Soft kneading in small circles from the bottom up: the muscles only, no pressure on the "
             "spine; extra attention where tension is greatest. Ten to fifteen minutes chosen."},
            {"order": 3, "technique": "Gentle kneading of the buttocks", "areas": ["buttocks"],
             "direction": "circular", "side": "both", "pressure": "light", **duration(5, 8),
             "notes": "Gently knead the buttocks. Five to eight minutes chosen."},
            {"order": 4, "technique": "Open-palm stroking", "areas": ["lower_back"], "direction": "bottom_up",
             "side": "both", "pressure": "light", "repeat_of": 1, **duration(2, 3),
             "notes": "Finish. Two to three minutes chosen."},
        ],
    },
    {
        "slug": "neck-and-shoulders",
        "aftercare": (
            "Keep your neck warm and take short breaks from the screen to roll your shoulders. If "
            "pain grows, call us."
        ),
        "name": "Neck and shoulders",
        "purpose": "The lower-back kneading technique applied to the neck and shoulders.",
        "position": "prone",
        "qualification": "none",
        "turnover_minutes": 10,
        "oil": "Massage oil (baby oil as a substitute)",
        "towels": 3,
        "supports": ["Small pad under the ankles", "Soft roller under the shoulders if needed"],
        "precautions": [*COMMON_PRECAUTIONS, "Lighter pressure at the neck."],
        "steps": [
            {"order": 1, "technique": "Open-palm stroking", "areas": ["upper_back", "shoulders", "neck"],
             "direction": "bottom_up", "side": "both", "pressure": "light", **duration(3, 5),
             "notes": "Warm-up and oil. Three to five minutes chosen."},
            {"order": 2, "technique": "Thumb kneading beside the spine", "areas": ["neck"], "direction": "bottom_up",
             "side": "both", "pressure": "light", **duration(5, 8),
             "notes": "Beside the cervical spine, never on it; light at the neck. Five to eight minutes chosen."},
            {"order": 3, "technique": "Soft thumb kneading of neck and shoulders", "areas": ["shoulders", "upper_back"],
             "direction": "circular", "side": "alternating", "pressure": "medium", **duration(8, 12),
             "notes": "Small circles over the shoulder muscles and between the shoulder blades, not on the blades "
             "themselves. Eight to twelve minutes."},
            {"order": 4, "technique": "Open-palm stroking", "areas": ["upper_back", "shoulders", "neck"],
             "direction": "top_down", "side": "both", "pressure": "light", "repeat_of": 1, **duration(2, 3),
             "notes": "Finish. Two to three minutes chosen."},
        ],
    },
    {
        "slug": "pregnancy-back-massage",
        "aftercare": (
            "Rest on your side for a while, drink water and get up slowly. If anything feels "
            "wrong, call your midwife or doctor."
        ),
        "name": "Pregnancy back massage",
        "purpose": "A gentle back massage for pregnant clients, lying on their side.",
        "position": "side_lying",
        "qualification": "pregnancy",
        "turnover_minutes": 15,
        "oil": "Neutral, unscented oil (baby oil)",
        "towels": 4,
        "supports": ["Pillow between the knees", "Pillow under the head", "Small pad under the belly"],
        "precautions": [
            *COMMON_PRECAUTIONS,
            "Client lies on her side throughout; she turns halfway to give the other side.",
            "Light to medium pressure only; stop at any discomfort.",
        ],
        "steps": [
            {"order": 1, "technique": "Open-palm stroking", "areas": [*BACK, "shoulders"], "direction": "bottom_up",
             "side": "both", "pressure": "light", **duration(5, 8),
             "notes": "Each side after the client turns. Five to eight minutes chosen."},
            {"order": 2, "technique": "Base-of-palm stroking", "areas": BACK, "direction": "circular",
             "side": "both", "pressure": "medium", **duration(4, 6),
             "notes": "Four to six minutes chosen."},
            {"order": 3, "technique": "Thumb kneading beside the spine", "areas": ["lower_back"],
             "direction": "bottom_up", "side": "both", "pressure": "medium", **duration(6, 10),
             "notes": "Beside the spine only. Six to ten minutes chosen."},
            {"order": 4, "technique": "Soft thumb kneading of neck and shoulders", "areas": ["shoulders", "neck"],
             "direction": "circular", "side": "both", "pressure": "light", **duration(4, 6),
             "notes": "Light at the neck. Four to six minutes chosen."},
            {"order": 5, "technique": "Open-palm stroking", "areas": [*BACK, "shoulders"], "direction": "top_down",
             "side": "both", "pressure": "light", "repeat_of": 1, **duration(2, 3),
             "notes": "Finish. Two to three minutes chosen."},
        ],
    },
    {
        "slug": "therapeutic-back-massage",
        "aftercare": (
            "Some soreness for a day or two is expected; keep moving gently and follow the "
            "exercises you were shown. If pain grows, call us."
        ),
        "name": "Therapeutic back massage",
        "purpose": "Recovery of the muscles after injury and relief of spasm in the lower back.",
        "position": "prone",
        "qualification": "therapeutic",
        "turnover_minutes": 15,
        "oil": "Massage oil (baby oil as a substitute)",
        "towels": 3,
        "supports": ["Small pad", "Soft rollers"],
        "precautions": [
            *COMMON_PRECAUTIONS,
            "The client reports sensations throughout; adjust pressure continuously.",
            "Mild pain at first is expected; stop and reassess if it grows.",
        ],
        "steps": [
            {"order": 1, "technique": "Open-palm stroking", "areas": BACK, "direction": "bottom_up",
             "side": "both", "pressure": "medium", **duration(5, 8),
             "notes": "Warm-up and oil. Five to eight minutes chosen."},
            {"order": 2, "technique": "Base-of-palm stroking", "areas": BACK, "direction": "circular",
             "side": "both", "pressure": "medium", **duration(5),
             "notes": "As in the classic massage."},
            {"order": 3, "technique": "Reinforced thumb rubbing", "areas": BACK, "direction": "bottom_up",
             "side": "alternating", "pressure": "adaptive",
             **counted(3, "cycles", 60, per_side=True, alternating_minutes=2),
             "notes": "Pressure follows what the client reports. One minute per cycle assumed."},
            {"order": 4, "technique": "Reinforced middle-finger kneading", "areas": ["lower_back", "mid_back"],
             "direction": "bottom_up", "side": "alternating", "pressure": "adaptive",
             **counted(30, "movements", 4, per_side=True),
             "notes": "On the areas prone to spasm, stretching the muscle. Four seconds a movement assumed."},
            {"order": 5, "technique": "Thumb pressure on painful points", "areas": [*BACK, "shoulders"],
             "direction": "static", "side": "both", "pressure": "adaptive", "uses_pain_map": True,
             **counted(12, "holds", 15),
             "notes": "Hold about five seconds, release, press again; guided by the pain map and the client."},
            {"order": 6, "technique": "Open-palm stroking", "areas": BACK, "direction": "bottom_up",
             "side": "both", "pressure": "light", "repeat_of": 1, **duration(3, 5),
             "notes": "Finish. Three to five minutes chosen."},
        ],
    },
]  # fmt: skip


# The steps without which each routine is not itself (by order): the opening
# stroking that spreads the warmed oil, and the routine's main technique. A
# plan that would have to leave one out is refused (sessions/plans.py).
CORE_STEPS = {
    "classic-back-massage": [1, 4],
    "lower-back-relief": [1, 2],
    "neck-and-shoulders": [1, 3],
    "pregnancy-back-massage": [1, 2],
    "therapeutic-back-massage": [1, 3],
}


# Techniques that work the muscles either side of the spine: with a wound or
# injury on the spine itself they are left out, not just kept off the spine.
BESIDE_SPINE = {
    "Reinforced fingertip stroking",
    "Reinforced thumb rubbing",
    "Reinforced middle-finger kneading",
    "Thumb kneading beside the spine",
    "Soft thumb kneading of neck and shoulders",  # between the shoulder blades and beside the neck
}
