import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { type AuditEntry, type Project, type ProjectMember, ProjectRole } from '@flightdeck/contracts';
import { useApi, useErrorText } from '../api-context';
import { auditText } from '../view-model';
import { VariablesPanel } from './variables-panel';

// A project's settings: its project-level variables (and .env import), members and audit log.
export function ProjectSettingsPage() {
  const { projectId = '' } = useParams();
  const { client } = useApi();
  const errorText = useErrorText();
  const [project, setProject] = useState<Project | null>(null);
  const [error, setError] = useState<string | null>(null);
  // bumped by every change made here, so the audit log shows it
  const [changes, setChanges] = useState(0);
  const changed = useCallback(() => setChanges((n) => n + 1), []);

  useEffect(() => {
    let live = true;
    void client.getProject(projectId).then((r) => live && (r.ok ? setProject(r.data) : setError(errorText(r.error))));
    return () => {
      live = false;
    };
  }, [client, projectId]);

  if (!project) return error ? <p role="alert" className="error">{error}</p> : <p>Loading…</p>;
  return (
    <>
      <p className="crumbs">
        <Link to="/">Projects</Link> / <Link to={`/projects/${project.id}`}>{project.name}</Link> / settings
      </p>
      <h1>Settings of {project.name}</h1>
      <VariablesPanel project={project} onChange={changed} />
      <MembersPanel projectId={project.id} onChange={changed} />
      <AuditPanel projectId={project.id} changes={changes} />
    </>
  );
}

function MembersPanel({ projectId, onChange }: { projectId: string; onChange: () => void }) {
  const { client } = useApi();
  const errorText = useErrorText();
  const [members, setMembers] = useState<ProjectMember[] | null>(null);
  const [userId, setUserId] = useState('');
  const [role, setRole] = useState<ProjectRole>('viewer');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = async () => {
    const r = await client.listMembers(projectId);
    if (r.ok) setMembers(r.data.items);
    else setError(errorText(r.error));
  };
  useEffect(() => {
    void load();
  }, [client, projectId]);

  const done = async (r: { ok: true } | { ok: false; error: { code: string; message: string } }) => {
    setBusy(false);
    if (!r.ok) return setError(errorText(r.error));
    setError(null);
    onChange();
    await load();
  };
  const add = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    const r = await client.setMember(projectId, userId.trim(), role);
    if (r.ok) setUserId('');
    await done(r);
  };
  // the same PUT as adding: a member's role changed in place
  const changeRole = async (id: string, to: ProjectRole) => {
    setBusy(true);
    await done(await client.setMember(projectId, id, to));
  };
  const remove = async (id: string) => {
    setBusy(true);
    await done(await client.removeMember(projectId, id));
  };

  return (
    <section aria-labelledby="members-h" className="panel">
      <h2 id="members-h">Members</h2>
      {members && members.length === 0 && <p className="muted">None yet: only platform admins can use this project.</p>}
      {members && members.length > 0 && (
        <div className="table-wrap">
          <table aria-label="Members">
            <thead><tr><th scope="col">User</th><th scope="col">Role</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {members.map((m) => (
                <tr key={m.userId} data-member={m.userName}>
                  <td>{m.userName} <span className="muted mono">{m.userId}</span></td>
                  <td>
                    <label htmlFor={`role-${m.userId}`} className="visually-hidden">Role of {m.userName}</label>
                    <select id={`role-${m.userId}`} value={m.role} disabled={busy} className="compact"
                      onChange={(e) => void changeRole(m.userId, e.target.value as ProjectRole)}>
                      {ProjectRole.options.map((r) => <option key={r} value={r}>{r}</option>)}
                    </select>
                  </td>
                  <td><button type="button" className="link-dark" disabled={busy} onClick={() => void remove(m.userId)}>Remove<span className="visually-hidden"> {m.userName}</span></button></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form onSubmit={add}>
        <label htmlFor="member-user">User id</label>
        <input id="member-user" value={userId} onChange={(e) => setUserId(e.target.value)} required autoComplete="off" className="mono" />
        <label htmlFor="member-role">Role</label>
        <select id="member-role" value={role} onChange={(e) => setRole(e.target.value as ProjectRole)}>
          {ProjectRole.options.map((r) => <option key={r} value={r}>{r}</option>)}
        </select>
        <button type="submit" disabled={busy || !userId.trim()}>Add member</button>
        {error && <p role="alert" className="error">{error}</p>}
      </form>
    </section>
  );
}

function AuditPanel({ projectId, changes }: { projectId: string; changes: number }) {
  const { client } = useApi();
  const errorText = useErrorText();
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [next, setNext] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);

  // read on a change made here and every 5 s (an entry is written as its request ends, others' too)
  useEffect(() => {
    let live = true;
    const read = () =>
      void client.getProjectAudit(projectId, { limit: 50 }).then((r) => {
        if (!live) return;
        if (!r.ok) return setError(errorText(r.error));
        setError(null);
        setEntries(r.data.items);
        setNext(r.data.nextBefore);
      });
    read();
    const timer = setInterval(read, 5_000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [client, projectId, changes]);

  const more = async () => {
    if (next === null) return;
    const r = await client.getProjectAudit(projectId, { limit: 50, before: next });
    if (!r.ok) return setError(errorText(r.error));
    setEntries((list) => [...(list ?? []), ...r.data.items]);
    setNext(r.data.nextBefore);
  };

  return (
    <section aria-labelledby="audit-h" className="panel">
      <h2 id="audit-h">Audit log</h2>
      <p className="muted">Every change made to this project through the API, newest first.</p>
      {!entries && !error && <p className="muted">Loading…</p>}
      {entries && entries.length === 0 && <p className="muted">Nothing yet.</p>}
      {entries && entries.length > 0 && (
        <ol className="audit" aria-label="Audit entries">
          {entries.map((e) => (
            <li key={e.id} data-outcome={e.outcome}>
              <time dateTime={e.at}>{new Date(e.at).toLocaleString()}</time> <span className="mono">{auditText(e)}</span>
            </li>
          ))}
        </ol>
      )}
      {next !== null && <button type="button" onClick={() => void more()}>Older entries</button>}
      {error && <p role="alert" className="error">{error}</p>}
    </section>
  );
}
