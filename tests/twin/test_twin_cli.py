"""``dialer-suite baseline explain FILE`` and ``dialer-suite serve --from-baseline FILE``."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from tests.twin.baselines import baseline_data, differs, failed, held, write_baseline

from dialer_suite.cli import main
from dialer_suite.simulator import assumptions

_TIMEOUT = 60


@pytest.fixture
def staging(tmp_path: Path) -> Path:
    """A baseline of a tenant that names its job in Location, ignores paging parameters (no
    total, a page size past the cap taken), and whose job counts are strings (no choice of the
    simulator plays that)."""
    return write_baseline(tmp_path / "staging.json", baseline_data(
        assumptions={"job-id-location": held("held: job id found in Location header"),
                     "list-pagination": differs("differs: no total header",
                                                "differs: pages asked with page and per=<n>"),
                     "job-counts": differs("differs: the counts are strings")},
        tests={"test_a_page_number_that_cannot_be_one_is_refused_with_422": failed(
            "listContacts: expected 422 (page 0), got 200: the target carried it out")},
    ))


def test_explain_shows_one_table_row_per_assumption_and_per_thing_played_beyond(
    staging: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["baseline", "explain", str(staging)]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| ")]
    assert rows[0] == "| assumption | observed evidence | the twin plays |"
    by_subject = {row.split(" | ")[0][2:]: row for row in rows[1:]}
    assert set(assumptions.catalog()) <= set(by_subject)
    assert {"rate limit", "keys of the spec", "drift keys", "contact statuses"} <= set(by_subject)
    assert by_subject["job-id-location"].endswith("| location-only |")
    assert "| ignored |" in by_subject["list-pagination"]
    counts = by_subject["job-counts"]
    assert "cannot match:" in counts and "the counts are strings" in counts, counts


def test_explain_as_json_names_the_choice_of_every_assumption(
    staging: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["baseline", "explain", "--json", str(staging)]) == 0
    document = json.loads(capsys.readouterr().out)
    assert set(document["choices"]) == set(assumptions.catalog())
    assert document["choices"]["job-id-location"] == "location-only"


@pytest.mark.parametrize(
    ("args", "says"),
    [(["baseline", "explain", "missing.json"], "does not exist"),
     (["serve", "--from-baseline", "{staging}", "--vendor-profile", "lean"], "takes no --vendor-profile")],
)
def test_a_baseline_that_cannot_be_served_is_one_line_and_exit_2(
    staging: Path, capsys: pytest.CaptureFixture[str], args: list[str], says: str
) -> None:
    assert main([arg.format(staging=staging) for arg in args]) == 2
    err = capsys.readouterr().err
    assert says in err and len(err.strip().splitlines()) == 1, err


@pytest.mark.slow
def test_serve_from_a_baseline_says_what_it_cannot_match_and_plays_the_rest(staging: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DIALER_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "dialer_suite.cli", "serve", "--from-baseline", str(staging), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )
    try:
        assert process.stdout is not None
        said = []
        for line in process.stdout:
            said.append(line.rstrip())
            if line.startswith("simulator listening on"):
                break
        text = "\n".join(said)
        assert said[0].startswith(f"twin of {staging} (baseline of 2026-11-30"), text
        assert re.search(r"untested, the default played: .*job-statuses=examples", text), text
        assert "cannot match: 1" in text and "- job-counts: differs: the counts are strings" in text, text
        base_url = said[-1].split()[3]
        health = httpx.get(base_url.replace("/apps/api/v1", "/_simulator/health"), timeout=10).json()
        assert health["assumptions"]["job-id-location"] == "location-only", health
        assert health["assumptions"]["list-pagination"] == "ignored", health
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(_TIMEOUT) == 0
