import { type FormEvent, useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import type { Deployment, Project } from '@flightdeck/contracts';
import { useApi, useErrorText } from '../api-context';
import { upsertDeployment } from '../view-model';
import { StatusBadge } from './status-badge';

interface Row {
  project: Project;
  last: Deployment | null;
}

export function ProjectsPage() {
  const { client } = useApi();
  const errorText = useErrorText();
  const [rows, setRows] = useState<Row[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    const unsubscribes: (() => void)[] = [];
    // events that come before the rows are read are applied to them once they are
    let early: Deployment[] | null = [];
    // a project's row shows `d` when it is that project's latest deployment (or a newer snapshot of it)
    const show = (d: Deployment) => {
      if (early) return void early.push(d);
      setRows((old) => old?.map((r) => (r.project.id === d.projectId ? { ...r, last: upsertDeployment(r.last ? [r.last] : [], d)[0] } : r)) ?? old);
    };
    const readLast = async (projectId: string) => {
      const r = await client.listDeployments(projectId, { limit: 1 });
      return r.ok ? (r.data.items[0] ?? null) : null;
    };
    void (async () => {
      const projects = await client.listProjects();
      if (!live) return;
      if (!projects.ok) return setError(errorText(projects.error));
      // live: each project's status events (subscribed before its list is read, so a change between is not missed)
      await Promise.all(
        projects.data.items.map(async (p) => {
          const sub = await client.subscribeToProjectDeployments(p.id, (e) => live && show(e.deployment), {
            // after a reconnect (a gateway restart) what changed meanwhile is read, not waited for
            onRenewed: () => void readLast(p.id).then((d) => live && d && show(d)),
          });
          if (!sub.ok) return;
          if (live) unsubscribes.push(sub.data);
          else sub.data();
        }),
      );
      // the latest deployment of each: one small request per project
      const last = await Promise.all(projects.data.items.map((p) => readLast(p.id)));
      if (!live) return;
      setRows(projects.data.items.map((project, i) => ({ project, last: last[i] })));
      const seen = early;
      early = null;
      seen.forEach(show);
    })();
    return () => {
      live = false;
      unsubscribes.forEach((u) => u());
    };
  }, [client]);

  return (
    <>
      <h1>Projects</h1>
      {error && <p role="alert" className="error">{error}</p>}
      {rows === null && !error && <p>Loading…</p>}
      {rows && rows.length === 0 && <p>No projects yet: create one from a git repository below.</p>}
      {rows && rows.length > 0 && (
        <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Project</th>
              <th>Repository</th>
              <th>Last deployment</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ project, last }) => (
              <tr key={project.id} data-project={project.name}>
                <td>
                  <Link to={`/projects/${project.id}`}>{project.name}</Link>
                </td>
                <td className="mono">{project.repositoryUrl}</td>
                <td>{last ? <StatusBadge status={last.status} /> : 'never deployed'}</td>
              </tr>
            ))}
          </tbody>
        </table>
        </div>
      )}
      <CreateProjectForm />
    </>
  );
}

function CreateProjectForm() {
  const { client } = useApi();
  const errorText = useErrorText();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [repositoryUrl, setRepositoryUrl] = useState('');
  const [branch, setBranch] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const r = await client.createProject({
      name: name.trim(),
      repositoryUrl: repositoryUrl.trim(),
      ...(branch.trim() ? { defaultBranch: branch.trim() } : {}),
    });
    setBusy(false);
    if (r.ok) navigate(`/projects/${r.data.id}`);
    else setError(errorText(r.error));
  };

  return (
    <form onSubmit={submit} className="panel">
      <h2>New project</h2>
      <label htmlFor="project-name">Name</label>
      <input id="project-name" value={name} onChange={(e) => setName(e.target.value)} required
        pattern="[a-z0-9]([a-z0-9\-]*[a-z0-9])?" maxLength={40} aria-describedby="project-name-hint" />
      <p id="project-name-hint" className="hint">Lowercase letters, digits and inner hyphens: it becomes part of the app's hostname.</p>
      <label htmlFor="project-repo">Git repository URL</label>
      <input id="project-repo" value={repositoryUrl} onChange={(e) => setRepositoryUrl(e.target.value)} required />
      <label htmlFor="project-branch">Default branch (optional)</label>
      <input id="project-branch" value={branch} onChange={(e) => setBranch(e.target.value)} placeholder="main" />
      <button type="submit" disabled={busy}>{busy ? 'Creating…' : 'Create project'}</button>
      {error && <p role="alert" className="error">{error}</p>}
    </form>
  );
}
