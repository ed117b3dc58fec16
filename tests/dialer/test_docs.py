"""docs/dialer.md shows exactly the state machine of the code."""

from __future__ import annotations

import re
from pathlib import Path

from dialer_suite.api.statuses import mermaid_diagram

_DOC = Path(__file__).resolve().parents[2] / "docs" / "dialer.md"


def test_the_documented_diagram_is_the_one_generated_from_the_code() -> None:
    blocks = re.findall(r"```mermaid\n(.*?)```", _DOC.read_text(encoding="utf-8"), re.S)
    assert blocks == [mermaid_diagram()], (
        "docs/dialer.md is out of date: replace its mermaid block with the output of "
        "`python -m dialer_suite.api.statuses`"
    )
