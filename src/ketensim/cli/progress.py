"""Progress on stderr for the long commands (a bar on a terminal, plain lines in a log)."""
from __future__ import annotations

import sys
import time
from typing import Any


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 replication', '2 replications'."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


class Progress:
    """Progress on stderr: a one-line bar with ETA on a terminal; plain lines (every tenth,
    and the last) when stderr is not a terminal, such as a CI log; nothing when quiet."""

    def __init__(self, label: str, quiet: bool = False, stream: Any = None, unit: str = "run") -> None:
        self.label, self.quiet, self.t0 = label, quiet, time.monotonic()
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.unit, self.done, self.total, self._last_line = unit, 0, 0, -1

    def __call__(self, done: int, total: int, failed: int = 0) -> None:
        self.done, self.total = done, total
        if self.quiet or total <= 0:
            return
        if done == 0:  # (re)start the clock when the first job is handed out
            self.t0 = time.monotonic()
        elapsed = time.monotonic() - self.t0
        eta = f"{elapsed / done * (total - done):5.1f}s" if done else "  ?  "
        fail = f"  {failed} failed" if failed else ""
        if self.tty:
            width = 24
            bar = "#" * int(width * done / total) + "-" * (width - int(width * done / total))
            end = "\n" if done == total else ""
            self.stream.write(f"\r{self.label} [{bar}] {done}/{total}  {elapsed:5.1f}s  eta {eta}{fail}{end}")
        else:
            step = int(10 * done / total)
            if done == 0 or (step == self._last_line and done != total):
                return
            self._last_line = step
            self.stream.write(f"{self.label}: {done}/{plural(total, self.unit)} done, {elapsed:.1f}s wall"
                              f"{fail}\n")
        self.stream.flush()
