import {
  collectionConditions,
  conditionsFor,
  evaluateAlerts,
  resourceConditions,
  rulesOn,
  type AlertEvent,
  type AlertPolicy,
  type AlertStateStore,
  type Config,
  type HostSnapshot,
  type Logger,
} from '@infra-report/shared';

export interface CollectionAlerts {
  state: AlertStateStore;
  thresholds: Config['report']['thresholds'];
  policy: AlertPolicy;
}

/**
 * The collection's immediate alerts (only the rules on for collections), returned with the
 * snapshot for the run to notify together. Alerts never fail a collection: a problem is logged.
 */
export async function alertOnCollection(
  snapshot: HostSnapshot,
  alerts: CollectionAlerts,
  logger: Logger,
): Promise<AlertEvent[]> {
  const rules = rulesOn(alerts.policy, 'collection');
  if (rules.length === 0) return [];
  try {
    return await evaluateAlerts(
      {
        host: snapshot.host,
        groups: snapshot.groups,
        conditions: conditionsFor(alerts.policy, 'collection', [
          ...resourceConditions(snapshot, alerts.thresholds),
          ...collectionConditions(snapshot.logins.failed, snapshot.backups, alerts.thresholds),
        ]),
        rules,
        now: new Date(snapshot.collectedAt),
        source: 'collection',
        intervalMs: 0,
      },
      alerts.state,
      alerts.policy,
    );
  } catch (error) {
    logger.error({ host: snapshot.host, err: error }, 'cannot evaluate alerts');
    return [];
  }
}
