"""The demo salon, Lindenhof Massage, as data: ``manage.py seed_demo`` writes
it through the services. Its screenings exercise every screening rule."""

import datetime

from salon.roles import Role

SALON = {
    "name": "Lindenhof Massage",
    "time_zone": "Europe/Berlin",
    "address": "Lindenstraße 12\n10969 Berlin",
    "phone": "+49 30 55571200",
    "email": "hello@lindenhof-massage.example",
    "currency": "EUR",
    "default_turnover_minutes": 15,
}

# The demo manager's authenticator secret (base32), published in the README
# and printed by `make run` so that anyone trying the demo, and scripts, can
# sign in as the manager. Never reuse it for a real account.
DEMO_MANAGER_TOTP_SECRET = "SALONDEMOMANAGERTOTPSECRETKEY234"  # noqa: S105 (published on purpose)

STAFF = [
    {"username": "manager", "first_name": "Petra", "last_name": "Wagner", "roles": [Role.MANAGER]},
    {"username": "reception", "first_name": "Clara", "last_name": "Hoffmann", "roles": [Role.RECEPTIONIST]},
]

THERAPISTS = [
    {"username": "therapist1", "first_name": "Anna", "last_name": "Becker"},
    {"username": "therapist2", "first_name": "Jonas", "last_name": "Weber", "qualified_therapeutic": True},
    {"username": "therapist3", "first_name": "Mira", "last_name": "Schulz", "qualified_pregnancy": True},
    {
        "username": "therapist4",
        "first_name": "Lukas",
        "last_name": "Fischer",
        "qualified_therapeutic": True,
        "qualified_pregnancy": True,
    },
]

ROOMS = [
    {"name": "Linden", "equipment": "Adjustable massage table, towel warmer, bolsters"},
    {"name": "Birke", "equipment": "Massage table with face cradle, side-lying pillows for pregnancy"},
    {"name": "Ahorn", "equipment": "Massage table, heated pads, soft rollers"},
]

# The demo salon's service menu: each routine's lengths (minutes) with their
# prices in euro cents, a sentence for clients, and whether clients may
# book it online (therapeutic massage is arranged at the desk).
SERVICES = {
    "classic-back-massage": {
        "lengths": [(45, 5900), (60, 7200)],
        "description": "The whole back, from gentle stroking to deeper work on tense spots.",
        "online": True,
    },
    "lower-back-relief": {
        "lengths": [(30, 3900), (45, 5200)],
        "description": "Focused work beside the spine where the lower back is tight.",
        "online": True,
    },
    "neck-and-shoulders": {
        "lengths": [(30, 3500)],
        "description": "Neck and shoulders, with lighter pressure at the neck.",
        "online": True,
    },
    "pregnancy-back-massage": {
        "lengths": [(30, 4200), (45, 5500), (60, 6800)],
        "description": "Lying on your side with cushions, by a therapist trained for pregnancy massage.",
        "online": True,
    },
    "therapeutic-back-massage": {
        "lengths": [(45, 6500), (60, 8000)],
        "description": "For recovery after an injury or a spasm, by a qualified therapist.",
        "online": False,
    },
}

CLIENTS = [
    {
        "given_name": "Sabine",
        "family_name": "Krüger",
        "email": "sabine.krueger@example.com",
        "phone": "+49 151 23456789",
        "date_of_birth": datetime.date(1978, 4, 2),
        "consent_reminders": True,
        "consent_feedback": True,
    },
    {
        "given_name": "Thomas",
        "family_name": "Müller",
        "phone": "+49 170 9876543",
        "preferred_channel": "sms",
        "consent_reminders": True,
    },
    {
        "given_name": "Leonie",
        "family_name": "Schmitt",
        "email": "leonie.schmitt@example.org",
        "date_of_birth": datetime.date(1991, 11, 19),
        "consent_reminders": True,
        "consent_feedback": True,
        "front_desk_notes": "Prefers late-afternoon slots and a warm room.",
    },
    {
        "given_name": "Mehmet",
        "family_name": "Yılmaz",
        "email": "m.yilmaz@example.net",
        "phone": "+49 176 11223344",
        "preferred_channel": "sms",
        "consent_reminders": True,
        "consent_feedback": False,
    },
    {
        "given_name": "Julia",
        "family_name": "Neumann",
        "email": "julia.neumann@example.com",
        "date_of_birth": datetime.date(1988, 6, 30),
        "consent_reminders": True,
        "consent_feedback": True,
        "front_desk_notes": "Likes to book the next visit before leaving.",
    },
    {
        "given_name": "Olivia",
        "family_name": "Smith",
        "email": "olivia.smith@example.co.uk",
        "phone": "+44 7911 123456",
        "consent_reminders": False,
        "consent_feedback": True,
    },
    {
        "given_name": "Étienne",
        "family_name": "Dubois",
        "phone": "+33 6 12 34 56 78",
        "preferred_channel": "sms",
        "date_of_birth": datetime.date(1969, 2, 14),
    },
    {
        "given_name": "Katharina",
        "family_name": "von Arnim",
        "email": "k.vonarnim@example.de",
        "consent_reminders": True,
        "consent_feedback": True,
        "front_desk_notes": "Comes straight from work; call the mobile before 17:00.",
    },
    {
        "given_name": "Felix",
        "family_name": "Braun",
        "email": "felix.braun@example.com",
        "phone": "+49 160 5550101",
        "date_of_birth": datetime.date(2001, 9, 8),
        "consent_reminders": True,
    },
    {
        "given_name": "Aisha",
        "family_name": "Rahman",
        "email": "aisha.rahman@example.org",
        "phone": "+49 157 30405060",
        "preferred_channel": "sms",
        "consent_reminders": True,
        "consent_feedback": True,
    },
    {
        "given_name": "Henrik",
        "family_name": "Lange",
        "phone": "+49 30 7788990",
        "date_of_birth": datetime.date(1955, 12, 1),
        "front_desk_notes": "Landline only, no text messages.",
    },
    {
        "given_name": "Marta",
        "family_name": "Nowak",
        "email": "marta.nowak@example.pl",
        "phone": "+48 601 234 567",
        "consent_reminders": True,
        "consent_feedback": True,
    },
]


# Screenings that exercise every screening rule, keyed by the client's name.
SCREENINGS = {
    ("Julia", "Neumann"): {
        "pregnant": True,
        "pregnancy_weeks": 24,
        "pregnancy_high_risk": True,
        "prone_discomfort": ["lower_back"],
    },
    ("Katharina", "von Arnim"): {
        "skin_injuries": True,
        "skin_injury_areas": ["lower_back"],
        "skin_injury_note": "Healing graze above the belt line",
        "pain_map": [{"area": "upper_back", "side": "right", "intensity": 6, "note": "Between the shoulder blades"}],
    },
    ("Henrik", "Lange"): {
        "acute_spinal_inflammation": True,
        "recent_injury": True,
        "recent_injury_what": "Shoulder dislocation",
        "recent_injury_when": datetime.date(2026, 8, 14),
        "recent_injury_areas": ["shoulders"],
    },
    ("Mehmet", "Yılmaz"): {"oil_or_nut_allergy": True, "allergies": "Almonds and almond oil"},
    ("Sabine", "Krüger"): {
        "prone_discomfort": ["neck", "ankles"],
        "pain_map": [
            {"area": "lower_back", "side": "left", "intensity": 8, "note": "Worse after long drives"},
            {"area": "shoulders", "side": "both", "intensity": 5, "note": ""},
            {"area": "neck", "side": "right", "intensity": 2, "note": "Stiff in the morning"},
        ],
    },
    ("Leonie", "Schmitt"): {
        "pressure_preference": "light",
        "pain_map": [{"area": "shoulders", "side": "left", "intensity": 6, "note": "Desk work"}],
    },
    ("Felix", "Braun"): {"pain_map": [{"area": "lower_back", "side": "both", "intensity": 7, "note": "Gym"}]},
    ("Olivia", "Smith"): {"medications": "Antihistamines in spring; a blood thinner", "blood_thinners": True},
    ("Thomas", "Müller"): {"blood_clots": True},
    ("Étienne", "Dubois"): {
        "osteoporosis": True,
        "recent_injury": True,
        "recent_injury_what": "Broken rib",
        "recent_injury_when": datetime.date(2026, 10, 2),
        "recent_injury_areas": ["mid_back"],
    },
    ("Marta", "Nowak"): {"fever_or_acute_illness": True},
    ("Aisha", "Rahman"): {"pressure_preference": "firm"},
}


# Rotas in local time: (weekdays, start, end). Jonas works a split shift,
# Mira part-time.
ROTAS = {
    "therapist1": [(range(0, 5), "09:00", "17:00")],
    "therapist2": [(range(1, 6), "08:00", "12:00"), (range(1, 6), "15:00", "20:00")],
    "therapist3": [((0, 2, 4), "10:00", "16:00")],
    "therapist4": [(range(0, 5), "12:00", "20:00"), ((5,), "09:00", "14:00")],
}
OPENING = [(range(0, 6), "08:00", "20:00")]
# (client's given name, routine slug) in the order bookings are handed out.
REGULARS = [
    ("Sabine", "classic-back-massage"),
    ("Julia", "pregnancy-back-massage"),
    ("Leonie", "neck-and-shoulders"),
    ("Felix", "lower-back-relief"),
    ("Katharina", "classic-back-massage"),
    ("Mehmet", "classic-back-massage"),
    ("Thomas", "lower-back-relief"),
    ("Aisha", "classic-back-massage"),
    ("Olivia", "neck-and-shoulders"),
    ("Marta", "lower-back-relief"),
]
SESSION_TIMES = ["09:00", "10:30", "12:15", "14:00", "15:45", "17:30"]
