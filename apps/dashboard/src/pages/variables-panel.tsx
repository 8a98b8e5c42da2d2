import { type FormEvent, useEffect, useState } from 'react';
import { type Environment, VariableKey, type VariableView } from '@flightdeck/contracts';
import { useApi, useErrorText } from '../api-context';

// An environment's variables: a sensitive value is write-only (the API answers it masked), and the
// form forgets a value once it is saved, so no secret stays in the page.
export function VariablesPanel({ environment }: { environment: Environment }) {
  const { client } = useApi();
  const errorText = useErrorText();
  const [items, setItems] = useState<VariableView[] | null>(null);
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const [sensitive, setSensitive] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = (s: string) => `var-${s}-${environment.id}`;

  const load = async () => {
    const r = await client.listVariables(environment.id);
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
    const r = await client.setVariable(environment.id, key, { value, sensitive });
    setBusy(false);
    if (!r.ok) return setError(errorText(r.error));
    setKey('');
    setValue('');
    setSensitive(false);
    await load();
  };
  const remove = async (k: string) => {
    const r = await client.deleteVariable(environment.id, k);
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
    </section>
  );
}
