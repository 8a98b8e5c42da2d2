import { useEffect, useState } from 'react';
import type { Deployment, Environment, EnvironmentHealth, Result } from '@flightdeck/contracts';
import { useApi } from '../api-context';
import { healthView } from '../view-model';

/** how often an environment's health is read again while its project page is open */
export const HEALTH_REFRESH_MS = 10_000;

// The health of the release an environment serves, as the builder's supervision sees it: in words
// and colour, its restarts and last failure. Read again every HEALTH_REFRESH_MS and whenever a
// deployment of the environment changes status; a failed read (503: no builder) says "health unknown".
export function EnvironmentHealthState({ projectId, environment, deployments }: { projectId: string; environment: Environment; deployments: Deployment[] }) {
  const { client } = useApi();
  const [answer, setAnswer] = useState<Result<EnvironmentHealth> | undefined>(undefined);
  const mine = deployments.filter((d) => d.environmentId === environment.id);
  const changes = mine.map((d) => `${d.id}:${d.status}`).join();
  const released = mine.some((d) => d.status === 'succeeded');
  useEffect(() => {
    let live = true;
    const read = () => void client.getEnvironmentHealth(projectId, environment.id).then((r) => live && setAnswer(r));
    read();
    const timer = setInterval(read, HEALTH_REFRESH_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [client, projectId, environment.id, changes]);
  const view = healthView(answer, released);
  return (
    <div className="health" data-environment={environment.name}>
      Health:{' '}
      <span className={`status status-${view.tone}`} data-health={view.words} aria-live="polite">{view.words}</span>
      {view.details.length > 0 && <span className="muted"> {view.details.join('; ')}</span>}
      {view.lastFailure && (
        <span className="muted">; last failure {new Date(view.lastFailure.at).toLocaleString()}: {view.lastFailure.reason}</span>
      )}
    </div>
  );
}
