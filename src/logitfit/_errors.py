"""The error type of user input (files, columns, options): the message names the fix."""

from __future__ import annotations


class InputError(ValueError):
    """A problem with the user's files or options; the message says how to fix it."""
