import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from '@infra-report/testkit';

const run = promisify(execFile);
export const chartDir = path.join(repoRoot, 'helm/infra-report');
const renderer = path.join(repoRoot, '.tools/chart-render');

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  [key: string]: unknown;
}

/** `helm template` (tools/chart-render): the objects, NOTES.txt, or Helm's error. */
export async function renderChart(
  valuesFiles: string[] = [],
): Promise<{ objects: KubeObject[]; notes: string; error: string | null }> {
  try {
    const { stdout } = await run(
      renderer,
      [...valuesFiles.flatMap((f) => ['-f', f]), '-name', 'infra-report', '-namespace', 'reports', chartDir],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    const notes = stdout
      .split('\n')
      .filter((line) => line.startsWith('# NOTES: '))
      .map((line) => line.slice('# NOTES: '.length))
      .join('\n');
    const objects = parseAllDocuments(stdout)
      .map((doc) => {
        if (doc.errors.length > 0) throw new Error(`rendered YAML does not parse: ${doc.errors[0]?.message}`);
        return doc.toJS() as KubeObject | null;
      })
      .filter((o): o is KubeObject => o !== null);
    return { objects, notes, error: null };
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    return { objects: [], notes: '', error: e.stderr ?? e.message };
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
