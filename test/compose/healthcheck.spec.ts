import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { freePort } from '@flightdeck/testing';
import { ROOT } from './compose-support';

describe('deploy/healthcheck.js', () => {
  const check = (env: Record<string, string>) =>
    new Promise<number | null>((done) => {
      const child = spawn(process.execPath, [join(ROOT, 'deploy/healthcheck.js')], {
        env: { PATH: process.env.PATH, ...env },
        stdio: 'ignore',
      });
      child.once('exit', (code) => done(code));
    });

  it('passes only while /health/ready answers 200', async () => {
    let status = 503;
    const server = createServer((req, res) => {
      res.writeHead(req.url === '/health/ready' ? status : 404).end();
    });
    const port = await freePort();
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    try {
      expect(await check({ HTTP_PORT: String(port) })).toBe(1);
      status = 200;
      expect(await check({ HTTP_PORT: String(port) })).toBe(0);
      // the gateway's public port serves no health: the check asks its operations port
      expect(await check({ HTTP_PORT: String(port), FLIGHTDECK_GATEWAY_PORT: '1' })).toBe(0);
      expect(await check({ FLIGHTDECK_GATEWAY_PORT: String(port) })).toBe(1);
    } finally {
      await new Promise((r) => server.close(r));
    }
    expect(await check({ HTTP_PORT: String(port) })).toBe(1);
  });
});
