"""Tests of legacyio.sources and legacyio.framing."""
