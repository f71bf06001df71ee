export { renderRun, reportFileBaseName, type RenderDependencies } from './render-run.js';
export { createRenderProcessor, startRenderWorker } from './render-worker.js';
export { buildReportModel, formatBytes, type ReportModel } from './report-model.js';
export { renderPdf } from './pdf/render-pdf.js';
export { renderXlsx } from './xlsx/render-xlsx.js';
