"""Conformance tests against the Cobrix corpus (copybooks, data files, expected outputs)."""
