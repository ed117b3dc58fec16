"""The background worker: runs import jobs one at a time, and checkpoints the WAL, in its own thread.

State is in SQLite, not in the worker: the queue is only a wake-up call, and
on start the worker picks up every job a previous process left ``in_progress``.
With an import rate it plays a hosted tenant's import speed: a job of N
contacts stays ``in_progress``, its contacts unlisted, for N / rate seconds
before it runs, and the next job waits its turn.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from pathlib import Path

from dialer_suite.simulator import faults, storage
from dialer_suite.simulator.import_jobs import ImportJobs
from dialer_suite.simulator.switches import Switches

JOB_STUCK = faults.register_fault(
    "job-never-finishes", "jobs", ["importContacts", "getImportJob"],
    "the import worker is down: jobs are accepted but stay in_progress forever",
)

_log = logging.getLogger(__name__)
_POLL_SECONDS = 0.1
_STOP_SECONDS = 30.0
_CHECKPOINT_SECONDS = 1.0


class JobWorker:
    """Runs queued import jobs until stopped, as ``switches`` play them; a job is either fully
    done or not begun."""

    def __init__(self, db_path: str | Path, switches: Switches, *, import_rate: float | None = None) -> None:
        self._db_path = db_path
        self._switches = switches
        self._import_rate = import_rate
        self._queue: queue.Queue[int] = queue.Queue()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="import-worker", daemon=True)

    def start(self) -> None:
        """Start the thread; it first queues the jobs an earlier process left ``in_progress``."""
        self._thread.start()

    def submit(self, job_id: int) -> None:
        """Wake the worker for ``job_id``: the job and its file are already in the database."""
        self._queue.put(job_id)

    def stop(self) -> None:
        """Finish the job in hand, leave the rest ``in_progress`` for the next start."""
        self._stopping.set()
        self._thread.join(_STOP_SECONDS)

    def _run(self) -> None:
        connection = storage.connect(self._db_path)
        jobs = ImportJobs(connection, self._switches)
        try:
            for job_id in jobs.pending_job_ids():
                self._queue.put(job_id)
            checkpointed = time.monotonic()
            while not self._stopping.is_set():
                if time.monotonic() - checkpointed >= _CHECKPOINT_SECONDS:
                    storage.checkpoint(connection)
                    checkpointed = time.monotonic()
                try:
                    job_id = self._queue.get(timeout=_POLL_SECONDS)
                except queue.Empty:
                    continue
                if self._switches.fault(JOB_STUCK) or not self._took_its_time(jobs, job_id):
                    continue
                self._run_one(jobs, job_id)
            storage.checkpoint(connection, final=True)
        finally:
            connection.close()

    def _took_its_time(self, jobs: ImportJobs, job_id: int) -> bool:
        """Wait as long as the import rate says the job's file takes; False when stopped meanwhile
        (the job stays ``in_progress`` for the next start). Outside the transaction: the
        handlers keep writing while a job waits."""
        if self._import_rate is None:
            return True
        return not self._stopping.wait(jobs.file_size(job_id) / self._import_rate)

    @staticmethod
    def _run_one(jobs: ImportJobs, job_id: int) -> None:
        """Run a job; a bug in it fails that job loudly (logged, visible on the job) instead of the worker."""
        try:
            jobs.run_import(job_id)
        except Exception:
            _log.exception("import job %s crashed", job_id)
            jobs.fail_job(job_id, "SimulatorBug::ImportCrashed", "the simulator crashed; see its log")
