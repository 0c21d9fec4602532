"""The guide's routines in German (see ``routines/guide.py`` for the English).

Written for a German massage practice: step notes in the short infinitive
style of a treatment card, advice to clients in the Sie-form. Keyed by the
English text each line translates, so a translation is only attached to the
text it was written for: a routine whose English has been edited since keeps
that field in its own words until someone translates the new text.

``german_add`` and ``german_remove`` take the model classes so that a data
migration can pass its historical models.
"""

from routines.guide import COMMON_PRECAUTIONS

SUPPORTED_DE = (
    "Den drückenden Finger oder Daumen mit den übrigen Fingern stützen, sonst ermüdet er schnell und schmerzt."
)
FOUR_SECONDS_CLASSIC = (
    "Fünf Bewegungen an jedem von etwa acht Punkten pro Seite, an schmerzhaften Stellen mehr. "
    "Der Leitfaden nennt keine Zeit: vier Sekunden pro Bewegung angenommen. "
)
HOLDS_CLASSIC = (
    "Etwa fünf Sekunden halten, lösen, etwas fester drücken; der Kunde gibt die Richtung vor. "
    "Fünfzehn Sekunden pro Druckpunkt samt Lösen und Umgreifen; zwölf Druckpunkte sind als Standard geplant. "
)

TECHNIQUES_DE = {
    "Open-palm stroking": {
        "name": "Streichen mit der flachen Hand",
        "description": "Beide Hände gleichzeitig, flach aufgelegt: vom unteren Rücken hinauf bis zum Nacken, dann "
        "mit leichtem Druck in Kreisen zurück nach unten. Verteilt das in der Hand angewärmte Öl.",
    },
    "Base-of-palm stroking": {
        "name": "Streichen mit dem Handballen",
        "description": "Kreisendes Streichen mit dem Handballen: nach außen zu den Flanken, nach oben und zurück "
        "zur Mitte, dabei den Rücken hinaufarbeiten. Kleinere Auflagefläche, daher tiefer als mit der flachen Hand.",
    },
    "Reinforced fingertip stroking": {
        "name": "Verstärktes Streichen mit den Fingerspitzen",
        "description": "Fingerspitzen, eine Hand auf der anderen: von der Wirbelsäule nach außen und zurück, von "
        "unten bis zum Nacken; von der gegenüberliegenden Seite aus arbeiten, rechts beginnen.",
    },
    "Reinforced thumb rubbing": {
        "name": "Verstärktes Reiben mit den Daumen",
        "description": "Mit den Daumen die Muskeln beiderseits der Wirbelsäule in ganzer Länge reiben, langsam "
        "nach oben; am Nacken weniger Druck, bei starker Verspannung länger verweilen.",
    },
    "Reinforced middle-finger kneading": {
        "name": "Verstärktes Kneten mit dem Mittelfinger",
        "description": "Tiefes Kneten mit dem Mittelfinger, von den übrigen Fingern gestützt, auf beiden Seiten "
        "des Rückens von unten nach oben; fünf Bewegungen je Punkt, an schmerzhaften Stellen mehr.",
    },
    "Forearm stroking": {
        "name": "Streichen mit den Unterarmen",
        "description": "Die Unterarme gleiten mit gleichmäßigem Druck Richtung Kopf und halten knapp unterhalb "
        "der Schulterblätter an.",
    },
    "Thumb pressure on painful points": {
        "name": "Daumendruck auf Schmerzpunkte",
        "description": "Nach Schmerzkarte und Rückmeldung des Kunden: den Punkt drücken, etwa fünf Sekunden "
        "halten, lösen, dann etwas fester drücken.",
    },
    "Thumb kneading beside the spine": {
        "name": "Daumenkneten neben der Wirbelsäule",
        "description": "Beide Daumen kneten sanft in kleinen Kreisen neben (nie auf) der Wirbelsäule, von unten "
        "nach oben; dort länger bleiben, wo die Verspannung am größten ist.",
    },
    "Gentle kneading of the buttocks": {
        "name": "Sanftes Kneten des Gesäßes",
        "description": "Im Anschluss an den unteren Rücken das Gesäß mit der ganzen Hand sanft durchkneten.",
    },
    "Soft thumb kneading of neck and shoulders": {
        "name": "Sanftes Daumenkneten an Nacken und Schultern",
        "description": "Das Kneten des unteren Rückens, übertragen auf Nacken und Schultern: kleine, weiche "
        "Daumenkreise über der Schultermuskulatur und seitlich am Hals, nie auf der Wirbelsäule oder den "
        "Schulterblättern.",
    },
}

# Lines that several routines share: supplies, supports and precautions.
LINES_DE = {
    "Massage table (or a firm bed, couch or floor mat)": "Massageliege (ersatzweise ein festes Bett, Sofa "
    "oder eine Bodenmatte)",
    "Massage oil (baby oil as a substitute)": "Massageöl (ersatzweise Babyöl)",
    "Neutral, unscented oil (baby oil)": "Neutrales, unparfümiertes Öl (Babyöl)",
    "Small pad": "Kleines Polster",
    "Soft rollers": "Weiche Rollen",
    "Small pad under the ankles": "Kleines Polster unter den Fußgelenken",
    "Soft roller under the shoulders if needed": "Bei Bedarf eine weiche Rolle unter die Schultern",
    "Pillow between the knees": "Kissen zwischen den Knien",
    "Pillow under the head": "Kissen unter dem Kopf",
    "Small pad under the belly": "Kleines Polster unter dem Bauch",
    COMMON_PRECAUTIONS[0]: "Öl in der Handfläche anwärmen, nie direkt auf den Körper gießen.",
    COMMON_PRECAUTIONS[1]: "Sparsam ölen: je weniger Öl, desto tiefer die Wirkung.",
    COMMON_PRECAUTIONS[2]: "Was gerade nicht behandelt wird, bleibt mit einem warmen Handtuch bedeckt.",
    COMMON_PRECAUTIONS[3]: "Kein direkter Druck auf Knochen (Schulterblätter, Rippen, Hüftknochen) oder auf "
    "die Wirbelsäule.",
    COMMON_PRECAUTIONS[4]: "So stehen, dass der ganze Rücken ohne Strecken erreichbar ist; den eigenen Rücken "
    "gerade halten.",
    "Lighter pressure at the neck.": "Am Nacken weniger Druck.",
    "Client lies on her side throughout; she turns halfway to give the other side.": "Die Kundin liegt die "
    "ganze Zeit auf der Seite; nach der Hälfte dreht sie sich auf die andere Seite.",
    "Light to medium pressure only; stop at any discomfort.": "Nur leichter bis mittlerer Druck; bei jedem "
    "Unwohlsein sofort aufhören.",
    "The client reports sensations throughout; adjust pressure continuously.": "Der Kunde sagt während der "
    "ganzen Behandlung, was er spürt; den Druck laufend anpassen.",
    "Mild pain at first is expected; stop and reassess if it grows.": "Leichter Schmerz zu Beginn ist "
    "normal; nimmt er zu, unterbrechen und neu beurteilen.",
}

FINISH_TWO_TO_THREE = "Abschluss. Zwei bis drei Minuten gewählt."

ROUTINES_DE = {
    "classic-back-massage": {
        "name": "Klassische Rückenmassage",
        "purpose": "Lockert die Rückenmuskulatur, löst Verspannungen und leichte Schmerzen, fördert die Durchblutung.",
        "aftercare": "Trinken Sie ein Glas Wasser, halten Sie Ihren Rücken warm und bewegen Sie sich heute nur "
        "sanft. Ein leichter Muskelkater am nächsten Tag ist normal; werden die Schmerzen stärker, rufen Sie uns "
        "bitte an.",
        "steps": {
            1: "Etwas Öl in den Handflächen anwärmen und mit beiden Händen auftragen; hinauf bis zum Nacken, dann "
            "in Kreisen zurück zum unteren Rücken.",
            2: "Kleinere Auflagefläche als die flache Hand, daher tiefer: nach außen, nach oben, zurück zur Mitte, "
            "dabei den Rücken hinaufarbeiten.",
            3: "Von der gegenüberliegenden Seite aus arbeiten; rechts beginnen, von unten bis zum Nacken. Eine "
            "Hand liegt auf der anderen.",
            4: "Entlang der Muskeln beiderseits der Wirbelsäule, nie auf ihr; am Nacken leichter. Der Leitfaden "
            "nennt keine Zeit pro Durchgang: je eine Minute angenommen; auf die drei Durchgänge jeder Seite folgen "
            "zwei Minuten Streichen.",
            5: FOUR_SECONDS_CLASSIC + SUPPORTED_DE,
            6: "Knapp unterhalb der Schulterblätter anhalten. Etwa zwanzig Sekunden pro Bewegung angenommen.",
            7: HOLDS_CLASSIC + SUPPORTED_DE,
            8: "Abschluss, erste Bewegung. Der Leitfaden nennt keine Zeit: zwei bis drei Minuten.",
            9: "Abschluss, zweite Bewegung. Der Leitfaden nennt keine Zeit: zwei bis drei Minuten.",
            10: "Abschluss, letzte Bewegung. Der Leitfaden nennt keine Zeit: zwei bis drei Minuten.",
        },
    },
    "lower-back-relief": {
        "name": "Entlastung für den unteren Rücken",
        "purpose": "Lindert Ermüdung, Verspannung und leichte Schmerzen im unteren Rücken.",
        "aftercare": "Halten Sie den unteren Rücken warm, gehen Sie ein paar Schritte und heben Sie heute nichts "
        "Schweres. Wird der Schmerz stärker statt schwächer, rufen Sie uns bitte an.",
        "steps": {
            1: "Aufwärmen und Öl auftragen. Drei bis fünf Minuten gewählt; der Leitfaden nennt hier keine Zeit.",
            2: "Sanft in kleinen Kreisen von unten nach oben kneten: nur die Muskulatur, kein Druck auf die "
            "Wirbelsäule; wo die Verspannung am größten ist, länger bleiben. Zehn bis fünfzehn Minuten gewählt.",
            3: "Das Gesäß sanft durchkneten. Fünf bis acht Minuten gewählt.",
            4: FINISH_TWO_TO_THREE,
        },
    },
    "neck-and-shoulders": {
        "name": "Nacken und Schultern",
        "purpose": "Die Knettechnik für den unteren Rücken, angewandt auf Nacken und Schultern.",
        "aftercare": "Halten Sie Ihren Nacken warm und legen Sie am Bildschirm kurze Pausen ein, in denen Sie die "
        "Schultern kreisen lassen. Werden die Schmerzen stärker, rufen Sie uns bitte an.",
        "steps": {
            1: "Aufwärmen und Öl auftragen. Drei bis fünf Minuten gewählt.",
            2: "Neben der Halswirbelsäule, nie auf ihr; am Nacken leicht. Fünf bis acht Minuten gewählt.",
            3: "Kleine Kreise über der Schultermuskulatur und zwischen den Schulterblättern, nicht auf den "
            "Schulterblättern selbst. Acht bis zwölf Minuten.",
            4: FINISH_TWO_TO_THREE,
        },
    },
    "pregnancy-back-massage": {
        "name": "Rückenmassage in der Schwangerschaft",
        "purpose": "Eine sanfte Rückenmassage für Schwangere in Seitenlage.",
        "aftercare": "Bleiben Sie noch eine Weile auf der Seite liegen, trinken Sie Wasser und stehen Sie langsam "
        "auf. Fühlt sich etwas nicht richtig an, wenden Sie sich bitte an Ihre Hebamme oder Ihre Ärztin bzw. "
        "Ihren Arzt.",
        "steps": {
            1: "Jede Seite, nachdem sich die Kundin umgedreht hat. Fünf bis acht Minuten gewählt.",
            2: "Vier bis sechs Minuten gewählt.",
            3: "Nur neben der Wirbelsäule. Sechs bis zehn Minuten gewählt.",
            4: "Am Nacken leicht. Vier bis sechs Minuten gewählt.",
            5: FINISH_TWO_TO_THREE,
        },
    },
    "therapeutic-back-massage": {
        "name": "Therapeutische Rückenmassage",
        "purpose": "Erholung der Muskulatur nach Verletzungen und Lösen von Verkrampfungen im unteren Rücken.",
        "aftercare": "Ein bis zwei Tage Muskelkater sind zu erwarten; bleiben Sie sanft in Bewegung und machen "
        "Sie die Übungen, die wir Ihnen gezeigt haben. Werden die Schmerzen stärker, rufen Sie uns bitte an.",
        "steps": {
            1: "Aufwärmen und Öl auftragen. Fünf bis acht Minuten gewählt.",
            2: "Wie bei der klassischen Rückenmassage.",
            3: "Der Druck richtet sich nach dem, was der Kunde zurückmeldet. Eine Minute pro Durchgang angenommen.",
            4: "An den zu Verkrampfungen neigenden Stellen, dabei den Muskel dehnen. Vier Sekunden pro Bewegung "
            "angenommen.",
            5: "Etwa fünf Sekunden halten, lösen, erneut drücken; nach Schmerzkarte und Rückmeldung des Kunden.",
            6: "Abschluss. Drei bis fünf Minuten gewählt.",
        },
    },
}


def _english_steps() -> dict[str, dict[int, str]]:
    from routines.guide import ROUTINES

    return {spec["slug"]: {step["order"]: step.get("notes", "") for step in spec["steps"]} for spec in ROUTINES}


def _english_routines() -> dict[str, dict]:
    from routines.guide import ROUTINES

    return {spec["slug"]: spec for spec in ROUTINES}


def _with_german(translations: dict | None, german: dict) -> dict:
    """``translations`` with ``german`` added to its "de" entry, keeping any
    German someone has written already."""
    translations = dict(translations or {})
    written = dict(translations.get("de") or {})
    translations["de"] = {**german, **{name: text for name, text in written.items() if text}}
    return translations


def routine_german(routine) -> dict:
    """The German of a guide routine version, for the fields whose English is
    still the guide's."""
    german = ROUTINES_DE.get(routine.slug)
    english = _english_routines().get(routine.slug)
    if german is None or english is None:
        return {}
    texts = {name: german[name] for name in ("name", "purpose", "aftercare") if getattr(routine, name) == english[name]}
    for name in ("surface", "oil"):
        if getattr(routine, name, "") in LINES_DE:
            texts[name] = LINES_DE[getattr(routine, name)]
    for name in ("supports", "precautions"):
        lines = getattr(routine, name, None) or []
        if lines and all(line in LINES_DE for line in lines):
            texts[name] = [LINES_DE[line] for line in lines]
    return texts


def step_german(slug: str, step) -> dict:
    german = ROUTINES_DE.get(slug, {}).get("steps", {}).get(step.order)
    if german and step.notes and step.notes == _english_steps().get(slug, {}).get(step.order):
        return {"notes": german}
    return {}


def german_add(technique_model, routine_model, step_model) -> None:
    """German for the guide's techniques and for every version of the guide's
    routines and their steps, where the English is still the guide's."""
    for technique in technique_model.objects.filter(name__in=TECHNIQUES_DE):
        german = dict(TECHNIQUES_DE[technique.name])
        if technique.description != _technique_description(technique.name):
            german.pop("description")
        technique.translations = _with_german(technique.translations, german)
        technique.save(update_fields=["translations"])
    for routine in routine_model.objects.filter(slug__in=ROUTINES_DE):
        german = routine_german(routine)
        if german:
            routine.translations = _with_german(routine.translations, german)
            routine.save(update_fields=["translations"])
        for step in step_model.objects.filter(routine=routine):
            german = step_german(routine.slug, step)
            if german:
                step.translations = _with_german(step.translations, german)
                step.save(update_fields=["translations"])


def _technique_description(name: str) -> str:
    from routines.guide import TECHNIQUES

    return next((spec["description"] for spec in TECHNIQUES if spec["name"] == name), "")


def german_remove(technique_model, routine_model, step_model) -> None:
    """Undo :func:`german_add`: the German of the guide's techniques and
    routines goes (other languages stay)."""
    for rows in (
        technique_model.objects.filter(name__in=TECHNIQUES_DE),
        routine_model.objects.filter(slug__in=ROUTINES_DE),
        step_model.objects.filter(routine__slug__in=ROUTINES_DE),
    ):
        for row in rows:
            if "de" in (row.translations or {}):
                row.translations = {code: texts for code, texts in row.translations.items() if code != "de"}
                row.save(update_fields=["translations"])


# German for the demo salon's menu sentences (config/demo_data.py), keyed by
# the English they translate: ``service_set(..., translations={"de":
# {"description": MENU_DESCRIPTIONS_DE[description]}})``.
MENU_DESCRIPTIONS_DE = {
    "The whole back, from gentle stroking to deeper work on tense spots.": "Der ganze Rücken, vom sanften "
    "Ausstreichen bis zur gezielten Arbeit an verspannten Stellen.",
    "Focused work beside the spine where the lower back is tight.": "Gezielte Arbeit neben der Wirbelsäule, "
    "wo der untere Rücken verspannt ist.",
    "Neck and shoulders, with lighter pressure at the neck.": "Nacken und Schultern, am Nacken mit sanfterem Druck.",
    "Lying on your side with cushions, by a therapist trained for pregnancy massage.": "In bequemer Seitenlage "
    "mit Kissen, von einer für Schwangerschaftsmassage ausgebildeten Fachkraft.",
    "For recovery after an injury or a spasm, by a qualified therapist.": "Zur Erholung nach einer Verletzung "
    "oder Verkrampfung, von einer qualifizierten Fachkraft.",
}
