"""Errors that end a command with one plain line instead of a traceback."""


class UsageError(Exception):
    """A setting or argument a person gave is wrong; the message says how to fix it."""
