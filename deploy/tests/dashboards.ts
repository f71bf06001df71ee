import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '@infra-report/testkit';

export interface DashboardQuery {
  panel: string;
  refId: string;
  /** InfluxQL (query) or PromQL (expr). */
  text: string;
}

interface Dashboard {
  panels: { title: string; targets?: { refId: string; query?: string; expr?: string }[] }[];
  templating: { list: { name: string; type: string; query?: string }[] };
}

export function loadDashboard(name: 'fleet' | 'pipeline'): Dashboard {
  return JSON.parse(
    readFileSync(path.join(repoRoot, 'helm/infra-report/files/dashboards', `${name}.json`), 'utf8'),
  ) as Dashboard;
}

export function panelQueries(dashboard: Dashboard): DashboardQuery[] {
  return dashboard.panels.flatMap((panel) =>
    (panel.targets ?? []).map((t) => ({ panel: panel.title, refId: t.refId, text: t.query ?? t.expr ?? '' })),
  );
}

/** Grafana's variables as Grafana substitutes them (multi-value regex form for InfluxQL). */
export function substitute(text: string, values: Record<string, string>): string {
  return text.replace(/\$(__\w+|\w+)/g, (whole, name: string) => values[name] ?? whole);
}
