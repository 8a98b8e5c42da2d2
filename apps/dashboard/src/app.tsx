import { useCallback, useEffect, useMemo, useState } from 'react';
import { Link, Route, Routes } from 'react-router';
import { DeploymentClient } from '@flightdeck/client';
import { type Api, ApiContext } from './api-context';
import { clearToken, readToken, saveToken } from './session';
import { SignInPage } from './pages/sign-in-page';
import { ProjectsPage } from './pages/projects-page';
import { ProjectPage } from './pages/project-page';
import { DeploymentPage } from './pages/deployment-page';
import { ProjectSettingsPage } from './pages/project-settings-page';
import { SystemStatusPage } from './pages/system-status-page';
import { AnalyticsPage } from './pages/analytics-page';
import { TokensPage } from './pages/tokens-page';

// the gateway serves this page: its API and Socket.IO are on the same origin
const newClient = (token: string) => new DeploymentClient({ baseUrl: window.location.origin, token });

export function App() {
  const [token, setToken] = useState<string | null>(() => readToken(sessionStorage));
  const [notice, setNotice] = useState<string | null>(null);
  // the token stopped working mid-session: asked for again over the page, which stays as it was
  const [expired, setExpired] = useState<string | null>(null);
  const client = useMemo(() => (token ? newClient(token) : null), [token]);
  useEffect(() => () => client?.close(), [client]);

  const signOut = useCallback((reason?: string) => {
    clearToken(sessionStorage);
    if (reason) return setExpired(reason);
    setNotice(null);
    setExpired(null);
    setToken(null);
  }, []);
  const signedIn = (t: string) => {
    saveToken(sessionStorage, t);
    setNotice(null);
    setExpired(null);
    setToken(t);
  };
  const api = useMemo<Api | null>(() => (client ? { client, signOut } : null), [client, signOut]);

  if (!api) {
    return (
      <SignInPage
        notice={notice}
        check={(t) => newClient(t)}
        onSignedIn={signedIn}
      />
    );
  }
  return (
    <ApiContext.Provider value={api}>
      <header className="top">
        <Link to="/" className="brand">
          Flightdeck
        </Link>
        <nav className="top-links">
          <Link to="/tokens">Tokens</Link>
          <Link to="/system">System status</Link>
          <button type="button" className="link" onClick={() => signOut()}>
            Sign out
          </button>
        </nav>
      </header>
      <main>
        <Routes>
          <Route path="/" element={<ProjectsPage />} />
          <Route path="/projects/:projectId" element={<ProjectPage />} />
          <Route path="/projects/:projectId/settings" element={<ProjectSettingsPage />} />
          <Route path="/projects/:projectId/analytics" element={<AnalyticsPage />} />
          <Route path="/tokens" element={<TokensPage />} />
          <Route path="/system" element={<SystemStatusPage />} />
          <Route path="/deployments/:deploymentId" element={<DeploymentPage />} />
          <Route path="*" element={<p>Nothing here. <Link to="/">Back to the projects</Link></p>} />
        </Routes>
      </main>
      {expired && (
        <div className="overlay">
          <div role="dialog" aria-modal="true" aria-label="Sign in again" className="dialog">
            <SignInPage as="div" notice={`${expired} What you typed on this page is kept.`} check={(t) => newClient(t)} onSignedIn={signedIn} />
          </div>
        </div>
      )}
    </ApiContext.Provider>
  );
}
