"""Tests of legacyio.io and legacyio.framing."""
