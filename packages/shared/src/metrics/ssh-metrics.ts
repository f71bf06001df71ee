import { Histogram, type Registry } from 'prom-client';

const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** What the SSH layer reports of each connection it opens (seconds). */
export interface SshTimingObserver {
  /** TCP connect until the server's SSH banner arrived. */
  connected(seconds: number): void;
  /** Key exchange and authentication, after a session slot was free. */
  handshaken(seconds: number): void;
}

export function createSshMetrics(registry: Registry): SshTimingObserver {
  const connect = new Histogram({
    name: 'infra_report_ssh_connect_seconds',
    help: 'TCP connect until the SSH banner, per connection',
    buckets: latencyBuckets,
    registers: [registry],
  });
  const handshake = new Histogram({
    name: 'infra_report_ssh_handshake_seconds',
    help: 'SSH key exchange and authentication, per connection',
    buckets: latencyBuckets,
    registers: [registry],
  });
  return {
    connected: (seconds) => connect.observe(seconds),
    handshaken: (seconds) => handshake.observe(seconds),
  };
}
