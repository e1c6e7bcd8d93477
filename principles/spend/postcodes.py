"""UK postcodes, and whether one lies in the council's local postcode areas or districts."""

import re

# Outward code (area letters, district digit, optional digit or letter), then the
# inward code (a digit and two letters). "BN111AA" is BN11 1AA, "BN11AA" is BN1 1AA.
_FULL = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})")
_OUTWARD = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]?")
_AREA_OR_DISTRICT = re.compile(r"[A-Z]{1,2}(?:[0-9][A-Z0-9]?)?")


def normalise_postcode(text: str) -> str | None:
    """``"bn7 1ue"`` → ``"BN7 1UE"``; an outward code alone (``"BN7"``) is kept as it is.

    None when the text is not a postcode.
    """
    compact = "".join(str(text).split()).upper()
    full = _FULL.fullmatch(compact)
    if full:
        return f"{full.group(1)} {full.group(2)}"
    if _OUTWARD.fullmatch(compact):
        return compact
    return None


def postcode_district(postcode: str) -> str:
    """The outward code: ``"BN7 1UE"`` → ``"BN7"``."""
    return postcode.split(" ", 1)[0]


def postcode_area(postcode: str) -> str:
    """The letters the postcode starts with: ``"BN7 1UE"`` → ``"BN"``."""
    return re.match(r"[A-Z]+", postcode).group(0)


def postcode_is_local(postcode: str, local_areas: list[str]) -> bool:
    """True when the postcode's area (``BN``) or district (``BN7``) is one of ``local_areas``."""
    return postcode_area(postcode) in local_areas or postcode_district(postcode) in local_areas


def parse_local_areas(text: str) -> list[str]:
    """``"BN, tn; RH15"`` → ``["BN", "RH15", "TN"]``. Raises ValueError naming a bad entry."""
    areas = set()
    for entry in re.split(r"[\s,;]+", text.upper()):
        if not entry:
            continue
        if not _AREA_OR_DISTRICT.fullmatch(entry):
            raise ValueError(entry)
        areas.add(entry)
    return sorted(areas)
