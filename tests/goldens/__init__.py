"""Tests of the golden files written by GnuCOBOL programs (golden_files/cobol/)."""
