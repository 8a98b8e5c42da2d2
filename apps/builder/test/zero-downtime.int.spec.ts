import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestInfra, eventually, freePort, getWithHost, startTestInfra } from '@flightdeck/testing';
import { EdgeRouter } from '../src/edge/edge-router';
import type { ReleaseSpec } from '../src/provider/release-provider';
import { LogRecorder, type ProviderApp, packArtifact, startProviderApp } from './provider-fixtures';
import { HttpLoad, openWebSocket, versionedApp } from './support/http-load';

jest.setTimeout(180_000);

const DRAIN_TIMEOUT_MS = 8_000;

// Acceptance of issue 17 items 2 and 5 on one machine: under a steady load through the edge, a
// switch from A to B and a rollback back to A lose no request; what A was answering when the route
// switched is answered by A; a warm rollback serves A again well within 1 s.
describe('zero-downtime switches through the edge', () => {
  let infra: TestInfra;
  let dataDir: string;
  let work: string;
  let edgePort: number;
  let p: ProviderApp;
  let edge: EdgeRouter;
  let a: ReleaseSpec;

  const aSpec = async (version: string): Promise<ReleaseSpec> => ({
    deploymentId: randomUUID(),
    projectName: 'steady',
    environmentName: 'production',
    artifactPath: await packArtifact(versionedApp(version), work),
    kind: 'node',
    startCommand: ['node', 'server.js'],
    env: { PATH: process.env.PATH! },
  });
  const signal = () => new AbortController().signal;
  const envHost = () => `steady-production.localhost:${edgePort}`;
  const previewHost = (spec: ReleaseSpec) => `steady-${spec.deploymentId.slice(0, 8)}.localhost:${edgePort}`;

  beforeAll(async () => {
    infra = await startTestInfra();
    dataDir = mkdtempSync(join(tmpdir(), 'fd-zero-downtime-data-'));
    work = mkdtempSync(join(tmpdir(), 'fd-zero-downtime-work-'));
    edgePort = await freePort();
    p = await startProviderApp(
      infra,
      { FLIGHTDECK_DATA_DIR: dataDir, FLIGHTDECK_EDGE_PORT: String(edgePort) },
      { healthTimeoutMs: 8_000, drainTimeoutMs: DRAIN_TIMEOUT_MS },
    );
    edge = p.app.get(EdgeRouter, { strict: false });
  });

  afterAll(async () => {
    await p?.app.close();
    await infra?.stop();
    for (const d of [dataDir, work]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it('switches A → B and rolls back to A under 200+ requests/s without a failed request', async () => {
    a = await aSpec('A');
    const b = await aSpec('B');
    await p.provider.deploy(a, new LogRecorder().log, signal());
    expect(await getWithHost(edgePort, envHost())).toMatchObject({ status: 200, body: 'A' });

    const load = new HttpLoad({ port: edgePort, host: envHost(), concurrency: 32, maxMs: 120_000 });
    try {
      await eventually('the load is steady', () => load.samples.length >= 400);

      // on A while the route switches: a request it is answering, and an open WebSocket
      const slow = getWithHost(edgePort, envHost(), '/slow', 30_000);
      const wsOnA = await openWebSocket(edgePort, envHost());
      await eventually('the slow request is in flight on A', () => edge.inFlight(a.deploymentId).requests >= 1 && edge.inFlight(a.deploymentId).upgrades === 1);

      const log = new LogRecorder();
      await p.provider.deploy(b, log.log, signal());
      const switchedAt = load.now();
      expect(log.text()).toMatch(/previous release .* drains/);
      await eventually('B serves', () => load.samples.some((s) => s.sentAt > switchedAt && s.body === 'B'));
      // the switch is done and A still answers what it was sent
      expect(p.processes.isActive(a.deploymentId)).toBe(true);
      expect(await getWithHost(edgePort, previewHost(a), '/release')).toMatchObject({ status: 200, body: 'released' });
      expect(await slow).toMatchObject({ status: 200, body: 'A slow' });

      // rollback while A is still warm (its WebSocket keeps it draining)
      expect(p.processes.isActive(a.deploymentId)).toBe(true);
      const wsOnB = await openWebSocket(edgePort, envHost());
      const rollbackAt = load.now();
      await p.provider.rollback({ deploymentId: randomUUID(), projectName: 'steady', environmentName: 'production', toDeploymentId: a.deploymentId }, new LogRecorder().log, signal());
      const firstA = await eventually('A serves again', () => load.samples.find((s) => s.sentAt >= rollbackAt && s.body === 'A'));
      const rollbackMs = firstA.doneAt - rollbackAt;
      console.log(`warm rollback: ${rollbackMs.toFixed(1)} ms from the rollback request to the first answer of A`);
      expect(rollbackMs).toBeLessThan(1_000);

      // B drains: its WebSocket is closed after the drain time, then it stops; A's stays open
      await eventually('B\'s WebSocket is closed after the drain time', () => wsOnB.closed(), { timeoutMs: DRAIN_TIMEOUT_MS + 5_000, intervalMs: 100 });
      await eventually('B is stopped', () => !p.processes.isActive(b.deploymentId), { timeoutMs: 10_000 });
      expect(wsOnA.closed()).toBe(false);
      expect(p.processes.isActive(a.deploymentId)).toBe(true);
      wsOnA.socket.destroy();
    } finally {
      await load.stop();
    }
    const failures = load.failures();
    const rate = load.rate();
    console.log(`steady load: ${load.samples.length} requests at ${rate.toFixed(0)}/s, ${failures.length} failed`);
    expect(failures.slice(0, 5)).toEqual([]);
    expect(rate).toBeGreaterThanOrEqual(200);
    expect(new Set(load.samples.map((s) => s.body))).toEqual(new Set(['A', 'B']));
  });

  it('stops the previous release as soon as nothing is in flight on it, long before the drain time', async () => {
    expect(p.processes.isActive(a.deploymentId)).toBe(true);
    await eventually('nothing is open on A', () => edge.inFlight(a.deploymentId).upgrades === 0);
    const c = await aSpec('C');
    await p.provider.deploy(c, new LogRecorder().log, signal());
    const switchedAt = Date.now();
    expect(await getWithHost(edgePort, envHost())).toMatchObject({ status: 200, body: 'C' });
    await eventually('A is stopped', () => !p.processes.isActive(a.deploymentId), { timeoutMs: DRAIN_TIMEOUT_MS });
    expect(Date.now() - switchedAt).toBeLessThan(DRAIN_TIMEOUT_MS / 2);
  });
});
