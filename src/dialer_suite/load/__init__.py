"""The load suite: run plans, arrival schedules, HDR bookkeeping, SLO gates, reports.

The modules of this package are plain Python and never import locust: locust
monkey-patches the process with gevent, so the ``dialer-suite load`` command
(``cli``, ``runner``) and the tests use them freely. The subpackage
``dialer_suite.load.locust`` is the locust side (users, shape, event wiring);
it imports locust and only ever runs inside locust processes, whose
locustfiles under ``load_tests/`` import it.
"""
