"""Errors a user can cause. Each carries a sentence that says what to fix."""


class LidgeldError(Exception):
    """Base for errors that are shown to the user as they are."""

    def __init__(self, message: str, *, code: str = "error") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class InvalidInput(LidgeldError):
    """The input itself is wrong (unknown card, malformed date, …)."""


class Refused(LidgeldError):
    """The input is well-formed but the rules do not allow it now."""
