import { useEffect, useState } from 'react';
import type { SystemStatus } from '@flightdeck/contracts';
import { useApi, useErrorText } from '../api-context';
import { formatDuration } from '../view-model';

// Platform admins: every service instance answering on the bus now, and what `npm start` supervises;
// read again every 5 s. Anyone else gets the API's refusal in words.
export function SystemStatusPage() {
  const { client } = useApi();
  const errorText = useErrorText();
  const [status, setStatus] = useState<SystemStatus | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    const read = () =>
      void client.getSystemStatus().then((r) => {
        if (!live) return;
        if (!r.ok) return setError(errorText(r.error));
        setError(null);
        setStatus(r.data);
      });
    read();
    const timer = setInterval(read, 5_000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [client]);

  return (
    <>
      <h1>System status</h1>
      {error && <p role="alert" className="error">{error}</p>}
      {!status && !error && <p>Loading…</p>}
      {status && (
        <>
          <h2>Service instances</h2>
          <div className="table-wrap" role="region" aria-label="Service instances, scrollable" tabIndex={0}>
            <table aria-label="Service instances">
              <thead><tr><th scope="col">Service</th><th scope="col">State</th><th scope="col">Instance</th><th scope="col">Version</th><th scope="col">Up</th></tr></thead>
              <tbody>
                {status.items.map((i) => {
                  const failing = Object.entries(i.checks ?? {}).filter(([, okay]) => !okay).map(([k]) => k);
                  return (
                    <tr key={i.instanceId} data-service={i.name}>
                      <td>{i.name}</td>
                      <td>
                        <span className={`status status-${i.ready ? 'ok' : 'bad'}`}>{i.ready ? 'ready' : 'not ready'}</span>
                        {failing.length > 0 && <span className="muted"> failing: {failing.join(', ')}</span>}
                      </td>
                      <td className="mono">{i.instanceId}</td>
                      <td className="mono">{i.version}</td>
                      <td>{formatDuration(i.uptimeS * 1000)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          {status.items.length === 0 && <p className="error">No service answered.</p>}
          {status.supervisor && (
            <>
              <h2>Supervised by npm start</h2>
              <div className="table-wrap" role="region" aria-label="Supervised processes, scrollable" tabIndex={0}>
                <table aria-label="Supervised processes">
                  <thead><tr><th scope="col">Process</th><th scope="col">Kind</th><th scope="col">State</th><th scope="col">Restarts</th><th scope="col">Since</th></tr></thead>
                  <tbody>
                    {status.supervisor.processes.map((p) => (
                      <tr key={p.name} data-process={p.name}>
                        <td>{p.name}</td>
                        <td>{p.kind}</td>
                        <td><span className={`status status-${p.state === 'running' ? 'ok' : p.state === 'starting' ? 'busy' : 'bad'}`}>{p.state}</span></td>
                        <td>{p.restarts}</td>
                        <td><time dateTime={p.since}>{new Date(p.since).toLocaleString()}</time></td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
        </>
      )}
    </>
  );
}
