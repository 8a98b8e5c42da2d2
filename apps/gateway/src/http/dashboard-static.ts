import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { NextFunction, Request, Response } from 'express';
import serveStatic from 'serve-static';
import { API_PREFIX } from './api-prefix';

// Where `vite build` of apps/dashboard writes (npm start builds it when missing or older than its sources).
export const DASHBOARD_DIR = resolve(__dirname, '../../../../dist/apps/dashboard');

// The built app has no inline script or style: nothing but our own files runs, and its only
// connections are to this origin (the API and Socket.IO).
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Flightdeck</title></head><body>
<h1>Flightdeck</h1><p>The dashboard is not built. Build it with <code>npm run build:dashboard</code>
(or start with <code>npm start</code>, which builds it), then reload. The API is at <code>/${API_PREFIX}</code>.</p></body></html>`;

const isApiPath = (path: string) => path === `/${API_PREFIX}` || path.startsWith(`/${API_PREFIX}/`);

/**
 * The dashboard at `/` of the public port: its files, and index.html for any other page path so
 * that a deep link or a reload of /projects/… opens the app (its router reads the path). The API,
 * Socket.IO and the operations paths pass by untouched.
 */
export const serveDashboard = (opts: { dir?: string; isOpsPath: (path: string) => boolean }) => {
  const dir = opts.dir ?? DASHBOARD_DIR;
  const index = join(dir, 'index.html');
  // file names under assets/ carry their content hash: they never change
  const files = serveStatic(dir, {
    index: false,
    setHeaders: (res, path) => {
      res.setHeader('cache-control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (isApiPath(req.path) || req.path.startsWith('/socket.io') || opts.isOpsPath(req.path)) return next();
    if (!existsSync(index)) {
      res.status(503).type('html').setHeader('cache-control', 'no-store').send(NOT_BUILT);
      return;
    }
    files(req, res, () => {
      // a missing asset is a 404, not the app
      if (req.path.startsWith('/assets/')) return next();
      res.setHeader('content-security-policy', CSP);
      res.setHeader('cache-control', 'no-cache');
      res.sendFile(index);
    });
  };
};
