import { Client } from 'pg';
import type { DeploymentStatus } from '@flightdeck/contracts';

export interface StoredTransition {
  from: DeploymentStatus | null;
  to: DeploymentStatus;
  phase: string;
  /** epoch ms */
  at: number;
}

// A deployment's stored history, read from the orchestrator's table with the runner's superuser:
// complete, where a follower that subscribes after `queued` only sees the latest status event.
// The bench observes; no service code reads another's schema.
export async function storedTransitions(adminUrl: string, deploymentId: string): Promise<StoredTransition[]> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ from_status: DeploymentStatus | null; to_status: DeploymentStatus; phase: string; at: Date }>(
      `select from_status, to_status, phase, at from orchestrator.deployment_transitions where deployment_id = $1 order by id`,
      [deploymentId],
    );
    return rows.map((r) => ({ from: r.from_status, to: r.to_status, phase: r.phase, at: r.at.getTime() }));
  } finally {
    await client.end();
  }
}

/** when the deployment first entered `status` */
export function enteredAt(transitions: StoredTransition[], status: DeploymentStatus): number {
  const t = transitions.find((x) => x.to === status && x.from !== status);
  if (!t) throw new Error(`no transition to ${status} in ${transitions.map((x) => `${x.from}→${x.to}`).join(', ')}`);
  return t.at;
}
