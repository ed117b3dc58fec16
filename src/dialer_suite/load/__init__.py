"""The load suite's plain-Python side: plans, pacing, HDR bookkeeping, SLO gates, reports.

Nothing in this package imports locust at module level: locust monkey-patches the
process with gevent, so it only ever runs inside locust processes (the
locustfiles under ``load_tests/``), which import these modules.
"""
