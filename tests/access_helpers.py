"""Helpers shared by the tests of the user store and of the `antismuggling users` command."""

from argon2 import PasswordHasher

from antismuggling.access import passwords


def use_cheap_argon2(monkeypatch) -> None:
    """Make argon2id hashing cost ~1 ms instead of ~0.2 s.

    Tests of the store's rules (lockout, audit, the CLI) hash and verify dozens of times; they
    exercise the rules, not the cost. Tests of hashing itself keep the real parameters.
    """
    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
