"""Exceptions of the access package; messages are shown to the user and never carry a password or hash."""


class AccessError(Exception):
    """A user-management request that cannot be carried out."""


class InvalidUserError(AccessError, ValueError):
    """A username, role, formation or sign-in method that breaks the rules."""


class UserExistsError(AccessError):
    """The username (or OIDC subject) already belongs to a user."""


class UnknownUserError(AccessError):
    """No user has that username."""


class WeakPasswordError(AccessError, ValueError):
    """The password breaks the strength rules; ``problems`` lists which."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("password is too weak: " + "; ".join(self.problems))
