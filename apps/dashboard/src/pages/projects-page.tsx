import { type FormEvent, useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import type { Deployment, Project } from '@flightdeck/contracts';
import { useApi, useErrorText } from '../api-context';
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
    void (async () => {
      const projects = await client.listProjects();
      if (!live) return;
      if (!projects.ok) return setError(errorText(projects.error));
      // the latest deployment of each: one small request per project
      const last = await Promise.all(
        projects.data.items.map((p) => client.listDeployments(p.id, { limit: 1 })),
      );
      if (!live) return;
      setRows(projects.data.items.map((project, i) => ({ project, last: last[i].ok ? (last[i].data.items[0] ?? null) : null })));
    })();
    return () => {
      live = false;
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
              <tr key={project.id}>
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
