"""Fixtures and settings shared by every self-test.

The self-tests start many Python children (simulators, contract-suite runs,
locust): they compile the same few hundred modules each time, and pytest also
rewrites the assertions of its plugins, unless they may keep their bytecode.
So the children get to, whatever ``PYTHONDONTWRITEBYTECODE`` the shell has.
"""

from __future__ import annotations

import os

os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
