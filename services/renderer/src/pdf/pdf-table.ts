import type PDFDocument from 'pdfkit';
import { printable } from '@infra-report/shared';

export interface PdfColumn<Row> {
  header: string;
  width: number;
  align?: 'left' | 'right';
  text: (row: Row) => string;
  /** Fill colour of the cell background, e.g. for thresholds. */
  fill?: (row: Row) => string | undefined;
  /** Draws inside the cell instead of text (e.g. a usage bar). */
  draw?: (doc: PDFKit.PDFDocument, row: Row, x: number, y: number, width: number, height: number) => void;
}

const rowHeight = 14;
const headerFill = '#1f3b57';
const stripeFill = '#f2f5f8';

/**
 * A table that splits across pages with its header repeated; cells never wrap (a long
 * username or hostile string is cut with an ellipsis, not allowed to break the layout).
 */
export function drawTable<Row>(
  doc: InstanceType<typeof PDFDocument>,
  columns: PdfColumn<Row>[],
  rows: Row[],
  options: { emptyText?: string; rowHeight?: number; fontFor?: (text: string) => string } = {},
): void {
  const left = doc.page.margins.left;
  const bodyRowHeight = options.rowHeight ?? rowHeight;
  const bottomLimit = () => doc.page.height - doc.page.margins.bottom - rowHeight;
  const drawHeader = () => {
    let x = left;
    const y = doc.y;
    doc.save().rect(left, y, totalWidth(columns), rowHeight).fill(headerFill).restore();
    doc.font('Sans-Bold').fontSize(8).fillColor('#ffffff');
    for (const column of columns) {
      doc.text(column.header, x + 3, y + 3, {
        width: column.width - 6,
        height: rowHeight,
        lineBreak: false,
        ellipsis: true,
        align: column.align ?? 'left',
      });
      x += column.width;
    }
    doc.fillColor('#000000').font('Sans');
    doc.x = left;
    doc.y = y + rowHeight;
  };

  if (doc.y > bottomLimit() - rowHeight) doc.addPage();
  drawHeader();
  if (rows.length === 0) {
    doc
      .font('Sans-Oblique')
      .fontSize(8)
      .fillColor('#555555')
      .text(options.emptyText ?? 'None.', left + 3, doc.y + 3, { lineBreak: false });
    doc.fillColor('#000000').font('Sans');
    doc.x = left;
    doc.y += rowHeight + 4;
    return;
  }
  rows.forEach((row, index) => {
    if (doc.y > bottomLimit() - (bodyRowHeight - rowHeight)) {
      doc.addPage();
      drawHeader();
    }
    const y = doc.y;
    let x = left;
    if (index % 2 === 1) doc.save().rect(left, y, totalWidth(columns), bodyRowHeight).fill(stripeFill).restore();
    doc.font('Sans').fontSize(8).fillColor('#000000');
    for (const column of columns) {
      const fill = column.fill?.(row);
      if (fill) doc.save().rect(x, y, column.width, bodyRowHeight).fill(fill).restore();
      if (column.draw) {
        column.draw(doc, row, x, y, column.width, bodyRowHeight);
      } else {
        const text = printable(column.text(row));
        doc
          .font(options.fontFor?.(text) ?? 'Sans')
          .fillColor('#000000')
          .text(text, x + 3, y + 3, {
            width: column.width - 6,
            height: rowHeight,
            lineBreak: false,
            ellipsis: true,
            align: column.align ?? 'left',
          });
      }
      x += column.width;
    }
    doc.x = left;
    doc.y = y + bodyRowHeight;
  });
  doc.y += 6;
}

function totalWidth<Row>(columns: PdfColumn<Row>[]): number {
  return columns.reduce((sum, c) => sum + c.width, 0);
}
