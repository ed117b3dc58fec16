"""Selfcheck: prove the contract suite catches vendor regressions and never cries wolf.

The simulator's fault catalog switches on one realistic vendor regression at a
time; selfcheck runs the contract suite (the load ``smoke`` profile for speed
faults) against the clean simulator and against each fault, and schemathesis's
CLI alone against the same faults, and renders the kill matrix of the two.
"""
