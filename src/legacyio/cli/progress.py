"""Progress on stderr (only on a terminal) and the one-line summary of a run."""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from typing import Any

import click


class ProgressBar:
    """A one-line progress display on stderr (records, MB, MB/s, ETA from the input size),
    redrawn at most ten times a second; does nothing unless enabled."""

    def __init__(self, verb: str, total_bytes: int | None, enabled: bool) -> None:
        self.verb = verb
        self.total = total_bytes if total_bytes else None
        self.enabled = enabled
        self.start = time.monotonic()
        self.last = 0.0
        self.records = 0
        self.bytes = 0
        self.drawn = False

    def __call__(self, records: int, nbytes: int) -> None:
        self.records, self.bytes = records, nbytes
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.last < 0.1:
            return
        self.last = now
        self._draw(now)

    def _draw(self, now: float) -> None:
        el = max(now - self.start, 1e-9)
        rate = self.bytes / el
        parts = [
            f"{self.verb} {self.records:,} records",
            f"{self.bytes / 1e6:,.1f} MB",
            f"{rate / 1e6:,.1f} MB/s",
        ]
        if self.total:
            frac = min(self.bytes / self.total, 1.0)
            width = 20
            fill = int(frac * width)
            parts.append(f"[{'#' * fill}{'.' * (width - fill)}] {frac * 100:3.0f}%")
            if rate > 0 and frac < 1:
                eta = (self.total - self.bytes) / rate
                parts.append(f"ETA {int(eta // 60)}:{int(eta % 60):02d}")
        cols = shutil.get_terminal_size((80, 20)).columns
        line = "  ".join(parts)[: max(cols - 1, 10)]
        sys.stderr.write("\r" + line + "\x1b[K")
        sys.stderr.flush()
        self.drawn = True

    def close(self) -> None:
        """Erase the bar."""
        if self.drawn:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
            self.drawn = False


def progress_bar(params: dict[str, Any], verb: str, total: int | None) -> ProgressBar:
    enabled = not params.get("quiet") and sys.stderr.isatty()
    return ProgressBar(verb, total, enabled)


def short_path(path: str) -> str:
    return path.split(".", 1)[1] if "." in path else path


def summary_line(verb: str, records: int, nbytes: int, seconds: float, report: Any = None) -> str:
    """``converted 1,000 records (187,000 bytes) in 0.42 s, 0.4 MB/s; bad fields: BAL 3``."""
    rate = nbytes / seconds / 1e6 if seconds > 0 else 0.0
    line = f"{verb} {records:,} records ({nbytes:,} bytes) in {seconds:.2f} s, {rate:,.1f} MB/s"
    if report is not None:
        if report.fields:
            items = sorted(report.fields.items(), key=lambda kv: -kv[1].count)
            line += "; bad fields: " + ", ".join(f"{short_path(k)} {v.count:,}" for k, v in items)
        if report.framing:
            line += f"; framing issues: {len(report.framing):,}"
        if report.unmatched_segments:
            line += f"; records of no known segment: {report.unmatched_segments:,}"
    return line


def report_json(report: Any) -> bytes:
    """The decode report as the JSON of ``--report-file`` (counts and places, no values)."""
    return json.dumps(report.to_dict(), indent=2).encode() + b"\n"


def finish(
    params: dict[str, Any], line: str, report: Any = None, write_report: bool = True
) -> None:
    if write_report and params.get("report_file") and report is not None:
        from legacyio.sources import open_sink

        with open_sink(params["report_file"]) as out:
            out.write(report_json(report))
    if params.get("quiet"):
        return
    click.echo(line, err=True)
    if params.get("verbose") and report is not None:
        for detail in report.summary_lines():
            click.echo(f"  {detail}", err=True)


def input_size(path: str) -> int | None:
    if path == "-":
        return None
    if path.lower().endswith((".gz", ".bz2", ".xz")):
        return None
    try:
        return os.path.getsize(path)
    except OSError:
        return None
