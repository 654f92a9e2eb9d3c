"""Decoding and encoding engine: streaming read, write, residue, verify, segments."""
