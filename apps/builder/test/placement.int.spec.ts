import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { eventually, freePort, getWithHost, queryRows } from '@flightdeck/testing';
import { RouteTable } from '../src/edge/route-table';
import { InternalReleaseProvider } from '../src/provider/internal-release-provider';
import { ProviderModule } from '../src/provider/provider.module';
import { ReleaseProcesses } from '../src/provider/release-processes';
import type { ReleaseSpec } from '../src/provider/release-provider';
import { BUILDER_INSTANCE, type BuilderInstance } from '../src/placement/builder-instance';
import { LogRecorder, nodeApp, packArtifact } from './provider-fixtures';
import { BuilderHarness } from './support/builder-harness';

jest.setTimeout(180_000);

// Two builder replicas (one database, one data dir, one bus), each with its own router: a canary
// deployed by the replica that does not serve the environment takes the environment over first
// (its current release started there), so the split runs where the edges send the traffic, and
// the other replica drains and stops its copy.
describe('release placement across builder replicas', () => {
  let h: BuilderHarness;
  let first: INestApplication;
  let second: INestApplication;
  let firstPort: number;
  let secondPort: number;
  let work: string;
  const label = 'placed-production';

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'fd-placement-'));
    let app: INestApplication;
    ({ h, edgePort: firstPort, app } = await BuilderHarness.withInternalProvider({ healthTimeoutMs: 8_000 }));
    first = app;
    secondPort = await freePort();
    second = await h.startBuilder({ FLIGHTDECK_ROUTER_PORT: String(secondPort) }, ProviderModule.forRoot({ healthTimeoutMs: 8_000 }));
  });
  afterAll(async () => {
    await h?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const spec = async (version: string, over: Partial<ReleaseSpec> = {}): Promise<ReleaseSpec> => ({
    deploymentId: randomUUID(),
    projectName: 'placed',
    environmentName: 'production',
    artifactPath: await packArtifact(nodeApp(version), work),
    kind: 'node',
    startCommand: ['node', 'server.js'],
    env: { PATH: process.env.PATH!, GREETING: 'hi' },
    ...over,
  });
  const idOf = (app: INestApplication) => app.get<BuilderInstance>(BUILDER_INSTANCE).id;
  const owner = async () =>
    (await queryRows<{ owner: string }>(h.infra.databaseUrls.builder, `select owner from builder.environment_routes where project = 'placed'`))[0]?.owner;
  const through = (port: number) => getWithHost(port, `${label}.localhost:${port}`);

  it('takes the environment over before a canary, splits it in its own router, and the first replica drains its copy', async () => {
    const v1 = await spec('v1');
    await first.get(InternalReleaseProvider).deploy(v1, new LogRecorder().log, new AbortController().signal);
    expect(await owner()).toBe(idOf(first));
    expect((await through(firstPort)).body).toBe('v1 hi / builder-only:undefined');

    const log = new LogRecorder();
    const v2 = await spec('v2', { strategy: { type: 'canary', steps: [{ percent: 50, holdSeconds: 4 }] } });
    const deployed = second.get(InternalReleaseProvider).deploy(v2, log.log, new AbortController().signal);
    // the second replica serves the environment now, both versions from its own router
    await eventually('the second replica to own the environment', async () => (await owner()) === idOf(second));
    const seen = new Set<string>();
    await eventually('both versions answering through the second router', async () => {
      seen.add((await through(secondPort)).body.split(' ')[0]);
      return seen.has('v1') && seen.has('v2');
    });
    // the first replica heard it: it no longer routes the label, and its v1 drains and stops
    await eventually('the first replica to hand the environment off', async () => !first.get(RouteTable).environment(label));
    await eventually('the first replica\'s copy of v1 to stop', async () => !first.get(ReleaseProcesses).isActive(v1.deploymentId));

    await deployed;
    expect(log.text()).toMatch(new RegExp(`served by builder ${idOf(first)}: this builder takes it over first`));
    for (let i = 0; i < 5; i++) expect((await through(secondPort)).body).toBe('v2 hi / builder-only:undefined');
    expect(await owner()).toBe(idOf(second));
    // the environment's health is the new owner's to keep: the first replica's hand-off left it alone
    const health = await queryRows<{ release_id: string; health: string }>(
      h.infra.databaseUrls.builder,
      `select release_id, health from builder.environment_health where project = 'placed'`,
    );
    expect(health).toEqual([{ release_id: v2.deploymentId, health: 'healthy' }]);
  });

  it('moves the environment with a rolling deploy on the other replica, which keeps the environment\'s health', async () => {
    const v3 = await spec('v3');
    await first.get(InternalReleaseProvider).deploy(v3, new LogRecorder().log, new AbortController().signal);
    expect(await owner()).toBe(idOf(first));
    await eventually('the second replica to hand the environment off', async () => !second.get(RouteTable).environment(label));
    expect((await through(firstPort)).body).toBe('v3 hi / builder-only:undefined');
    const health = await queryRows<{ release_id: string; health: string }>(
      h.infra.databaseUrls.builder,
      `select release_id, health from builder.environment_health where project = 'placed'`,
    );
    expect(health).toEqual([{ release_id: v3.deploymentId, health: 'healthy' }]);
  });
});
