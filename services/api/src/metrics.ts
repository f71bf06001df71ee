import type { Queue } from 'bullmq';
import { Gauge, type Registry } from 'prom-client';

const states = ['waiting', 'active', 'delayed', 'failed', 'completed', 'waiting-children'] as const;

/** Queue depths per state, read from Redis at scrape time: the pipeline's health for Prometheus. */
export function registerPipelineMetrics(registry: Registry, queues: Record<string, Queue>): void {
  new Gauge({
    name: 'infra_report_queue_jobs',
    help: 'Jobs in each pipeline queue by state',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      for (const [name, queue] of Object.entries(queues)) {
        const counts = await queue.getJobCounts(...states);
        for (const state of states) this.set({ queue: name, state }, counts[state] ?? 0);
      }
    },
  });
}
