import { printable } from '@infra-report/shared';
import { formatCount, formatTime, type ReportModel, type Severity } from '../report-model.js';
import { anchorOf } from '../report-sections.js';
import type { PdfFonts } from './fonts.js';
import { drawTable, type PdfColumn } from './pdf-table.js';

export const severityFill: Record<Severity, string | undefined> = {
  critical: '#f8c9c4',
  warning: '#fbe6b0',
  ok: undefined,
};
export const severityColour: Record<Severity, string> = { critical: '#c0392b', warning: '#d68910', ok: '#1e8449' };
export const pageWidth = 515;
/** Findings listed on the summary page; the Alerts section has the rest. */
export const attentionOnSummary = 25;

export const time = (model: ReportModel, d: Date | null) => (d ? formatTime(d, model.timezone) : '—');
export const num = (n: number | null, digits = 0) =>
  n === null ? '—' : digits === 0 ? formatCount(n) : n.toFixed(digits);
export const count = (n: number) => formatCount(n);
export const pct = (n: number | null) => (n === null ? '—' : `${n.toFixed(1)}%`);

/** How a per-host table stays short at any fleet size. */
export interface RowBound<Row> {
  /** At most this many rows (default 40). */
  limit?: number;
  /** The XLSX sheet that has every row, named in the note. */
  sheet: string;
  /** Rows that need attention: shown first. */
  first?: (row: Row) => boolean;
}
const rowsPerTable = 40;

/** The rows a bounded table shows, and the note that says how many more the XLSX holds. */
export function limitRows<Row>(rows: Row[], bound: RowBound<Row>): { shown: Row[]; note: string | null } {
  const limit = bound.limit ?? rowsPerTable;
  if (rows.length <= limit) return { shown: rows, note: null };
  const first = bound.first;
  const ordered = first ? [...rows.filter(first), ...rows.filter((r) => !first(r))] : rows;
  return {
    shown: ordered.slice(0, limit),
    note: `${count(rows.length - limit)} more row(s) not shown (${first ? 'those needing attention come first' : 'the first ones are shown'}); the XLSX sheet "${bound.sheet}" has all ${count(rows.length)}.`,
  };
}

/** "h001, h002, h003 (200 hosts)" when the list is longer than fits. */
export function listWithCount(items: string[], noun: string, shown = 3): string {
  return items.length <= shown
    ? items.join(', ')
    : `${items.slice(0, shown).join(', ')}, … (${count(items.length)} ${noun})`;
}

/**
 * One PDF being written: the document, its fonts, and the section whose subheadings become its
 * children in the outline. One per rendering (no module state: renderings never share it).
 */
export class PdfWriter {
  private currentOutline: PDFKit.PDFOutline | null = null;

  constructor(
    readonly doc: PDFKit.PDFDocument,
    readonly fonts: PdfFonts,
  ) {}

  heading(text: string): void {
    const { doc } = this;
    if (doc.y > doc.page.height - 150) doc.addPage();
    doc.moveDown(0.6);
    this.sectionTitle(text);
  }

  /** A section that starts on a page of its own (the appendix). */
  pageHeading(text: string): void {
    this.doc.addPage();
    this.sectionTitle(text);
  }

  /** A section's title: in the outline, and the destination the summary page links to. */
  private sectionTitle(text: string): void {
    const { doc } = this;
    this.currentOutline = doc.outline.addItem(text);
    doc
      .font('Sans-Bold')
      .fontSize(14)
      .fillColor('#1f3b57')
      .text(text, doc.page.margins.left, undefined, { destination: anchorOf(text) })
      .fillColor('#000000')
      .moveDown(0.3);
  }

  /** An entry under the current section in the outline, without a subheading on the page. */
  outlineItem(text: string): void {
    this.currentOutline?.addItem(text);
  }

  subheading(text: string): void {
    const { doc } = this;
    if (doc.y > doc.page.height - 110) doc.addPage();
    (this.currentOutline ?? doc.outline).addItem(printable(text));
    doc.font('Sans-Bold').fontSize(10).fillColor('#000000').text(text, doc.page.margins.left).moveDown(0.2);
  }

  note(text: string): void {
    this.doc
      .font('Sans-Oblique')
      .fontSize(8)
      .fillColor('#555555')
      .text(text, this.doc.page.margins.left, undefined, { width: pageWidth })
      .fillColor('#000000')
      .font('Sans')
      .moveDown(0.3);
  }

  /** A table whose cells switch to the CJK font where their text needs it. */
  table<Row>(
    columns: PdfColumn<Row>[],
    rows: Row[],
    options: { emptyText?: string; rowHeight?: number; bound?: RowBound<Row> } = {},
  ): void {
    const { bound, ...drawOptions } = options;
    const { shown, note: cut } = bound ? limitRows(rows, bound) : { shown: rows, note: null };
    drawTable(this.doc, columns, shown, { ...drawOptions, fontFor: (text) => this.fonts.forText(text) });
    if (cut) this.note(cut);
  }

  /** Findings across the fleet, one row each: what, how broad, and a few hosts with their detail. */
  rollupTable(
    rollups: ReportModel['rollups'],
    options: { bound?: RowBound<ReportModel['rollups'][number]> } = {},
  ): void {
    this.table(
      [
        {
          header: 'Severity',
          width: 55,
          text: (r: ReportModel['rollups'][number]) => r.severity.toUpperCase(),
          fill: (r) => severityFill[r.severity],
        },
        { header: 'Finding', width: 250, text: (r) => r.title },
        { header: 'Hosts', width: 35, align: 'right', text: (r) => count(r.hosts.length) },
        { header: 'Where', width: 175, text: (r) => r.examples },
      ],
      rollups,
      { emptyText: 'Nothing needs attention.', ...options },
    );
  }
}
