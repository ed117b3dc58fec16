"""The HDR book: exact enough percentiles, and worker deltas that merge into the whole."""

from __future__ import annotations

import random

import pytest

from dialer_suite.load.book import BUCKET, STAGE, Book


def test_percentiles_keep_three_significant_digits() -> None:
    """Locust rounds 1234 ms to 1200; the book keeps it within 0.1%."""
    book = Book()
    for _ in range(100):
        book.record("addContact", 1234.0, now=0.0)
    assert book.overall()["addContact"].percentile_ms(95) == pytest.approx(1234.0, rel=1e-3)


def test_a_merged_book_equals_one_that_saw_everything() -> None:
    rng = random.Random(7)
    samples = [(rng.lognormvariate(1.5, 1.0), rng.random() < 0.05, i % 3) for i in range(3000)]
    whole, master = Book(), Book()
    workers = [Book(), Book()]
    for i, (millis, failed, stage) in enumerate(samples):
        whole.record("addContact", millis, failed=failed, stage=stage, now=float(i // 500))
        workers[i % 2].record("addContact", millis, failed=failed, stage=stage, now=float(i // 500))
    for worker in workers:
        master.merge_wire(worker.to_wire())
    for kind in (STAGE, BUCKET):
        assert master.by(kind).keys() == whole.by(kind).keys()
    mine, theirs = master.overall()["addContact"], whole.overall()["addContact"]
    assert (mine.requests, mine.failures) == (theirs.requests, theirs.failures)
    for percentile in (50, 95, 99, 99.9):
        assert mine.percentile_ms(percentile) == theirs.percentile_ms(percentile)


def test_throttled_responses_are_counted_apart_from_requests_and_latency() -> None:
    book = Book()
    book.record("addContact", 2.0, throttled=True, now=0.0)
    book.record("addContact", 50.0, now=0.0)
    window = book.overall()["addContact"]
    assert (window.requests, window.throttled, window.failures) == (1, 1, 0)
    assert window.percentile_ms(50) == pytest.approx(50.0, rel=1e-3)


def test_clearing_after_a_report_sends_only_deltas() -> None:
    book = Book()
    book.record("listContacts", 3.0, now=0.0)
    first = book.to_wire()
    book.clear()
    book.record("listContacts", 4.0, now=1.0)
    master = Book()
    master.merge_wire(first)
    master.merge_wire(book.to_wire())
    assert master.overall()["listContacts"].requests == 2


def test_counters_sends_per_second_and_windows_aside_merge_like_the_rest() -> None:
    master, workers = Book(), [Book(), Book()]
    for index, worker in enumerate(workers):
        worker.record("addContact", 5.0, intended_ms=50.0, wait_ms=40.0, now=100.2)
        worker.record("import end-to-end", 900.0, sent=False, now=100.7)
        worker.count("429 answers", index + 1)
        worker.aside("import files of 500", 800.0, contacts=500, started=99.0 + index, now=101.0 + index)
    for worker in workers:
        master.merge_wire(worker.to_wire())
    assert master.sent == {100: 2}  # the jobs seen done were no requests
    assert master.counters == {"429 answers": 3}
    files = master.asides()["import files of 500"]
    assert (files.requests, files.contacts, files.first, files.last) == (2, 1000, 99.0, 102.0)
    assert "import files of 500" not in master.overall()  # never counted as a request
    add = master.overall()["addContact"]
    assert add.percentile_ms(50, "intended") == pytest.approx(50.0, rel=1e-3)
    assert add.percentile_ms(50, "wait") == pytest.approx(40.0, rel=1e-3)
