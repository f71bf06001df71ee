import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from '@infra-report/testkit';

const run = promisify(execFile);
export const chartDir = path.join(repoRoot, 'helm/infra-report');
/** The real helm (scripts/fetch-helm.sh puts it there; npm test runs that first). */
export const helm = path.join(repoRoot, '.tools/helm-3.17.1/helm');
const helmEnv = {
  ...process.env,
  HELM_CACHE_HOME: path.join(tmpdir(), 'ir-helm-cache'),
  HELM_CONFIG_HOME: path.join(tmpdir(), 'ir-helm-config'),
};

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  [key: string]: unknown;
}

/** `helm template`: the objects, NOTES.txt rendered with the same values, or Helm's error. */
export async function renderChart(
  valuesFiles: string[] = [],
): Promise<{ objects: KubeObject[]; notes: string; error: string | null }> {
  const values = valuesFiles.flatMap((f) => ['-f', f]);
  try {
    const { stdout } = await run(helm, ['template', 'infra-report', chartDir, '--namespace', 'reports', ...values], {
      maxBuffer: 64 * 1024 * 1024,
      env: helmEnv,
    });
    const objects = parseAllDocuments(stdout)
      .map((doc) => {
        if (doc.errors.length > 0) throw new Error(`rendered YAML does not parse: ${doc.errors[0]?.message}`);
        return doc.toJS() as KubeObject | null;
      })
      .filter((o): o is KubeObject => o !== null);
    return { objects, notes: await renderNotes(values), error: null };
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    return { objects: [], notes: '', error: e.stderr || e.message };
  }
}

/**
 * NOTES.txt as `helm install` would print it. `helm template` leaves NOTES out and `helm install
 * --dry-run` wants a cluster, so helm renders a copy of the chart in which NOTES.txt is an
 * ordinary template, with the same values.
 */
async function renderNotes(values: string[]): Promise<string> {
  const copy = mkdtempSync(path.join(tmpdir(), 'ir-chart-notes-'));
  try {
    cpSync(chartDir, copy, { recursive: true });
    const notes = readFileSync(path.join(copy, 'templates/NOTES.txt'), 'utf8');
    rmSync(path.join(copy, 'templates/NOTES.txt'));
    // The same text as a named template, printed as one YAML string (helm parses what it renders).
    writeFileSync(
      path.join(copy, 'templates/_zz_notes.tpl'),
      `{{- define "ir.test.notes" -}}\n${notes}\n{{- end -}}\n`,
    );
    writeFileSync(path.join(copy, 'templates/zz-notes.yaml'), 'notes: {{ include "ir.test.notes" . | toJson }}\n');
    const { stdout } = await run(
      helm,
      ['template', 'infra-report', copy, '--namespace', 'reports', ...values, '--show-only', 'templates/zz-notes.yaml'],
      { env: helmEnv },
    );
    return String((parseAllDocuments(stdout)[0]?.toJS() as { notes?: string } | null)?.notes ?? '');
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

/** `helm lint`: its output, and whether it passed. */
export async function lintChart(valuesFiles: string[] = []): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout } = await run(helm, ['lint', chartDir, ...valuesFiles.flatMap((f) => ['-f', f])], { env: helmEnv });
    return { ok: true, output: stdout };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? e.message}` };
  }
}

/** Validates an object with the JSON schema of its kind (Kubernetes' OpenAPI, the CRDs' schemas). */
export async function validateObject(object: KubeObject): Promise<string | null> {
  const modules: Record<string, string> = {
    v1: 'kubernetes-models/v1',
    'apps/v1': 'kubernetes-models/apps/v1',
    'batch/v1': 'kubernetes-models/batch/v1',
    'policy/v1': 'kubernetes-models/policy/v1',
    'autoscaling/v2': 'kubernetes-models/autoscaling/v2',
    'networking.k8s.io/v1': 'kubernetes-models/networking.k8s.io/v1',
    'monitoring.coreos.com/v1': '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1',
    'keda.sh/v1alpha1': '@kubernetes-models/keda/keda.sh/v1alpha1',
  };
  const module = modules[object.apiVersion];
  if (!module) return `no schema known for ${object.apiVersion}`;
  const models = (await import(module)) as Record<string, new (data: unknown) => { validate(): void }>;
  const Model = models[object.kind];
  if (!Model) return `no schema for ${object.apiVersion} ${object.kind}`;
  try {
    new Model(object).validate();
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}
