"""The contract suite's own options, added alike to pytest (the plugin) and to the parser that
``dialer-suite contract`` reads them with before pytest starts (its ``--help``, its one-line
refusals).

With pytest-base-url installed (pytest-playwright pulls it in) ``--base-url`` is that plugin's:
the suite reads it there (``dest base_url``, and its ``base_url`` ini value) rather than add a
second, conflicting one — as plugins of that ecosystem do.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from dialer_suite.config.flags import add_flags
from dialer_suite.config.layers import CONFIG_ENV
from dialer_suite.config.settings import Settings

# Options of the suite's settings are ``dialer_<setting>`` in pytest's namespace.
DEST_PREFIX = "dialer_"
# pytest-base-url's name in pytest's plugin manager (its pytest11 entry point) and its dest.
BASE_URL_PLUGIN = "base_url"


def add_options(add: Callable[..., Any], *, skip: Collection[str] = ()) -> None:
    """The settings' flags (but ``skip``'s), then the baseline's and the settings file's."""
    add_flags(add, Settings, dest_prefix=DEST_PREFIX, skip=skip)
    add("--dialer-config", dest="dialer_config", default=None, metavar="FILE",
        help=f"a TOML settings file [{CONFIG_ENV}]")
    add("--record-baseline", dest="dialer_record_baseline", default=None, metavar="FILE",
        help="record what the target does (per assumption, operation and test) in FILE")
    add("--baseline", dest="dialer_baseline", default=None, metavar="FILE",
        help="judge the run against a recorded baseline: known vendor behaviour passes "
        "(xfail), anything that changed fails")
    add("--baseline-target-changed", dest="dialer_baseline_target_changed", action="store_true",
        default=False, help="compare with a baseline recorded against another target (e.g. the "
        "tenant moved hosts); refused otherwise")
