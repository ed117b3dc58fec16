"""Self-tests of the vendor's twin (``dialer_suite.contract.twin``)."""
