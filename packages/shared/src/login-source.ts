import { isIP } from 'node:net';

/** Whether a login source (as the collector normalised it) is a host name rather than an address. */
export function isHostNameSource(source: string): boolean {
  return source !== '' && isIP(source.replace(/%.*$/, '')) === 0;
}

/**
 * A login source for people: an address as it is, a host name (sshd with UseDNS) marked as a
 * name that was never resolved, a missing one as "unknown source".
 */
export function describeLoginSource(source: string): string {
  if (source === '') return 'unknown source';
  return isHostNameSource(source) ? `${source} (host name, not resolved)` : source;
}
