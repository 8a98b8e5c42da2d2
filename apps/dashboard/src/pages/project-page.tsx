import { type FormEvent, useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { type Deployment, DeploymentStatus, type Environment, type EnvironmentPause, ErrorCode, type Project } from '@flightdeck/contracts';
import { useApi, useErrorText } from '../api-context';
import { type DeploymentFilter, NO_FILTER, filterQuery, formatDuration, isFinished, matchesFilter, upsertDeployment } from '../view-model';
import { EnvironmentHealthState } from './environment-health';
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
      }, {
        // after a reconnect: the environments' URLs and pauses from what changed meanwhile
        onRenewed: () => void client.listDeployments(projectId, { limit: 20 }).then((r) => {
          if (live && r.ok) setDeployments((list) => r.data.items.reduce(upsertDeployment, list));
        }),
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
      <p className="top-links wrap">
        <Link to={`/projects/${project.id}/settings`}>Project variables, members and audit log</Link>
        <Link to={`/projects/${project.id}/analytics`}>Analytics</Link>
      </p>
      {error && <p role="alert" className="error">{error}</p>}

      <h2>Environments</h2>
      <ul className="environments">
        {environments.map((env) => {
          const url = urlOf(env);
          return (
            <li key={env.id}>
              <strong>{env.name}</strong> <span className="muted">{env.type}{env.isDefault ? ', default' : ''}</span>{' '}
              {url ? <a href={url} target="_blank" rel="noreferrer">{url}</a> : <span className="muted">not live yet</span>}
              <EnvironmentHealthState projectId={project.id} environment={env} deployments={deployments} />
              <PauseState projectId={project.id} environment={env} deployments={deployments} />
            </li>
          );
        })}
      </ul>

      <TriggerForm project={project} environments={environments} />

      {environments.map((env) => <VariablesPanel key={env.id} environment={env} />)}

      <DeploymentList projectId={project.id} environments={environments} />
    </>
  );
}

// Whether a rollback paused the environment's automatic deploys, read again whenever one of its
// deployments ends (a rollback that succeeds pauses it); an admin resumes it here.
function PauseState({ projectId, environment, deployments }: { projectId: string; environment: Environment; deployments: Deployment[] }) {
  const { client } = useApi();
  const errorText = useErrorText();
  const [pause, setPause] = useState<EnvironmentPause | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ended = deployments.filter((d) => d.environmentId === environment.id && isFinished(d.status)).map((d) => d.id).join();
  useEffect(() => {
    let live = true;
    void client.getEnvironmentPause(projectId, environment.id).then((r) => live && r.ok && setPause(r.data));
    return () => {
      live = false;
    };
  }, [client, projectId, environment.id, ended]);
  const resume = async () => {
    setBusy(true);
    setError(null);
    const r = await client.resumeEnvironment(projectId, environment.id);
    setBusy(false);
    if (!r.ok) return setError(errorText(r.error));
    setPause(r.data);
  };
  if (!pause?.paused) return null;
  return (
    <div className="pause notice" role="status" aria-label={`Pause of ${environment.name}`}>
      Automatic deploys paused{pause.since ? ` since ${new Date(pause.since).toLocaleString()}` : ''} by a rollback
      {pause.rollbackDeploymentId && <> (<Link to={`/deployments/${pause.rollbackDeploymentId}`}>the rollback</Link>)</>}
      {pause.pausedBy ? `, asked by ${pause.pausedBy}` : ''}: pushes and schedules do not deploy, a manual deploy needs “Deploy anyway”.{' '}
      <button type="button" disabled={busy} onClick={() => void resume()}>Resume {environment.name}</button>
      {error && <span role="alert" className="error"> {error}</span>}
    </div>
  );
}

// The project's deployments, newest first, filtered by the gateway (status, environment, ref) and
// kept current by the project's live status events (an event that no longer matches drops its row).
function DeploymentList({ projectId, environments }: { projectId: string; environments: Environment[] }) {
  const { client } = useApi();
  const errorText = useErrorText();
  const [filter, setFilter] = useState<DeploymentFilter>(NO_FILTER);
  const [deployments, setDeployments] = useState<Deployment[] | null>(null);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<string | null>(null);
  // the ref as typed; applied when the field is left or Enter is pressed, not on every key
  const [ref, setRef] = useState('');

  useEffect(() => {
    let live = true;
    let unsubscribe: (() => void) | undefined;
    setDeployments(null);
    void (async () => {
      const list = async () => {
        const r = await client.listDeployments(projectId, { limit: 20, ...filterQuery(filter) });
        if (!live) return;
        if (!r.ok) return setError(errorText(r.error));
        setError(null);
        setTotal(r.data.total);
        setDeployments((old) => r.data.items.reduce(upsertDeployment, old ?? []));
      };
      const sub = await client.subscribeToProjectDeployments(projectId, (p) => {
        if (!live) return;
        setDeployments((old) => {
          if (!old) return old;
          return matchesFilter(p.deployment, filter) ? upsertDeployment(old, p.deployment) : old.filter((d) => d.id !== p.deployment.id);
        });
        // after a reconnect (a gateway restart) what changed meanwhile is read, not waited for
      }, { onRenewed: () => void list() });
      if (sub.ok) {
        if (live) unsubscribe = sub.data;
        else sub.data();
      }
      await list();
    })();
    return () => {
      live = false;
      unsubscribe?.();
    };
  }, [client, projectId, filter]);

  const set = (change: Partial<DeploymentFilter>) => setFilter((f) => ({ ...f, ...change }));
  const filtered = filter.status || filter.environmentId || filter.ref;
  return (
    <section aria-label="Deployments">
      <h2>Deployments</h2>
      <form className="filters" aria-label="Filter deployments" onSubmit={(e) => { e.preventDefault(); set({ ref }); }}>
        <div>
          <label htmlFor="filter-status">Status</label>
          <select id="filter-status" value={filter.status} onChange={(e) => set({ status: e.target.value })}>
            <option value="">any</option>
            {DeploymentStatus.options.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </div>
        <div>
          <label htmlFor="filter-env">Environment</label>
          <select id="filter-env" value={filter.environmentId} onChange={(e) => set({ environmentId: e.target.value })}>
            <option value="">any</option>
            {environments.map((env) => <option key={env.id} value={env.id}>{env.name}</option>)}
          </select>
        </div>
        <div>
          <label htmlFor="filter-ref">Ref</label>
          <input id="filter-ref" value={ref} onChange={(e) => setRef(e.target.value)} onBlur={() => set({ ref })} placeholder="any" autoComplete="off" />
        </div>
        {filtered && <button type="button" className="link" onClick={() => { setRef(''); setFilter(NO_FILTER); }}>Clear filters</button>}
      </form>
      {error && <p role="alert" className="error">{error}</p>}
      {deployments && (
        <p className="muted" aria-live="polite">
          {deployments.length ? `${deployments.length}${total > deployments.length ? ` of ${total}` : ''} ${filtered ? 'matching ' : ''}deployment${total === 1 ? '' : 's'}` : ''}
        </p>
      )}
      {!deployments ? (
        <p>Loading…</p>
      ) : deployments.length === 0 ? (
        <p>{filtered ? 'No deployment matches these filters.' : 'No deployments yet.'}</p>
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
    </section>
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
