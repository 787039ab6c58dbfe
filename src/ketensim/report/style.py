"""The report's colours, shared by the matplotlib plots and the SVG charts."""
from __future__ import annotations

PALETTE = ["#1f5fa8", "#e08a00", "#2a9d5c", "#8e5ac8", "#b8860b", "#555555"]
LETTER_COLOR = "#111111"
