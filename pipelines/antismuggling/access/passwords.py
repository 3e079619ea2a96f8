"""Password hashing (argon2id) and the strength rules of new passwords."""

import functools
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError

from antismuggling.access.errors import WeakPasswordError

__all__ = [
    "WeakPasswordError",
    "check_strength",
    "hash_password",
    "needs_rehash",
    "require_strength",
    "verify_against_dummy",
    "verify_password",
]

MIN_LENGTH = 12
MIN_CHARACTER_CLASSES = 3

# Compared case-insensitively. Each of these passes the length and character-class rules,
# which is exactly why they are guessed first.
COMMON_PASSWORDS = frozenset(
    p.lower()
    for p in (
        "password123!",
        "Password@123",
        "P@ssw0rd1234",
        "Pakistan@123",
        "Pakistan@1947",
        "Customs@1234",
        "Customs@12345",
        "Admin@123456",
        "Qwerty@12345",
        "Welcome@1234",
        "Islamabad@123",
        "Karachi@12345",
        "Lahore@123456",
        "Abcd@12345678",
    )
)

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True if ``password`` matches; False on a mismatch or a missing or malformed hash (never raises)."""
    if not password_hash or not isinstance(password, str):
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, ValueError):  # ValueError: malformed or unsupported hash
        return False


def needs_rehash(password_hash: str) -> bool:
    """True if the hash was made with weaker parameters than the current ones."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except ValueError:
        return True


@functools.cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(24))


def verify_against_dummy(password: str) -> bool:
    """Spend the time of a real verification and fail: an unknown user must not answer faster."""
    verify_password(_dummy_hash(), password)
    return False


def check_strength(password: str, username: str) -> list[str]:
    """The strength rules ``password`` breaks, as readable phrases; an empty list means it is acceptable."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"it must be at least {MIN_LENGTH} characters long")
    classes = (
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    )
    if sum(classes) < MIN_CHARACTER_CLASSES:
        problems.append(
            f"it must mix at least {MIN_CHARACTER_CLASSES} of: lower-case letters, upper-case letters, digits, symbols"
        )
    if username and username.lower() in password.lower():
        problems.append("it must not contain the username")
    if password.lower() in COMMON_PASSWORDS:
        problems.append("it is a commonly used password")
    if len(set(password)) == 1:
        problems.append("it must not be a single character repeated")
    return problems


def require_strength(password: str, username: str) -> None:
    """Raise :class:`WeakPasswordError` listing every rule ``password`` breaks."""
    problems = check_strength(password, username)
    if problems:
        raise WeakPasswordError(problems)
