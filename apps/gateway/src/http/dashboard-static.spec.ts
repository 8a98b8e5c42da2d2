import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { serveDashboard } from './dashboard-static';

describe('the dashboard at / of the gateway', () => {
  let dir: string;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fd-dashboard-'));
    const app = express();
    app.use(serveDashboard({ dir, isOpsPath: (p) => p === '/health/live' }));
    app.use((req, res) => res.status(404).json({ passedOn: req.path }));
    server = await new Promise<Server>((r) => {
      const s = app.listen(0, '127.0.0.1', () => r(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  const build = () => {
    mkdirSync(join(dir, 'assets'), { recursive: true });
    writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(join(dir, 'assets', 'index-abc.js'), 'console.log(1)');
  };

  it('says how to build it when it is not built (never a 500)', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('npm run build:dashboard');
  });

  it('serves the app, its hashed assets, and the app again for any page path', async () => {
    build();
    const root = await fetch(`${base}/`);
    expect([root.status, await root.text()]).toEqual([200, expect.stringContaining('id="root"')]);
    expect(root.headers.get('content-security-policy')).toContain("script-src 'self'");
    const deep = await fetch(`${base}/projects/123`);
    expect([deep.status, await deep.text()]).toEqual([200, expect.stringContaining('id="root"')]);
    const asset = await fetch(`${base}/assets/index-abc.js`);
    expect([asset.status, asset.headers.get('cache-control')]).toEqual([200, expect.stringContaining('immutable')]);
  });

  it('leaves the API, Socket.IO, the operations paths, missing assets and other methods to the rest', async () => {
    build();
    for (const path of ['/api/v1/projects', '/api/v1', '/socket.io/', '/health/live', '/assets/gone.js']) {
      const res = await fetch(`${base}${path}`);
      expect([path, res.status, await res.json()]).toEqual([path, 404, { passedOn: path }]);
    }
    expect((await fetch(`${base}/projects`, { method: 'POST' })).status).toBe(404);
  });
});
