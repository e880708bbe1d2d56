"""The error type of user input (files, columns, options): the message names the fix."""

from __future__ import annotations


class InputError(ValueError):
    """A problem with the user's files or options; the message says how to fix it."""


def count_of(count: int, noun: str) -> str:
    """``"1 missing value"``, ``"3 missing values"``: a count with its noun in number."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def missing_values(count: int) -> str:
    """``"1 missing value; fill it"`` or ``"3 missing values; fill them"``."""
    return f"{count_of(count, 'missing value')}; fill {'it' if count == 1 else 'them'}"


def first_few(items: list[str], limit: int = 10) -> str:
    """``"a, b, c"``, or the first ``limit`` items ``"... and 4 more"``, for messages."""
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")
