"""Errors that end a command with one plain line instead of a traceback."""


class UsageError(Exception):
    """A setting or argument a person gave is wrong; the message says how to fix it."""


# The exit code of every dialer-suite command whose target is not usable (sysexits' EX_UNAVAILABLE).
TARGET_NOT_USABLE = 69


class TargetNotUsable(BaseException):
    """The target gave no usable answer (unreachable, down past the wait): the person's
    environment, not the vendor's behaviour and not our usage.

    A ``BaseException``, like pytest's own outcomes: nothing on its way that catches
    ``Exception`` (a retry wrapper, hypothesis shrinking an example) may take it for a
    failed check and try again against a target that is down.
    """
