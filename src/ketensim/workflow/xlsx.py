"""Writes an Excel workbook for policy staff: ``report.xlsx`` builds its sheets (and opens no
file), this writes them with openpyxl into one file at the path it is given; callers put it
inside the results set they write atomically, so a workbook is never half there."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..report.xlsx import Workbook, cell_value

__all__ = ["write_workbook"]


def write_workbook(path: str | Path, book: Workbook) -> Path:
    """Write the workbook to ``path`` (one file; the caller makes it part of an atomic set)."""
    from openpyxl import Workbook as XlWorkbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = XlWorkbook()
    wb.remove(wb.active)
    for sheet in book.sheets:
        ws = wb.create_sheet(sheet.name[:31])
        ws.append([sheet.title])
        ws["A1"].font = Font(bold=True, size=14)
        ws.append([sheet.note] if sheet.note else [])
        ws["A2"].alignment = Alignment(wrap_text=False)
        ws.append([])
        ws.append(list(sheet.columns))
        header = 4
        for cell in ws[header]:
            cell.font = Font(bold=True)
        widths = [len(str(c)) for c in sheet.columns]
        for row in sheet.rows:
            ws.append([cell_value(v) for v in row])
            for i, v in enumerate(row):
                if i < len(widths):
                    widths[i] = max(widths[i], min(60, len(f"{v:,.1f}" if isinstance(v, float) else str(v))))
        for col, fmt in sheet.formats.items():
            for (cell,) in ws.iter_rows(min_row=header + 1, min_col=col + 1, max_col=col + 1):
                cell.number_format = fmt
        for i, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width + 2
        for row in ws.iter_rows(min_row=header + 1):
            for cell in row:
                if isinstance(cell.value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
        ws.freeze_panes = ws.cell(row=header + 1, column=1)
        if sheet.rows and sheet.columns:
            ws.auto_filter.ref = f"A{header}:{get_column_letter(len(sheet.columns))}{header + len(sheet.rows)}"
    path = Path(path)
    wb.properties.title = book.sheets[0].title if book.sheets else "ketensim"
    wb.properties.creator = "ketensim"
    wb.save(path)
    return path
