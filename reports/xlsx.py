"""The report as an XLSX workbook: one sheet per section, numbers as
numbers, months as dates, shares as percentages."""

import datetime
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from tasteget.helpers import neutralise_formula

from .tables import DECIMAL, SHARE

FORMATS = {SHARE: "0.0%", DECIMAL: "0.0"}


def workbook(report, sections, municipalities):
    book = Workbook()
    book.remove(book.active)
    period, earlier = report["period"], report["earlier"]
    for section in sections:
        sheet = book.create_sheet(str(section.title)[:31])
        sheet.append([str(section.title)])
        sheet["A1"].font = Font(bold=True, size=13)
        # The two periods compared, each labelled: "Period | from | to".
        for label, (start, end) in (
            (_("Period"), (period.start, period.end)),
            (_("A year earlier"), (earlier.start, earlier.end)),
        ):
            sheet.append([str(label), start, end])
            for cell in sheet[sheet.max_row][1:]:
                cell.number_format = "yyyy-mm-dd"
        if section.note:
            sheet.append([str(section.note)])
        for table in section.tables:
            sheet.append([])
            sheet.append([str(table.caption)])
            sheet.cell(sheet.max_row, 1).font = Font(bold=True)
            heading = [str(table.row_heading)]
            for column in table.columns:
                heading += [str(column), f"{column} ({earlier.start.year})"]
            sheet.append(heading)
            for row in table.rows:
                label = row.label if isinstance(row.label, datetime.date) else neutralise_formula(str(row.label))
                values = [value for pair in row.cells for value in pair]
                sheet.append([label, *values])
                if isinstance(label, datetime.date):
                    sheet.cell(sheet.max_row, 1).number_format = "yyyy-mm"
                if row.format in FORMATS:
                    for column in range(2, len(values) + 2):
                        sheet.cell(sheet.max_row, column).number_format = FORMATS[row.format]
        sheet.column_dimensions["A"].width = 48
        widest = max((len(table.columns) for table in section.tables), default=len(municipalities))
        for column in range(2, 2 * widest + 2):
            sheet.column_dimensions[get_column_letter(column)].width = 16
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()
