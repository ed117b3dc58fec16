"""The one load shape of every locustfile: the plan decides, users only carry it.

Kept apart from user behaviour: a locustfile imports ``PlanShape`` next to its
user classes. The shape keeps the plan's pool of users alive until the plan is
over (or a stress stage breached, or a capacity run imported everything); the
arrival rate itself comes from the pacers in ``common.py``, not from the user
count, so it holds when responses slow down.
"""

from __future__ import annotations

from locust import LoadTestShape

from common import RUN, should_stop

# Locust warns above 100 new users per second per worker; the pool is up in ~1 s anyway.
_MAX_SPAWN_RATE = 100.0


class PlanShape(LoadTestShape):
    """Users = the plan's pool; ends the run when ``should_stop`` says so."""

    def tick(self) -> tuple[int, float] | None:
        plan = RUN.plan
        if plan is None:
            return None
        if should_stop():
            return None
        users = plan.users
        return (users, min(float(users), _MAX_SPAWN_RATE * RUN.total_workers))
