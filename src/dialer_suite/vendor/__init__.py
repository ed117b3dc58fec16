"""The vendor contract: the spec, the contact statuses and their state machine,
response validation, safe test data."""
