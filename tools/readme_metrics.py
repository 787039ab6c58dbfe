"""Rewrite the README's metric table from the registry (the table between the
``<!-- metrics:begin -->`` and ``<!-- metrics:end -->`` markers; tests/test_parts.py checks it)."""
from __future__ import annotations

import re
import sys
from pathlib import Path

from ketensim.metrics.registry import format_table
from ketensim.model.chain import registry

README = Path(__file__).resolve().parents[1] / "README.md"


def main() -> int:
    text = README.read_text(encoding="utf-8")
    table = format_table(registry(), "markdown")
    new, n = re.subn(r"(<!-- metrics:begin -->\n).*?(\n<!-- metrics:end -->)",
                     lambda m: m.group(1) + table + m.group(2), text, flags=re.S)
    if n != 1:
        sys.stderr.write("README.md: the metrics:begin/metrics:end markers are missing\n")
        return 2
    README.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
