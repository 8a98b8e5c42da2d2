import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import {
  type ConfigurationDiff,
  type Deployment,
  type DeploymentMetrics,
  type DeploymentResult,
  type ErrorClass,
  classifyError,
} from '@flightdeck/contracts';
import { useApi, useErrorText } from '../api-context';
import {
  type TimelineStep,
  actionText,
  formatBytes,
  formatDuration,
  formatPhaseMs,
  phaseTimeline,
  previousDeployment,
  settingText,
} from '../view-model';

// A deployment's timeline, result, metrics, configuration diff and (failed) error classification,
// read again whenever the deployment changes (`deployment.updatedAt`).
export function DeploymentDetails({ deployment }: { deployment: Deployment }) {
  const { client } = useApi();
  const errorText = useErrorText();
  const [timeline, setTimeline] = useState<TimelineStep[] | null>(null);
  const [result, setResult] = useState<DeploymentResult | null>(null);
  const [metrics, setMetrics] = useState<DeploymentMetrics | null>(null);
  const [diff, setDiff] = useState<{ against: Deployment; diff: ConfigurationDiff } | 'none' | 'unrecorded' | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    void (async () => {
      const [progress, res, met] = await Promise.all([
        client.getProgress(deployment.id),
        client.getResults(deployment.id),
        client.getMetrics(deployment.id),
      ]);
      if (!live) return;
      if (progress.ok) setTimeline(phaseTimeline(progress.data.items, progress.data.timings));
      if (res.ok) setResult(res.data);
      if (met.ok) setMetrics(met.data);
      const failed = [progress, res, met].find((r) => !r.ok);
      setError(failed && !failed.ok ? errorText(failed.error) : null);
    })();
    return () => {
      live = false;
    };
  }, [client, deployment.id, deployment.updatedAt]);

  useEffect(() => {
    let live = true;
    void (async () => {
      const list = await client.listDeployments(deployment.projectId, {
        environmentId: deployment.environmentId,
        createdBefore: deployment.createdAt,
        limit: 5,
      });
      if (!live || !list.ok) return;
      const before = previousDeployment(list.data.items, deployment);
      if (!before) return setDiff('none');
      const d = await client.getConfigDiff(deployment.id, before.id);
      if (!live) return;
      // no configuration recorded (yet, or ever: a build that never resolved its variables)
      setDiff(d.ok ? { against: before, diff: d.data } : 'unrecorded');
    })();
    return () => {
      live = false;
    };
  }, [client, deployment.id, deployment.status]);

  const failure: ErrorClass | null =
    result?.error?.class ?? (deployment.errorCode ? classifyError(deployment.errorCode) : null);

  return (
    <>
      {failure && deployment.errorCode && (
        <section className="panel failure" aria-labelledby="failure-h">
          <h2 id="failure-h">What went wrong</h2>
          <p>
            <strong data-severity={failure.severity}>{failure.severity}</strong>: {failure.userMessage}{' '}
            <span className="mono">({deployment.errorCode})</span>
          </p>
          {result?.error?.step && <p className="muted">Failing step: {result.error.step}</p>}
          <h3>Suggested actions</h3>
          <ul aria-label="Suggested actions">
            {failure.actions.map((a) => (
              <li key={a} data-action={a}>
                {a === 'check-variables' ? (
                  <Link to={`/projects/${deployment.projectId}`}>{actionText(a)}</Link>
                ) : (
                  actionText(a)
                )}
              </li>
            ))}
          </ul>
          {!!result?.error?.lastLines.length && (
            <pre className="log last-lines" aria-label="Last log lines" tabIndex={0}>{result.error.lastLines.join('\n')}</pre>
          )}
        </section>
      )}

      <section aria-labelledby="timeline-h">
        <h2 id="timeline-h">Timeline</h2>
        {timeline ? (
          <ol className="timeline" aria-label="Time in each phase">
            {timeline.map((s) => (
              <li key={s.phase} data-phase={s.phase}>
                <span className="timeline-name">{s.phase.replace(/_/g, ' ')}</span>
                <span className="timeline-bar" aria-hidden="true">
                  <span style={{ width: `${Math.max(1, Math.round(s.share * 100))}%` }} />
                </span>
                <span className="timeline-ms">{formatPhaseMs(s.ms)}</span>
              </li>
            ))}
          </ol>
        ) : (
          <p className="muted">Loading…</p>
        )}
      </section>

      <section aria-labelledby="result-h">
        <h2 id="result-h">Result and metrics</h2>
        <dl className="facts" aria-label="Result and metrics">
          <dt>Framework</dt>
          <dd>{result?.framework ? `${result.framework}${result.frameworkVersion ? ` ${result.frameworkVersion}` : ''}` : '—'}</dd>
          <dt>Install</dt>
          <dd>{formatDuration(metrics?.installTimeMs) ?? '—'}</dd>
          <dt>Build</dt>
          <dd>{formatDuration(metrics?.buildTimeMs) ?? '—'}</dd>
          <dt>Tests</dt>
          <dd>
            {result?.testsPassed !== null && result?.testsPassed !== undefined
              ? `${result.testsPassed} passed, ${result.testsFailed ?? 0} failed, ${result.testsSkipped ?? 0} skipped`
              : formatDuration(metrics?.testTimeMs) ?? '—'}
          </dd>
          <dt>Package</dt>
          <dd>{formatDuration(metrics?.packageTimeMs) ?? '—'}</dd>
          <dt>Artifact size</dt>
          <dd>{formatBytes(metrics?.buildSizeBytes) ?? '—'}</dd>
          <dt>Warnings</dt>
          <dd>{result ? result.warningCount : '—'}</dd>
          <dt>Log</dt>
          <dd>{result?.logVolume ? `${result.logVolume.lines} lines` : '—'}</dd>
        </dl>
      </section>

      <section aria-labelledby="diff-h">
        <h2 id="diff-h">Configuration changes</h2>
        {diff === null && <p className="muted">Loading…</p>}
        {diff === 'none' && <p className="muted">The first deployment of this environment: nothing to compare with.</p>}
        {diff === 'unrecorded' && <p className="muted">No configuration recorded for this deployment (yet).</p>}
        {diff !== null && typeof diff === 'object' && (
          <>
            <p className="muted">
              Against the previous deployment,{' '}
              <Link to={`/deployments/${diff.against.id}`}>{diff.against.sourceRef} of {new Date(diff.against.createdAt).toLocaleString()}</Link>.
            </p>
            {!diff.diff.variables.length && !diff.diff.settings.length ? (
              <p>No change.</p>
            ) : (
              <div className="table-wrap" role="region" aria-label="Configuration changes, scrollable" tabIndex={0}>
                <table aria-label="Configuration changes">
                  <thead>
                    <tr><th scope="col">Variable or setting</th><th scope="col">Change</th><th scope="col">Before</th><th scope="col">Now</th></tr>
                  </thead>
                  <tbody>
                    {diff.diff.variables.map((v) => (
                      <tr key={`v-${v.key}`} data-diff-key={v.key}>
                        <td className="mono">{v.key}</td>
                        <td>{v.change}{v.detail?.length ? ` (${v.detail.join(', ')})` : ''}</td>
                        <td className="mono">{v.sensitive ? '(sensitive)' : (v.from ?? '—')}</td>
                        <td className="mono">{v.sensitive ? '(sensitive)' : (v.to ?? '—')}</td>
                      </tr>
                    ))}
                    {diff.diff.settings.map((s) => (
                      <tr key={`s-${s.path}`} data-diff-key={s.path}>
                        <td className="mono">{s.path}</td>
                        <td>setting</td>
                        <td className="mono">{settingText(s.from)}</td>
                        <td className="mono">{settingText(s.to)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </>
        )}
      </section>
      {error && <p role="alert" className="error">{error}</p>}
    </>
  );
}
