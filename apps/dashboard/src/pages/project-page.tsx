import { type FormEvent, useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { type Deployment, type Environment, ErrorCode, type Project } from '@flightdeck/contracts';
import { useApi, useErrorText } from '../api-context';
import { formatDuration, upsertDeployment } from '../view-model';
import { StatusBadge } from './status-badge';
import { VariablesPanel } from './variables-panel';

export function ProjectPage() {
  const { projectId = '' } = useParams();
  const { client } = useApi();
  const errorText = useErrorText();
  const [project, setProject] = useState<Project | null>(null);
  const [environments, setEnvironments] = useState<Environment[]>([]);
  const [deployments, setDeployments] = useState<Deployment[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    let unsubscribe: (() => void) | undefined;
    void (async () => {
      // subscribe first: a change between the list and the subscription is not missed
      const sub = await client.subscribeToProjectDeployments(projectId, (p) => {
        if (live) setDeployments((list) => upsertDeployment(list, p.deployment));
      });
      if (sub.ok) {
        if (live) unsubscribe = sub.data;
        else sub.data();
      }
      const [p, envs, deps] = await Promise.all([
        client.getProject(projectId),
        client.listEnvironments(projectId),
        client.listDeployments(projectId, { limit: 20 }),
      ]);
      if (!live) return;
      for (const r of [p, envs, deps]) if (!r.ok) return setError(errorText(r.error));
      if (p.ok) setProject(p.data);
      if (envs.ok) setEnvironments(envs.data.items);
      if (deps.ok) setDeployments((list) => deps.data.items.reduce(upsertDeployment, list));
      if (!sub.ok) setError(`Live updates are off: ${errorText(sub.error)}`);
    })();
    return () => {
      live = false;
      unsubscribe?.();
    };
  }, [client, projectId]);

  if (error && !project) return <p role="alert" className="error">{error}</p>;
  if (!project) return <p>Loading…</p>;
  // an environment's URL: that of its latest successful deployment
  const urlOf = (env: Environment) => deployments.find((d) => d.environmentId === env.id && d.status === 'succeeded' && d.url)?.url;

  return (
    <>
      <p className="crumbs"><Link to="/">Projects</Link> / {project.name}</p>
      <h1>{project.name}</h1>
      <p className="mono">{project.repositoryUrl} (default branch {project.defaultBranch})</p>
      <p><Link to={`/projects/${project.id}/settings`}>Project variables, members and audit log</Link></p>
      {error && <p role="alert" className="error">{error}</p>}

      <h2>Environments</h2>
      <ul className="environments">
        {environments.map((env) => {
          const url = urlOf(env);
          return (
            <li key={env.id}>
              <strong>{env.name}</strong> <span className="muted">{env.type}{env.isDefault ? ', default' : ''}</span>{' '}
              {url ? <a href={url} target="_blank" rel="noreferrer">{url}</a> : <span className="muted">not live yet</span>}
            </li>
          );
        })}
      </ul>

      <TriggerForm project={project} environments={environments} />

      {environments.map((env) => <VariablesPanel key={env.id} environment={env} />)}

      <h2>Deployments</h2>
      {deployments.length === 0 ? (
        <p>No deployments yet.</p>
      ) : (
        <div className="table-wrap">
        <table aria-label="Deployments">
          <thead>
            <tr><th>Status</th><th>Ref</th><th>Environment</th><th>Trigger</th><th>Started</th><th>Duration</th></tr>
          </thead>
          <tbody>
            {deployments.map((d) => (
              <tr key={d.id} data-deployment-id={d.id}>
                <td><Link to={`/deployments/${d.id}`}><StatusBadge status={d.status} /></Link></td>
                <td className="mono">{d.sourceRef}{d.commitSha ? ` @ ${d.commitSha.slice(0, 8)}` : ''}</td>
                <td>{environments.find((e) => e.id === d.environmentId)?.name ?? '—'}</td>
                <td>{d.trigger}</td>
                <td>{new Date(d.createdAt).toLocaleString()}</td>
                <td>{formatDuration(d.durationMs) ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
        </div>
      )}
    </>
  );
}

function TriggerForm({ project, environments }: { project: Project; environments: Environment[] }) {
  const { client } = useApi();
  const errorText = useErrorText();
  const navigate = useNavigate();
  const [ref, setRef] = useState(project.defaultBranch);
  const [environmentId, setEnvironmentId] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // a rollback paused the environment's deploys: offered again with force, as the error says
  const [paused, setPaused] = useState(false);

  const trigger = async (force: boolean) => {
    setBusy(true);
    setError(null);
    setPaused(false);
    const r = await client.triggerDeployment(project.id, {
      sourceRef: ref.trim(),
      ...(environmentId ? { environmentId } : {}),
      ...(force ? { force } : {}),
    });
    setBusy(false);
    if (r.ok) return navigate(`/deployments/${r.data.id}`);
    setError(errorText(r.error));
    setPaused(r.error.code === ErrorCode.EnvironmentPaused);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void trigger(false);
  };

  return (
    <form onSubmit={submit} className="panel inline">
      <h2>Deploy</h2>
      <label htmlFor="trigger-ref">Branch, tag or commit</label>
      <input id="trigger-ref" value={ref} onChange={(e) => setRef(e.target.value)} required />
      <label htmlFor="trigger-env">Environment</label>
      <select id="trigger-env" value={environmentId} onChange={(e) => setEnvironmentId(e.target.value)}>
        <option value="">the default one</option>
        {environments.map((env) => <option key={env.id} value={env.id}>{env.name}</option>)}
      </select>
      <button type="submit" disabled={busy}>{busy ? 'Starting…' : 'Deploy'}</button>
      {error && <p role="alert" className="error">{error}</p>}
      {paused && (
        <button type="button" disabled={busy} onClick={() => void trigger(true)}>Deploy anyway</button>
      )}
    </form>
  );
}
