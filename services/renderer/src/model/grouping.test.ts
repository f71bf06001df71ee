import { describe, expect, it } from 'vitest';
import { sampleRun, sampleSnapshot } from '@infra-report/testkit';
import { groupHosts, noGroup } from './grouping.js';

describe('groupHosts', () => {
  const run = {
    ...sampleRun(),
    snapshots: [
      sampleSnapshot('web02', { groups: ['web'], labels: { site: 'paris' } }),
      sampleSnapshot('app01', { groups: [], labels: {} }),
      sampleSnapshot('web01', { groups: ['web', 'prod'], labels: { site: 'lyon' } }),
    ],
  };

  it('groups by the first host group and orders hosts by group, then name', () => {
    const grouping = groupHosts(run, 'group');
    expect(grouping.snapshots.map((s) => s.host)).toEqual(['app01', 'web01', 'web02']);
    expect(grouping.groupOf('web01')).toBe('web');
    expect(grouping.groupOf('app01')).toBe(noGroup);
    expect(grouping.groupOf('db01')).toBe('db'); // an unreachable host keeps its group
  });

  it('groups by a label, hosts without it under "(no group)"', () => {
    const grouping = groupHosts(run, 'label:site');
    expect(['web01', 'web02', 'app01'].map(grouping.groupOf)).toEqual(['lyon', 'paris', noGroup]);
    expect(grouping.snapshots.map((s) => s.host)).toEqual(['app01', 'web01', 'web02']);
  });

  it('puts every host in one group with group_by none', () => {
    expect(new Set(['web01', 'app01', 'db01'].map(groupHosts(run, 'none').groupOf))).toEqual(new Set([noGroup]));
  });
});
