import { type FormEvent, useEffect, useState } from 'react';
import { type Environment, type Project, VariableKey, type VariableView } from '@flightdeck/contracts';
import { useApi, useErrorText } from '../api-context';
import { importSummary } from '../view-model';

// An environment's variables, or a project's (every environment's unless it sets its own): a
// sensitive value is write-only (the API answers it masked), and the form forgets a value once it is
// saved, so no secret stays in the page.
export function VariablesPanel(props: ({ environment: Environment } | { project: Project }) & { onChange?: () => void }) {
  const { client } = useApi();
  const owner = 'project' in props ? props.project : props.environment;
  const environment = { id: owner.id, name: 'project' in props ? `the project ${owner.name}` : owner.name };
  const ops = 'project' in props
    ? { list: client.listProjectVariables.bind(client), set: client.setProjectVariable.bind(client), remove: client.deleteProjectVariable.bind(client) }
    : { list: client.listVariables.bind(client), set: client.setVariable.bind(client), remove: client.deleteVariable.bind(client) };
  const errorText = useErrorText();
  const [items, setItems] = useState<VariableView[] | null>(null);
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const [sensitive, setSensitive] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = (s: string) => `var-${s}-${environment.id}`;

  const load = async () => {
    props.onChange?.();
    const r = await ops.list(environment.id);
    if (r.ok) setItems(r.data.items);
    else setError(errorText(r.error));
  };
  useEffect(() => {
    void load();
  }, [client, environment.id]);

  // checked as it is typed, with the contract's own rule
  const keyCheck = key ? VariableKey.safeParse(key) : null;
  const keyProblem = keyCheck && !keyCheck.success ? keyCheck.error.issues[0]?.message : null;

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const r = await ops.set(environment.id, key, { value, sensitive });
    setBusy(false);
    if (!r.ok) return setError(errorText(r.error));
    setKey('');
    setValue('');
    setSensitive(false);
    await load();
  };
  const remove = async (k: string) => {
    const r = await ops.remove(environment.id, k);
    if (!r.ok) return setError(errorText(r.error));
    await load();
  };

  return (
    <section aria-label={`Variables of ${environment.name}`} className="panel">
      <h2>Variables of {environment.name}</h2>
      {items && items.length === 0 && <p className="muted">None yet.</p>}
      {items && items.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead><tr><th>Key</th><th>Value</th><th><span className="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {items.map((v) => (
                <tr key={v.key} data-variable={v.key}>
                  <td className="mono">{v.key}</td>
                  <td className="mono">{v.sensitive ? <span title="write-only">•••• (sensitive)</span> : v.value}</td>
                  <td><button type="button" className="link-dark" onClick={() => void remove(v.key)}>Delete<span className="visually-hidden"> {v.key}</span></button></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form onSubmit={save}>
        <label htmlFor={id('key')}>Key</label>
        <input id={id('key')} value={key} onChange={(e) => setKey(e.target.value)} required autoComplete="off"
          aria-invalid={!!keyProblem} aria-describedby={keyProblem ? id('key-problem') : undefined} />
        {keyProblem && <p id={id('key-problem')} className="error">{keyProblem}</p>}
        <label htmlFor={id('value')}>Value</label>
        <input id={id('value')} type={sensitive ? 'password' : 'text'} value={value} autoComplete="off"
          onChange={(e) => setValue(e.target.value)} />
        <label className="check">
          <input type="checkbox" checked={sensitive} onChange={(e) => setSensitive(e.target.checked)} /> Sensitive (write-only, masked everywhere)
        </label>
        <button type="submit" disabled={busy || !key || !!keyProblem}>Save variable</button>
        {error && <p role="alert" className="error">{error}</p>}
      </form>
      {'project' in props && <EnvImport projectId={owner.id} onImported={load} />}
    </section>
  );
}

// A .env file pasted or chosen: every line applied or none (the report says which line and why, never a value)
function EnvImport({ projectId, onImported }: { projectId: string; onImported: () => Promise<void> }) {
  const { client } = useApi();
  const errorText = useErrorText();
  const [text, setText] = useState('');
  const [sensitive, setSensitive] = useState(false);
  const [report, setReport] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setReport(null);
    const r = await client.importProjectVariables(projectId, text, { sensitive });
    setBusy(false);
    if (!r.ok) return setReport(errorText(r.error));
    setReport(importSummary(r.data));
    if (r.data.applied) {
      setText('');
      await onImported();
    }
  };
  const readFile = async (f: File | undefined) => f && setText(await f.text());

  return (
    <form onSubmit={submit} aria-label="Import a .env file">
      <h3>Import a .env file</h3>
      <label htmlFor={`env-file-${projectId}`}>.env file</label>
      <input id={`env-file-${projectId}`} type="file" accept=".env,text/plain" onChange={(e) => void readFile(e.target.files?.[0])} />
      <label htmlFor={`env-text-${projectId}`}>.env contents</label>
      <textarea id={`env-text-${projectId}`} value={text} onChange={(e) => setText(e.target.value)} rows={5} spellCheck={false}
        autoComplete="off" className="mono" placeholder={'KEY=value\n# comments and export KEY=... are read too'} />
      <label className="check">
        <input type="checkbox" checked={sensitive} onChange={(e) => setSensitive(e.target.checked)} /> Import as sensitive
      </label>
      <button type="submit" disabled={busy || !text.trim()}>Import</button>
      {report && <p role="status">{report}</p>}
    </form>
  );
}
