import { type FormEvent, useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';
import { type ApiTokenView, type CreatedToken, TokenScope } from '@flightdeck/contracts';
import { useApi, useErrorText } from '../api-context';
import { tokenState } from '../view-model';

// API tokens: create (the secret shown this once, to copy), list (never a secret: the prefix
// recognises one) and revoke. A user sees their own; a platform admin names the user whose tokens
// to see (the bootstrap admin token belongs to no user).
export function TokensPage() {
  const { client } = useApi();
  const errorText = useErrorText();
  // ?user=<id> names the user (a link to someone's tokens); typing changes it
  const [params, setParams] = useSearchParams();
  const owner = params.get('user') ?? '';
  const setOwner = (id: string) => id !== owner && setParams(id ? { user: id } : {});
  const [ownerTyped, setOwnerTyped] = useState(owner);
  const [items, setItems] = useState<ApiTokenView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<TokenScope[]>(['read']);
  const [days, setDays] = useState('');
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const [busy, setBusy] = useState(false);

  const load = async () => {
    const r = await client.listTokens(owner ? { userId: owner } : {});
    if (!r.ok) {
      setItems(null);
      return setError(errorText(r.error));
    }
    setError(null);
    setItems([...r.data.items].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt)));
  };
  useEffect(() => {
    void load();
  }, [client, owner]);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const r = await client.createToken({
      name: name.trim(),
      scopes,
      ...(days ? { expiresInDays: Number(days) } : {}),
      ...(owner ? { userId: owner } : {}),
    });
    setBusy(false);
    if (!r.ok) return setError(errorText(r.error));
    setCreated(r.data);
    setName('');
    await load();
  };
  const revoke = async (t: ApiTokenView) => {
    const r = await client.revokeToken(t.id);
    if (!r.ok) return setError(errorText(r.error));
    await load();
  };
  const toggle = (s: TokenScope, on: boolean) => setScopes((list) => (on ? [...list, s] : list.filter((x) => x !== s)));

  return (
    <>
      <h1>API tokens</h1>
      <form className="filters" aria-label="Whose tokens" onSubmit={(e) => { e.preventDefault(); setOwner(ownerTyped.trim()); }}>
        <div>
          <label htmlFor="tokens-user">User id</label>
          <input id="tokens-user" value={ownerTyped} onChange={(e) => setOwnerTyped(e.target.value)} onBlur={() => setOwner(ownerTyped.trim())}
            placeholder="yours" autoComplete="off" aria-describedby="tokens-user-hint" />
        </div>
        <p id="tokens-user-hint" className="hint">Empty: your own tokens. Platform admins may name another user.</p>
      </form>

      {created && (
        <div className="panel created-token" role="status" aria-label="New token">
          <h2>Token “{created.name}” created</h2>
          <p>Copy it now: it is shown this once and cannot be read again.</p>
          <p><code className="mono" data-new-token>{created.token}</code></p>
          <div className="actions">
            <button type="button" onClick={() => void navigator.clipboard?.writeText(created.token)}>Copy</button>
            <button type="button" onClick={() => setCreated(null)}>Done, hide it</button>
          </div>
        </div>
      )}

      <form onSubmit={create} className="panel" aria-label="Create a token">
        <h2>Create a token</h2>
        <label htmlFor="token-name">Token name</label>
        <input id="token-name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} autoComplete="off" />
        <fieldset className="scopes">
          <legend>Scopes</legend>
          {TokenScope.options.map((s) => (
            <label key={s} className="check">
              <input type="checkbox" checked={scopes.includes(s)} onChange={(e) => toggle(s, e.target.checked)} /> {s}
            </label>
          ))}
        </fieldset>
        <label htmlFor="token-days">Expires in days</label>
        <input id="token-days" type="number" min={1} max={3650} value={days} onChange={(e) => setDays(e.target.value)} placeholder="never" />
        <button type="submit" disabled={busy || !name.trim() || scopes.length === 0}>Create token</button>
      </form>

      {error && <p role="alert" className="error">{error}</p>}
      {items && items.length === 0 && <p>No tokens.</p>}
      {items && items.length > 0 && (
        // scrolls sideways at 360 px: focusable, so a keyboard can scroll it
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Tokens, scrollable">
          <table aria-label="Tokens">
            <thead>
              <tr><th>Name</th><th>Starts with</th><th>Scopes</th><th>State</th><th>Created</th><th>Last used</th><th><span className="visually-hidden">Actions</span></th></tr>
            </thead>
            <tbody>
              {items.map((t) => {
                const state = tokenState(t);
                return (
                  <tr key={t.id} data-token={t.name}>
                    <td>{t.name}</td>
                    <td className="mono">{t.prefix}…</td>
                    <td>{t.scopes.join(', ')}</td>
                    <td><span className={`status status-${state === 'active' ? 'ok' : 'idle'}`} data-token-state={state}>{state}</span>
                      {t.expiresAt && state === 'active' && <span className="muted"> until {new Date(t.expiresAt).toLocaleDateString()}</span>}</td>
                    <td>{new Date(t.createdAt).toLocaleString()}</td>
                    <td>{t.lastUsedAt ? new Date(t.lastUsedAt).toLocaleString() : 'never'}</td>
                    <td>{state === 'active' && (
                      <button type="button" className="link-dark" onClick={() => void revoke(t)}>Revoke<span className="visually-hidden"> {t.name}</span></button>
                    )}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
