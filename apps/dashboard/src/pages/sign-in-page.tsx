import { type FormEvent, useState } from 'react';
import type { DeploymentClient } from '@flightdeck/client';
import { describeError } from '../view-model';

interface Props {
  /** a page of its own, or a dialog over the page (a token that stopped working) */
  as?: 'main' | 'div';
  notice: string | null;
  /** a client for the token typed in, to ask the gateway whether it takes it */
  check(token: string): DeploymentClient;
  onSignedIn(token: string): void;
}

export function SignInPage({ as: Root = 'main', notice, check, onSignedIn }: Props) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const client = check(token.trim());
    const r = await client.listProjects();
    client.close();
    setBusy(false);
    if (r.ok) onSignedIn(token.trim());
    else setError(describeError(r.error));
  };

  return (
    <Root className="sign-in">
      <h1>Flightdeck</h1>
      {notice && <p className="notice">{notice}</p>}
      <form onSubmit={submit}>
        <label htmlFor="token">API token</label>
        <input
          id="token"
          type="password"
          autoComplete="off"
          value={token}
          onChange={(e) => setToken(e.target.value)}
          required
        />
        <p className="hint">The admin token printed by npm start, or an API token (fdt_…). It is kept for this tab only.</p>
        <button type="submit" disabled={busy || !token.trim()}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
      </form>
    </Root>
  );
}
