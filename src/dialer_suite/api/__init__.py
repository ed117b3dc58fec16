"""The vendor's API as this suite knows it: the spec, the contact statuses and their state
machine, response validation, safe test data.

Not third-party code: the contract of the vendor's contacts API that every other layer
tests against, simulates or loads.
"""
