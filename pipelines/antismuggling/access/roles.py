"""Roles, the signed-in principal, and masking of personal data (in Python and in DuckDB SQL).

Each mask has a Python version (for values already in memory) and a SQL version (so the dashboard
can mask inside a query); tests hold the two to the same output.
"""

import re
from dataclasses import dataclass

ROLES = ("dg", "analyst", "formation_officer", "admin")
ROLE_DESCRIPTIONS = {
    "dg": "Director General: every formation, personal data in clear, reads the audit trail.",
    "analyst": "Every formation, with CNICs and names of persons masked.",
    "formation_officer": "Only the cases of their own formation(s), personal data in clear.",
    "admin": "Manages users and reads the audit trail; sees no case data.",
}

MASKED_VALUE = "*****"  # a value that is not a CNIC: nothing of it is kept, not even its length

# A CNIC as it appears in free text: 5 + 7 + 1 digits, optionally separated by one dash or space.
# No digit boundaries (DuckDB's RE2 has no look-around): a longer digit run is masked too, which
# over-masks but never leaks, and keeps the Python and SQL versions identical.
_CNIC_IN_TEXT = r"([0-9]{5})[ -]?[0-9]{7}[ -]?([0-9])"
_CNIC_IN_TEXT_RE = re.compile(_CNIC_IN_TEXT)
_CNIC_DIGITS_RE = re.compile(r"[0-9]{13}")


@dataclass(frozen=True)
class Principal:
    """Who is signed in, and what their role lets them see."""

    username: str
    role: str
    formations: tuple[str, ...]
    display_name: str

    @property
    def sees_data(self) -> bool:
        return self.role != "admin"

    @property
    def is_scoped(self) -> bool:
        """Limited to the cases of ``formations``."""
        return self.role == "formation_officer"

    @property
    def masks_pii(self) -> bool:
        return self.role == "analyst"

    @property
    def can_view_audit(self) -> bool:
        return self.role in ("dg", "admin")

    @property
    def can_manage_users(self) -> bool:
        return self.role == "admin"

    @property
    def can_view_feeds(self) -> bool:
        """The Partner feeds page: what goes to which partner, when, and whether it arrived."""
        return self.role in ("dg", "admin")


def mask_cnic(value: str | None) -> str | None:
    """``35202-1234567-1`` (dashes/spaces optional) -> ``35202-*******-1``; anything else -> ``*****``.

    None and the empty string are returned as they are: there is nothing in them to hide.
    """
    if not value:
        return value
    digits = value.replace("-", "").replace(" ", "")
    if _CNIC_DIGITS_RE.fullmatch(digits):
        return f"{digits[:5]}-*******-{digits[12]}"
    return MASKED_VALUE


def mask_name(value: str | None) -> str | None:
    """Keep the first character of each space-separated word: ``Muhammad Ali`` -> ``M******* A**``."""
    if value is None:
        return None
    return " ".join(word[:1] + "*" * (len(word) - 1) for word in value.split(" "))


def mask_text(value: str | None) -> str | None:
    """Free text with every CNIC-looking run of 13 digits masked as by :func:`mask_cnic`."""
    if value is None:
        return None
    return _CNIC_IN_TEXT_RE.sub(r"\1-*******-\2", value)


def cnic_mask_sql(column: str) -> str:
    """DuckDB expression giving :func:`mask_cnic` of a VARCHAR ``column`` (an already-quoted identifier)."""
    digits = f"replace(replace({column}, '-', ''), ' ', '')"
    return (
        f"(CASE WHEN {column} IS NULL OR {column} = '' THEN {column}"
        f" WHEN regexp_full_match({digits}, '[0-9]{{13}}')"
        f" THEN substr({digits}, 1, 5) || '-*******-' || substr({digits}, 13, 1)"
        f" ELSE '{MASKED_VALUE}' END)"
    )


def name_mask_sql(column: str) -> str:
    """DuckDB expression giving :func:`mask_name` of a VARCHAR ``column`` (an already-quoted identifier)."""
    return (
        f"array_to_string(list_transform(string_split({column}, ' '),"
        " lambda masked_word: left(masked_word, 1) || repeat('*', greatest(length(masked_word) - 1, 0))), ' ')"
    )


def text_mask_sql(column: str) -> str:
    """DuckDB expression giving :func:`mask_text` of a VARCHAR ``column`` (an already-quoted identifier)."""
    return f"regexp_replace({column}, '{_CNIC_IN_TEXT}', '\\1-*******-\\2', 'g')"
