"""Normalising what a user types into a look-up box to the marts' normalised form.

This is the one place the dashboard repeats a rule of the warehouse, and only for the key
typed into a search box (the marts hold the normalised identifiers; a typed key has to be
normalised the same way to find them). The rules are the marts contract's, written in SQL
in ``dbt_project/macros/vehicles.sql`` and ``dbt_project/models/intermediate/
int_case_persons_cnic.sql``; ``tests/test_dashboard_pages.py`` checks that these functions
give the same result as that SQL, on the published marts and on awkward input.

* Vehicle identity: upper-case, drop every character that is not an ASCII letter or digit;
  missing when empty, a placeholder (``NA``, ``NIL``, ``NONE``, ``NULL``, ``UNREGISTERED``,
  ``UNREG``, ``APPLIEDFOR``, ``0``) or shorter than 6 (chassis), 5 (engine) or 4
  (registration) characters.
* CNIC: strip every character that is not an ASCII digit; valid when exactly 13 digits
  remain, the first is 1–7 and not all 13 are the same digit; formatted ``12345-1234567-1``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

VEHICLE_PLACEHOLDERS = frozenset({"NA", "NIL", "NONE", "NULL", "UNREGISTERED", "UNREG", "APPLIEDFOR", "0"})
VEHICLE_MIN_LENGTHS = {"chassis": 6, "engine": 5, "registration": 4}
VEHICLE_KINDS = tuple(VEHICLE_MIN_LENGTHS)

_NOT_ALNUM = re.compile(r"[^A-Z0-9]")
_NOT_DIGIT = re.compile(r"[^0-9]")


def _upper_simple(text: str) -> str:
    """Upper-case character by character, keeping a character whose upper case is longer than
    one character (``ß`` → ``SS`` in Python, but DuckDB's ``upper()`` maps one character to
    one): the same letters survive the ``[^A-Z0-9]`` filter as in the SQL rule."""
    out = []
    for char in text:
        upper = char.upper()
        out.append(upper if len(upper) == 1 else char)
    return "".join(out)


def vehicle_identifier_text(typed: str | None) -> str:
    """Upper-case, ASCII letters and digits only (before the placeholder and length checks)."""
    return _NOT_ALNUM.sub("", _upper_simple(typed if isinstance(typed, str) else ""))


def normalise_vehicle_identifier(typed: str | None, kind: str) -> str | None:
    """The contract's normalised chassis / engine / registration number, or None when missing."""
    if kind not in VEHICLE_MIN_LENGTHS:
        raise ValueError(f"kind must be one of {VEHICLE_KINDS}, not {kind!r}")
    text = vehicle_identifier_text(typed)
    if len(text) < VEHICLE_MIN_LENGTHS[kind] or text in VEHICLE_PLACEHOLDERS:
        return None
    return text


@dataclass(frozen=True)
class VehicleKey:
    """A typed vehicle search key: its normalised text and the identifier kinds it can be."""

    typed: str
    text: str  # upper-case alphanumerics; "" when nothing usable was typed
    kinds: tuple[str, ...]  # kinds for which ``text`` is a valid normalised identifier

    @property
    def problem(self) -> str | None:
        """Why the key cannot match any vehicle, or None."""
        if not self.text:
            return "Type a registration, chassis or engine number (letters and digits)."
        if self.text in VEHICLE_PLACEHOLDERS:
            return f"“{self.text}” means “no number” in the source data, so it identifies no vehicle."
        if not self.kinds:
            return (
                f"“{self.text}” is too short to identify a vehicle: registrations need at least "
                f"{VEHICLE_MIN_LENGTHS['registration']} letters or digits, engine numbers "
                f"{VEHICLE_MIN_LENGTHS['engine']}, chassis numbers {VEHICLE_MIN_LENGTHS['chassis']}."
            )
        return None


def vehicle_search_key(typed: str | None) -> VehicleKey:
    text = vehicle_identifier_text(typed)
    kinds = tuple(kind for kind in VEHICLE_KINDS if normalise_vehicle_identifier(text, kind) is not None)
    return VehicleKey(typed if isinstance(typed, str) else "", text, kinds)


@dataclass(frozen=True)
class CnicKey:
    typed: str
    digits: str
    cnic: str | None  # formatted 12345-1234567-1 when valid

    @property
    def problem(self) -> str | None:
        if self.cnic is not None:
            return None
        if not self.digits:
            return "Type a CNIC: 13 digits, with or without dashes or spaces."
        if len(self.digits) != 13:
            return f"A CNIC has 13 digits; {len(self.digits)} were typed ({self.digits})."
        if self.digits[0] not in "1234567":
            return f"A CNIC starts with a digit from 1 to 7, not {self.digits[0]}."
        return "A CNIC of one digit repeated 13 times is a placeholder, not a person."


def cnic_digits(typed: str | None) -> str:
    return _NOT_DIGIT.sub("", typed if isinstance(typed, str) else "")


def normalise_cnic(typed: str | None) -> str | None:
    """The contract's formatted CNIC (``12345-1234567-1``), or None when not a valid CNIC."""
    digits = cnic_digits(typed)
    if len(digits) != 13 or digits[0] not in "1234567" or digits == digits[0] * 13:
        return None
    return f"{digits[:5]}-{digits[5:12]}-{digits[12]}"


def cnic_search_key(typed: str | None) -> CnicKey:
    return CnicKey(typed if isinstance(typed, str) else "", cnic_digits(typed), normalise_cnic(typed))
