import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import type { DeploymentAnalytics, Environment, Project } from '@flightdeck/contracts';
import { useApi, useErrorText } from '../api-context';
import { formatPhaseMs, formatRate, phaseChart } from '../view-model';

const WINDOWS = [
  { days: 1, label: 'the last 24 hours' },
  { days: 7, label: 'the last 7 days' },
  { days: 30, label: 'the last 30 days' },
  { days: 90, label: 'the last 90 days' },
];

// A project's deployments added up (GET …/analytics): success rate and the p50/p95 time of each
// phase, as charts drawn in SVG with the same numbers in a table beside them (screen readers and
// anyone who wants the figures read the table; the chart is marked as its picture).
export function AnalyticsPage() {
  const { projectId = '' } = useParams();
  const { client } = useApi();
  const errorText = useErrorText();
  const [project, setProject] = useState<Project | null>(null);
  const [environments, setEnvironments] = useState<Environment[]>([]);
  const [environmentId, setEnvironmentId] = useState('');
  const [days, setDays] = useState(30);
  const [data, setData] = useState<DeploymentAnalytics | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    void Promise.all([client.getProject(projectId), client.listEnvironments(projectId)]).then(([p, envs]) => {
      if (!p.ok) return setError(errorText(p.error));
      setProject(p.data);
      if (envs.ok) setEnvironments(envs.data.items);
    });
  }, [client, projectId]);
  useEffect(() => {
    let live = true;
    setData(null);
    const from = new Date(Date.now() - days * 86_400_000).toISOString();
    void client.getAnalytics(projectId, { from, ...(environmentId ? { environmentId } : {}) }).then((r) => {
      if (!live) return;
      if (!r.ok) return setError(errorText(r.error));
      setError(null);
      setData(r.data);
    });
    return () => {
      live = false;
    };
  }, [client, projectId, environmentId, days]);

  if (error && !project) return <p role="alert" className="error">{error}</p>;
  const chart = data ? phaseChart(data.phaseMs) : [];
  const finished = data ? (data.byStatus.succeeded ?? 0) + (data.byStatus.failed ?? 0) + (data.byStatus.timeout ?? 0) : 0;
  return (
    <>
      <p className="crumbs"><Link to="/">Projects</Link> / {project ? <Link to={`/projects/${projectId}`}>{project.name}</Link> : '…'} / analytics</p>
      <h1>Analytics{project ? ` of ${project.name}` : ''}</h1>
      <form className="filters" aria-label="Analytics window" onSubmit={(e) => e.preventDefault()}>
        <div>
          <label htmlFor="analytics-env">Environment</label>
          <select id="analytics-env" value={environmentId} onChange={(e) => setEnvironmentId(e.target.value)}>
            <option value="">all</option>
            {environments.map((env) => <option key={env.id} value={env.id}>{env.name}</option>)}
          </select>
        </div>
        <div>
          <label htmlFor="analytics-window">Over</label>
          <select id="analytics-window" value={days} onChange={(e) => setDays(Number(e.target.value))}>
            {WINDOWS.map((w) => <option key={w.days} value={w.days}>{w.label}</option>)}
          </select>
        </div>
      </form>
      {error && <p role="alert" className="error">{error}</p>}
      {!data ? (
        <p>Loading…</p>
      ) : (
        <>
          <section aria-label="Success rate" className="panel">
            <h2>Success rate</h2>
            <p className="big" data-success-rate>{formatRate(data.successRate)}</p>
            <p className="muted">
              {data.byStatus.succeeded ?? 0} succeeded of {finished} finished ({data.total} deployments in all; canceled ones not counted)
            </p>
            {data.successRate !== null && (
              <svg className="rate-bar" viewBox="0 0 100 6" preserveAspectRatio="none" role="img"
                aria-label={`${formatRate(data.successRate)} succeeded`}>
                <rect x="0" y="0" width="100" height="6" className="bar-bad" />
                <rect x="0" y="0" width={data.successRate * 100} height="6" className="bar-ok" />
              </svg>
            )}
            <div className="table-wrap">
              <table aria-label="Deployments by status">
                <thead><tr><th>Status</th><th>Deployments</th></tr></thead>
                <tbody>
                  {Object.entries(data.byStatus).map(([s, n]) => <tr key={s} data-status-count={s}><td>{s}</td><td>{n}</td></tr>)}
                </tbody>
              </table>
            </div>
          </section>

          <section aria-label="Time per phase" className="panel">
            <h2>Time per phase</h2>
            <p className="muted">
              Whole deployment: median {fmt(data.durationMs.p50)}, 95th percentile {fmt(data.durationMs.p95)}; waiting in the queue: median {fmt(data.queueWaitMs.p50)}.
            </p>
            {chart.length === 0 ? (
              <p>No phase timings in this window.</p>
            ) : (
              <>
                <svg className="phase-chart" viewBox={`0 0 320 ${chart.length * 28 + 8}`} role="img"
                  aria-label="Median and 95th percentile time of each phase: the table below has the figures">
                  {chart.map((c, i) => (
                    <g key={c.phase} transform={`translate(0 ${i * 28 + 4})`}>
                      <text x="0" y="14" className="chart-label">{c.phase.replace(/_/g, ' ')}</text>
                      <rect x="110" y="2" width={Math.max(1, c.p95Share * 200)} height="18" className="bar-p95" />
                      <rect x="110" y="6" width={Math.max(1, c.p50Share * 200)} height="10" className="bar-p50" />
                    </g>
                  ))}
                </svg>
                <p className="legend muted"><span className="swatch bar-p50" /> median (p50) <span className="swatch bar-p95" /> 95th percentile (p95)</p>
                <div className="table-wrap">
                  <table aria-label="Time per phase">
                    <thead><tr><th>Phase</th><th>p50</th><th>p95</th></tr></thead>
                    <tbody>
                      {chart.map((c) => (
                        <tr key={c.phase} data-phase={c.phase}><td>{c.phase.replace(/_/g, ' ')}</td><td>{fmt(c.p50)}</td><td>{fmt(c.p95)}</td></tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </>
            )}
          </section>

          {data.topErrors.length > 0 && (
            <section aria-label="Most frequent errors" className="panel">
              <h2>Most frequent errors</h2>
              <ul>{data.topErrors.map((e) => <li key={e.code}><span className="mono">{e.code}</span>: {e.count}</li>)}</ul>
            </section>
          )}
        </>
      )}
    </>
  );
}

const fmt = (ms: number | null) => (ms === null ? '—' : formatPhaseMs(ms));
