import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SupervisorStatus } from '@flightdeck/contracts';
import { type ServiceProcess, eventually, spawnService, startTestInfra, type TestInfra, waitForReady } from '@flightdeck/testing';
import { type RunningGateway, startGateway } from './support/gateway-app';

interface StatusItem {
  name: string;
  instanceId: string;
  version: string;
  uptimeS: number;
  ready: boolean;
}

// The fleet as the bus sees it: this gateway in-process and a real log-ingest child process.
describe('GET /api/v1/system/status', () => {
  let infra: TestInfra;
  let gw: RunningGateway;
  let logIngest: ServiceProcess | undefined;
  // where npm start's supervisor writes what it runs (FLIGHTDECK_SUPERVISOR_FILE)
  const dir = mkdtempSync(join(tmpdir(), 'fd-supervisor-'));
  const supervisorFile = join(dir, 'supervisor.json');

  beforeAll(async () => {
    infra = await startTestInfra();
    gw = await startGateway(infra, { FLIGHTDECK_SUPERVISOR_FILE: supervisorFile });
  });
  afterAll(async () => {
    await logIngest?.stop(2_000);
    await gw?.close();
    await infra?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const statusItems = async (): Promise<StatusItem[]> => {
    const res = await gw.api('GET', '/system/status');
    expect(res.status).toBe(200);
    return res.body.items;
  };

  it('needs a token', async () => {
    expect((await gw.api('GET', '/system/status', { headers: { authorization: '' } })).status).toBe(401);
  });

  it("adds what the launcher supervises, from its status file, and answers without it when the file is absent or unreadable", async () => {
    expect((await gw.api('GET', '/system/status')).body.supervisor).toBeUndefined();
    const status: SupervisorStatus = {
      launcherPid: 4242,
      updatedAt: '2026-01-01T00:00:00.000Z',
      processes: [
        { name: 'builder', kind: 'service', state: 'running', pid: 99, restarts: 2, since: '2026-01-01T00:00:00.000Z', lastExit: { code: null, signal: 'SIGKILL', at: '2026-01-01T00:00:00.000Z' } },
        { name: 'log-ingest', kind: 'service', state: 'crash-looping', restarts: 4, since: '2026-01-01T00:00:00.000Z' },
      ],
    };
    writeFileSync(supervisorFile, JSON.stringify(status));
    const res = await gw.api('GET', '/system/status');
    expect(res.status).toBe(200);
    expect(res.body.supervisor).toEqual(status);
    writeFileSync(supervisorFile, '{"half": ');
    expect(await gw.api('GET', '/system/status')).toMatchObject({ status: 200, body: { items: expect.any(Array) } });
    expect((await gw.api('GET', '/system/status')).body.supervisor).toBeUndefined();
    rmSync(supervisorFile);
  });

  it('lists the gateway itself and a second service, then drops that one within 10 s of kill -9', async () => {
    logIngest = await spawnService('log-ingest', infra.envFor('log-ingest'));
    await waitForReady(logIngest.port, 60_000, logIngest.exited);

    const items = await statusItems();
    expect(items.map((i) => [i.name, i.ready])).toEqual([
      ['gateway', true],
      ['log-ingest', true],
    ]);
    for (const item of items) {
      expect(item).toMatchObject({ instanceId: expect.any(String), version: expect.any(String), uptimeS: expect.any(Number) });
    }
    expect(items[0].instanceId).not.toBe(items[1].instanceId);

    logIngest.child.kill('SIGKILL');
    const killedAt = Date.now();
    const gone = await eventually(
      'log-ingest to drop out of the status',
      async () => !(await statusItems()).some((i) => i.name === 'log-ingest' && i.ready),
      { timeoutMs: 10_000, intervalMs: 0 },
    );
    expect(gone).toBe(true);
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    expect((await statusItems()).map((i) => i.name)).toEqual(['gateway']);
  });
});
