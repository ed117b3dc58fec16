"""The HTTP client: one send path (throttle, 429 retries, redaction, validation),
paging, import jobs."""
