import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer, request } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { freePort, getWithHost } from '@flightdeck/testing';
import { EdgeRouter } from '../src/edge/edge-router';
import type { EdgeUpstreams, Upstream } from '../src/edge/edge-upstreams';
import { hostLabel } from '@flightdeck/contracts';
import { RouteTable } from '../src/edge/route-table';
import type { RoutedRelease } from '../src/edge/routed-release';

describe('hostLabel', () => {
  it.each([
    ['shop-production.localhost:3080', 'shop-production'],
    ['Shop-Production.LOCALHOST', 'shop-production'],
    ['my-shop-1a2b3c4d.localhost.', 'my-shop-1a2b3c4d'],
    ['localhost:3080', undefined],
    ['127.0.0.1:3080', undefined],
    ['[::1]:3080', undefined],
    ['a.b.localhost', undefined],
    ['shop-production.example.com', undefined],
    ['-shop.localhost', undefined],
    [undefined, undefined],
  ])('%s → %s', (host, label) => expect(hostLabel(host)).toBe(label));
});

describe('the edge router', () => {
  const routes = new RouteTable();
  const upstreams: Record<string, () => Promise<Upstream>> = {};
  const byRelease: EdgeUpstreams = { upstreamFor: (r) => upstreams[r.id]() };
  const edge = new EdgeRouter(routes, byRelease);
  let port: number;
  let app: Server;
  let appPort: number;
  let root: string;
  const get = (host: string, path = '/') => getWithHost(port, host, path);
  const node = (id: string): RoutedRelease => ({ id, project: 'shop', kind: 'node', dir: '/nonexistent', startCommand: ['node', 'server.js'] });

  beforeAll(async () => {
    if (!process.env.TEST_LOG_LEVEL) Logger.overrideLogger(false);
    root = mkdtempSync(join(tmpdir(), 'fd-edge-'));
    mkdirSync(join(root, 'app'));
    writeFileSync(join(root, 'app', 'index.html'), 'hello static');
    writeFileSync(join(root, 'app', '.env'), 'SECRET=1');
    routes.setEnvironment('site-production', { id: 'static-1', project: 'site', kind: 'static', dir: root });

    app = createServer((req, res) => res.end(JSON.stringify({ host: req.headers.host, forwardedHost: req.headers['x-forwarded-host'], url: req.url })));
    app.on('upgrade', (_req, socket) => socket.end('HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\n\r\n'));
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
    appPort = (app.address() as AddressInfo).port;
    upstreams.up = async () => ({ host: '127.0.0.1', port: appPort });
    upstreams.down = async () => ({ host: '127.0.0.1', port: await freePort() });
    upstreams.broken = async () => {
      throw new Error('process exited with code 1');
    };
    routes.setEnvironment('my-app-production', node('up'));
    routes.setEnvironment('my-app-down', node('down'));
    routes.setPreview('my-app-1a2b3c4d', node('broken'));

    port = await freePort();
    await edge.listen(port, '127.0.0.1');
  });

  afterAll(async () => {
    await edge.close();
    await new Promise((r) => app.close(r));
    rmSync(root, { recursive: true, force: true });
  });

  it('proxies to a Node release by the whole host label, keeping the Host header', async () => {
    const r = await get(`my-app-production.localhost:${port}`, '/a?b=1');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ host: `my-app-production.localhost:${port}`, forwardedHost: `my-app-production.localhost:${port}`, url: '/a?b=1' });
  });

  it('answers 502 when the release is down or cannot be started', async () => {
    const down = await get('my-app-down.localhost');
    expect(down.status).toBe(502);
    expect(JSON.parse(down.body).error).toEqual({ code: 'service/unavailable', message: 'the release behind my-app-down.localhost is not answering' });
    const broken = await get('my-app-1a2b3c4d.localhost');
    expect(broken.status).toBe(502);
    expect(JSON.parse(broken.body).error.message).toBe('the release behind my-app-1a2b3c4d.localhost could not be started');
  });

  it('answers 404 for a host it does not route', async () => {
    const r = await get('my-app-staging.localhost');
    expect(r.status).toBe(404);
    expect(JSON.parse(r.body).error.message).toBe('no deployment is served at my-app-staging.localhost');
  });

  it('serves static releases for GET and HEAD only, without dotfiles', async () => {
    expect(await get('site-production.localhost')).toMatchObject({ status: 200, body: 'hello static' });
    expect((await get('site-production.localhost', '/.env')).status).toBe(404);
    const post = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers: { host: 'site-production.localhost' }, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end('x');
    });
    expect(post).toBe(405);
  });

  it('proxies WebSocket upgrades to Node releases', async () => {
    const head = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () =>
        socket.write('GET /ws HTTP/1.1\r\nhost: my-app-production.localhost\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n'),
      );
      let data = '';
      socket.on('data', (c) => {
        data += c.toString();
        if (data.includes('\r\n\r\n')) {
          socket.destroy();
          resolve(data);
        }
      });
      socket.on('error', reject);
    });
    expect(head.split('\r\n')[0]).toBe('HTTP/1.1 101 Switching Protocols');
  });

  it("splits an environment's clients with its canary by cookie, keeps the release's own cookies, and counts the canary's 5xx", async () => {
    // the canary answers 500 with a cookie of its own
    const canaryApp = createServer((_req, res) => {
      res.statusCode = 500;
      res.setHeader('set-cookie', 'app=1; Path=/');
      res.end('canary');
    });
    await new Promise<void>((r) => canaryApp.listen(0, '127.0.0.1', r));
    upstreams.cafe0001 = async () => ({ host: '127.0.0.1', port: (canaryApp.address() as AddressInfo).port });
    routes.setEnvironment('split-production', node('up'));
    routes.setCanary('split-production', node('cafe0001'), 50);
    edge.countAnswers('cafe0001');
    const ask = (cookie?: string) =>
      new Promise<{ status: number; cookies: string[] }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, headers: { host: 'split-production.localhost', ...(cookie ? { cookie } : {}) }, agent: false }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, cookies: res.headers['set-cookie'] ?? [] }));
        });
        req.on('error', reject);
        req.end();
      });
    try {
      const fresh = await Promise.all(Array.from({ length: 40 }, () => ask()));
      const toCanary = fresh.filter((r) => r.status === 500);
      expect(toCanary.length).toBeGreaterThan(0);
      expect(toCanary.length).toBeLessThan(40);
      // each fresh client gets its bucket; the canary's answers keep the app's cookie too
      for (const r of fresh) expect(r.cookies.some((c) => /^flightdeck-canary=cafe0001\.\d{1,2}; Path=\/; Max-Age=86400; HttpOnly; SameSite=Lax$/.test(c))).toBe(true);
      for (const r of toCanary) expect(r.cookies).toContain('app=1; Path=/');
      expect(edge.answerCounts('cafe0001')).toEqual({ responses: toCanary.length, serverErrors: toCanary.length });
      // a client with its cookie: no new cookie, and the same release as its bucket says
      expect(await ask('flightdeck-canary=cafe0001.3')).toEqual({ status: 500, cookies: ['app=1; Path=/'] });
      expect(await ask('x=y; flightdeck-canary=cafe0001.60')).toEqual({ status: 200, cookies: [] });
      // rolled back: every client on the environment's release again
      routes.removeCanary('split-production');
      expect((await ask()).status).toBe(200);
    } finally {
      edge.stopCounting('cafe0001');
      await new Promise((r) => canaryApp.close(r));
    }
  });
});
