"""The demo network as data: its libraries, their towns and streets, membership types and titles."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

ACTOR = "demo"
GROUP = "OOST"


@dataclass(frozen=True)
class Library:
    code: str
    name: str
    weight: int
    postal_codes: tuple[str, ...]


LIBRARIES = (
    Library(
        "GENT",
        "Bibliotheek Gent",
        6,
        ("9000", "9000", "9000", "9030", "9031", "9032", "9040", "9041", "9042", "9050", "9051"),
    ),
    Library("MERE", "Bibliotheek Merelbeke", 2, ("9820", "9820", "9820", "9090", "9860")),
    Library("LOCH", "Bibliotheek Lochristi", 2, ("9080", "9080", "9080", "9070", "9185")),
)
CODES = tuple(library.code for library in LIBRARIES)
TOWNS = {
    "9000": "Gent", "9030": "Mariakerke", "9031": "Drongen", "9032": "Wondelgem",
    "9040": "Sint-Amandsberg", "9041": "Oostakker", "9042": "Desteldonk", "9050": "Gentbrugge",
    "9051": "Afsnee", "9820": "Merelbeke", "9090": "Melle", "9860": "Oosterzele",
    "9080": "Lochristi", "9070": "Destelbergen", "9185": "Wachtebeke",
}  # fmt: skip
STREETS = ("Kerkstraat", "Stationsstraat", "Dorpsstraat", "Molenstraat", "Schoolstraat",
           "Nieuwstraat", "Beekstraat", "Lindenlaan", "Kouterweg", "Veldstraat")  # fmt: skip


def street_of(card: str) -> tuple[str, str]:
    """A street and house number that stay the same for the same card (the plan is seeded)."""
    number = int(card)
    return STREETS[number % len(STREETS)], str(number % 173 + 1)


def phone_of(card: str) -> str:
    """Seven in ten have a phone number, written as people give it (09 …, 04xx …)."""
    number = int(card)
    if number % 10 >= 7:
        return ""
    if number % 2:
        return f"09 2{number % 100:02d} {number // 100 % 100:02d} {number // 10000 % 100:02d}"
    return f"0470 {number % 100:02d} {number // 100 % 100:02d} {number // 10000 % 100:02d}"


@dataclass(frozen=True)
class TypeSpec:
    code: str
    name: str
    kind: str
    fee: Decimal
    months: int
    booking_code: int
    min_age: int | None = None
    max_age: int | None = None
    next_type: str | None = None  # the code of the type that follows past max_age


YEAR, SHORT, YOUTH, SENIOR = "VOLW", "KORT", "JEUGD", "SENIOR"
TYPES = (
    TypeSpec(YEAR, "Volwassene, 12 maanden", "paying", Decimal("12.00"), 12, 1001),
    TypeSpec(SHORT, "Kort lidmaatschap, 3 maanden", "paying", Decimal("5.00"), 3, 1002),
    TypeSpec(YOUTH, "Jeugd tot 18 jaar (gratis)", "free", Decimal("0.00"), 12, 1003, 0, 17, YEAR),
    TypeSpec(
        SENIOR, "Senior 65+ (gratis, automatisch verlengd)", "free-auto", Decimal("0.00"), 12, 1004
    ),
)

TITLES = (
    "Het verdriet van België", "De helaasheid der dingen", "Het smelt", "Oorlog en terpentijn",
    "De avonden", "Max Havelaar", "Kaas", "Congo. Een geschiedenis", "Revolusi",
    "De aanslag", "Het diner", "Bonita Avenue", "Tirza", "De ontdekking van de hemel",
    "Het boek van alle dingen", "Pluk van de Petteflet", "Dolfje Weerwolfje", "Kruimeltje",
    "De Kleine Prins", "Harry Potter en de Steen der Wijzen", "Rupsje Nooitgenoeg",
    "Jip en Janneke", "Het achterhuis", "Nachtvlinders", "Mijn Gent", "Fietsen in de Vlaamse Ardennen",
    "Koken met Jeroen Meus", "De Vlaschaard", "Pallieter", "De Witte",
)  # fmt: skip

# What a notice and a letter show of each library (demo values; the IBANs are valid
# check-digit-wise but belong to no one).
LIBRARY_DETAILS = {
    "GENT": ("Kouter 29\n9000 Gent", "ma–za 10–19 u.", "BE32091000123402"),
    "MERE": ("Poelstraat 2\n9820 Merelbeke", "di–za 10–18 u.", "BE96068901234505"),
    "LOCH": ("Dorp-West 52\n9080 Lochristi", "ma, wo, za 9–17 u.", "BE78735005432186"),
}
