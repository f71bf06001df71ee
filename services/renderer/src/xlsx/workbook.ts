import ExcelJS from 'exceljs';
import { printable, wallClock } from '@infra-report/shared';
import type { ReportModel, Severity } from '../report-model.js';

export type Workbook = ExcelJS.stream.xlsx.WorkbookWriter;

export interface SheetColumn<Row> {
  header: string;
  width: number;
  value: (row: Row) => string | number | boolean | Date | null;
  numFmt?: string;
}

export const bytesFormat = '#,##0';
export const percentFormat = '0%';
export const dateFormat = 'yyyy-mm-dd hh:mm:ss';
export const severityFill: Record<Severity, string | undefined> = {
  critical: 'FFF8C9C4',
  warning: 'FFFBE6B0',
  ok: undefined,
};

/** An instant as the report's wall time (Excel has no time zones). */
export const localTime = (model: ReportModel) => (d: Date | null) => (d ? asLocalWallTime(d, model.timezone) : null);

export function addSheet<Row>(
  workbook: Workbook,
  name: string,
  columns: SheetColumn<Row>[],
  rows: Row[],
  options: {
    rowFill?: (row: Row) => string | undefined;
    cellFormat?: (value: unknown) => string | undefined;
    /** Real conditional formatting (it follows edits in Excel): amber from `warn`, red from `critical`. */
    thresholds?: { column: number; warn: number; critical: number }[];
  } = {},
): void {
  const sheet = workbook.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = columns.map((c) => ({
    header: c.header,
    width: c.width,
    style: c.numFmt ? { numFmt: c.numFmt } : {},
  }));
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: columns.length } };
  const header = sheet.getRow(1);
  header.font = { bold: true, color: { argb: 'FFFFFFFF' } };
  header.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FF1F3B57' } };
  header.commit();
  for (const row of rows) {
    const values = columns.map((c) => safeCellValue(c.value(row)));
    const added = sheet.addRow(values);
    const fill = options.rowFill?.(row);
    // Number formats come from the column style; only exceptions and fills touch single cells
    // (a style object per cell is what makes large workbooks slow and big).
    columns.forEach((column, index) => {
      const format = column.numFmt ? undefined : options.cellFormat?.(values[index]);
      if (!format && !fill) return;
      const cell = added.getCell(index + 1);
      if (format) cell.numFmt = format;
      if (fill) cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: fill } };
    });
    added.commit();
  }
  if (rows.length > 0) {
    for (const t of options.thresholds ?? []) {
      const letter = columnLetter(t.column);
      sheet.addConditionalFormatting({
        ref: `${letter}2:${letter}${rows.length + 1}`,
        rules: [
          {
            type: 'cellIs',
            operator: 'greaterThan',
            formulae: [String(t.critical - 1e-9)],
            priority: 1,
            style: { fill: { type: 'pattern', pattern: 'solid', bgColor: { argb: 'FFF8C9C4' } } },
          },
          {
            type: 'cellIs',
            operator: 'greaterThan',
            formulae: [String(t.warn - 1e-9)],
            priority: 2,
            style: { fill: { type: 'pattern', pattern: 'solid', bgColor: { argb: 'FFFBE6B0' } } },
          },
        ],
      });
    }
  }
  sheet.commit();
}

/**
 * Strings go in as plain string values (exceljs writes formulas only from { formula } objects);
 * control characters, which XML 1.0 cannot carry, are shown in caret notation, so a hostile log
 * line can neither corrupt the file nor hide in it. Excel's cell limit is 32,767 characters.
 */
function safeCellValue(value: string | number | boolean | Date | null): string | number | boolean | Date | null {
  if (typeof value === 'string')
    return printable(value)
      .replace(/[\ufffe\uffff]/g, '\ufffd')
      .slice(0, 32767);
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  return value;
}

function columnLetter(index: number): string {
  let n = index;
  let out = '';
  while (n > 0) {
    const rem = (n - 1) % 26;
    out = String.fromCharCode(65 + rem) + out;
    n = Math.floor((n - 1) / 26);
  }
  return out;
}

/** Excel dates have no time zone: store the wall-clock time of the report's zone. */
export function asLocalWallTime(instant: Date, timezone: string): Date {
  const c = wallClock(instant, timezone);
  return new Date(Date.UTC(c.year, c.month - 1, c.day, c.hour, c.minute, c.second));
}
