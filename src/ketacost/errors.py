"""The one domain exception family. The CLI turns each into a short line and an exit code."""

from __future__ import annotations


class KetacostError(Exception):
    """Bad input or a bad file: the user can fix it. Exit code 2."""

    exit_code = 2

    def __init__(self, message: str, *, param: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param

    def __str__(self) -> str:
        return self.message


class InputError(KetacostError):
    """An option or argument the user gave is not allowed."""


class PriceBookError(KetacostError):
    """A price book file is missing, unreadable or malformed."""
