import { type FormEvent, useEffect, useState } from 'react';
import { type DetectedVariablesReport, type Environment, type Project, VariableKey, type VariableView } from '@flightdeck/contracts';
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
  // the value's verdict against its rule (the environment's validate route, as typed): null while unknown
  const [problem, setProblem] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);
  const [passed, setPassed] = useState(false);
  const [force, setForce] = useState(false);
  const [detected, setDetected] = useState<DetectedVariablesReport | null>(null);
  // the list opens by itself when something is missing or invalid, then stays as the reader leaves it
  const [detectedOpen, setDetectedOpen] = useState<boolean | null>(null);
  const id = (s: string) => `var-${s}-${environment.id}`;
  const env = 'environment' in props ? props.environment : null;

  const load = async () => {
    props.onChange?.();
    const r = await ops.list(environment.id);
    if (r.ok) setItems(r.data.items);
    else setError(errorText(r.error));
  };
  useEffect(() => {
    void load();
  }, [client, environment.id]);

  // what the repository needs (read by environment-manager from its default branch): re-read after a save
  const detect = async () => {
    if (!env) return;
    const r = await client.detectVariables(env.projectId, env.id);
    setDetected(r.ok ? r.data : null);
    // a repository that cannot be read (none yet, unreachable) lists nothing rather than waiting
    setDetectedOpen((open) => open ?? (r.ok && r.data.missing.length + r.data.invalid.length > 0));
  };
  useEffect(() => {
    void detect();
  }, [client, env?.id]);
  const rule = detected?.items.find((d) => d.key === key)?.rule ?? undefined;

  // the value checked as it is typed (a moment after the last key), with the key's rule; never stored
  useEffect(() => {
    setProblem(null);
    setPassed(false);
    setForce(false);
    if (!env || !value || !VariableKey.safeParse(key).success) return setChecking(false);
    let live = true;
    setChecking(true);
    const timer = setTimeout(() => {
      void client.validateVariables(env.id, { key, value, ...(rule ? { rule } : {}) }).then((r) => {
        if (!live) return;
        setChecking(false);
        if (r.ok && !r.data.valid) setProblem(r.data.errors[key] ?? `${key} fails its rule`);
        else setPassed(r.ok && r.data.results.some((v) => v.rule !== null));
      });
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [client, env?.id, key, value, rule]);

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
    await Promise.all([load(), detect()]);
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
      {env && detectedOpen === null && <p className="muted" aria-live="polite">Reading what the repository needs…</p>}
      {detected && detected.items.length > 0 && (
        <details className="detected" open={!!detectedOpen} onToggle={(e) => setDetectedOpen(e.currentTarget.open)}>
          <summary>
            The repository needs {detected.items.length} variable{detected.items.length === 1 ? '' : 's'}
            {detected.missing.length ? `: ${detected.missing.length} missing` : ''}
            {detected.invalid.length ? `${detected.missing.length ? ',' : ':'} ${detected.invalid.length} invalid` : ''}
          </summary>
          <ul aria-label={`Detected variables of ${environment.name}`}>
            {detected.items.map((d) => (
              <li key={d.key} data-detected={d.key}>
                <span className="mono"><strong>{d.key}</strong></span>{' '}
                <span className={`status status-${!d.set ? (d.required ? 'bad' : 'idle') : d.valid === false ? 'bad' : 'ok'}`}>
                  {!d.set ? (d.required ? 'missing' : 'optional, not set') : d.valid === false ? 'invalid' : 'set'}
                </span>
                <div>{d.description || <span className="muted">no description</span>}</div>
                {d.example && <div className="muted">e.g. <span className="mono">{d.example}</span></div>}
                {d.message && <div className="error">{d.message}</div>}
                {!d.set && (
                  <button type="button" className="link" onClick={() => { setKey(d.key); setSensitive(d.sensitive); document.getElementById(id('value'))?.focus(); }}>
                    Set {d.key}
                  </button>
                )}
              </li>
            ))}
          </ul>
        </details>
      )}
      <form onSubmit={save}>
        <label htmlFor={id('key')}>Key</label>
        <input id={id('key')} value={key} onChange={(e) => setKey(e.target.value)} required autoComplete="off"
          aria-invalid={!!keyProblem} aria-describedby={keyProblem ? id('key-problem') : undefined} />
        {keyProblem && <p id={id('key-problem')} className="error">{keyProblem}</p>}
        <label htmlFor={id('value')}>Value</label>
        <input id={id('value')} type={sensitive ? 'password' : 'text'} value={value} autoComplete="off"
          onChange={(e) => setValue(e.target.value)} aria-invalid={!!problem} aria-describedby={id('value-check')} />
        <p id={id('value-check')} className={problem ? 'error' : 'muted'} aria-live="polite">
          {problem ?? (checking ? 'Checking…' : passed ? 'The value passes its rule.' : '')}
        </p>
        {problem && (
          <label className="check">
            <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} /> Save anyway, though the value fails its rule
          </label>
        )}
        <label className="check">
          <input type="checkbox" checked={sensitive} onChange={(e) => setSensitive(e.target.checked)} /> Sensitive (write-only, masked everywhere)
        </label>
        <button type="submit" disabled={busy || !key || !!keyProblem || checking || (!!problem && !force)}>Save variable</button>
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
