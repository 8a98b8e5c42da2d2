import { buildProgressed } from '@flightdeck/contracts';
import { encodeEnvelope } from '@flightdeck/messaging';
import { BUILD_EVENTS_DURABLE } from '../src/build-events/build-events.consumer';
import { eventually } from '@flightdeck/testing';
import { OrchestratorHarness } from './support/orchestrator-harness';

jest.setTimeout(120_000);

describe('build events move a deployment along', () => {
  let h: OrchestratorHarness;

  beforeAll(async () => {
    h = await OrchestratorHarness.start();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('follows the builder from queued to succeeded, keeping commit, artifact and URLs', async () => {
    const { project } = h.directory.addProject();
    const d = await h.deploy(project.id);

    await h.progress({
      deploymentId: d.id,
      stage: 'initializing',
      phase: 'pulling_source',
      progress: 10,
      commit: { sha: 'abc123', message: 'add page', author: 'Ada <ada@example.com>' },
    });
    const init = await h.waitFor(d.id, 'initializing', (x) => x.status === 'initializing');
    expect(init).toMatchObject({ phase: 'pulling_source', progress: 10, commitSha: 'abc123', commitMessage: 'add page', commitAuthor: 'Ada <ada@example.com>' });
    expect(init.startedAt).toBeTruthy();

    await h.progress({ deploymentId: d.id, stage: 'building', phase: 'building', progress: 40 });
    await h.progress({ deploymentId: d.id, stage: 'building', phase: 'packaging', progress: 60 });
    await h.waitFor(d.id, 'packaging', (x) => x.phase === 'packaging' && x.progress === 60);
    await h.progress({ deploymentId: d.id, stage: 'deploying', phase: 'health_check', progress: 90 });
    await h.waitFor(d.id, 'deploying', (x) => x.status === 'deploying');

    const artifact = { id: 'art-1', sha256: 'f'.repeat(64), sizeBytes: 2048, kind: 'node' as const };
    await h.result({
      deploymentId: d.id,
      outcome: 'succeeded',
      url: 'http://shop-production.localhost:3080',
      previewUrl: 'http://shop-12345678.localhost:3080',
      artifact,
      lastSeq: 523,
    });
    const done = await h.waitFor(d.id, 'success', (x) => x.status === 'succeeded');
    expect(done).toMatchObject({
      phase: 'active',
      progress: 100,
      url: 'http://shop-production.localhost:3080',
      previewUrl: 'http://shop-12345678.localhost:3080',
      artifact,
      errorCode: null,
      metadata: expect.objectContaining({ lastLogSeq: 523 }),
    });
    expect(done.finishedAt).toBeTruthy();
    expect(done.durationMs).toBeGreaterThanOrEqual(0);

    const history = await h.sql<{ from_status: string | null; to_status: string; phase: string }>(
      `select from_status, to_status, phase from orchestrator.deployment_transitions where deployment_id = $1 order by id`,
      [d.id],
    );
    expect(history.map((t) => `${t.from_status ?? '-'}>${t.to_status}:${t.phase}`)).toEqual([
      '->created:queued',
      'created>queued:validating',
      'queued>queued:queued',
      'queued>initializing:pulling_source',
      'initializing>building:building',
      'building>building:packaging',
      'building>deploying:health_check',
      'deploying>succeeded:active',
    ]);
    // published in the order they happened, each once
    const events = await eventually('every status event', async () => (h.eventsFor(d.id).length >= 7 ? h.eventsFor(d.id) : undefined));
    expect(events.map((e) => `${e.transition.from ?? '-'}>${e.transition.to}:${e.transition.phase}`)).toEqual(
      history.map((t) => `${t.from_status ?? '-'}>${t.to_status}:${t.phase}`),
    );
    expect(events[events.length - 1].deployment.status).toBe('succeeded');
  });

  it('keeps what the builder detected as the deployment\'s metadata.build, and its result summary as metadata.result', async () => {
    const { project } = h.directory.addProject();
    const d = await h.deploy(project.id);
    const build = {
      rootDirectory: '.',
      framework: 'vite',
      frameworkName: 'Vite',
      frameworkVersion: '5.4.2',
      packageManager: 'npm (package-lock.json)',
      installCommand: 'npm ci --no-audit --no-fund',
      buildCommand: 'npm run build',
      outputDirectory: 'dist',
      startCommand: null,
      runKind: 'static' as const,
      why: ['the detector (@vercel/frameworks) recognised Vite ^5.4.0'],
    };
    await h.progress({ deploymentId: d.id, stage: 'building', phase: 'building', progress: 25, build });
    await h.waitFor(d.id, 'detection kept', (x) => (x.metadata as { build?: unknown }).build !== undefined);
    const summary = {
      installTimeMs: 4200,
      buildTimeMs: 3100,
      testTimeMs: null,
      packageTimeMs: 80,
      buildSizeBytes: 48_213,
      framework: 'vite',
      warnings: [{ step: 'install', seq: 14, message: 'npm warn deprecated inflight@1.0.6' }],
      warningCount: 1,
      tests: null,
    };
    await h.result({ deploymentId: d.id, outcome: 'succeeded', url: 'http://x.localhost', lastSeq: 3, summary });
    const done = await h.waitFor(d.id, 'success', (x) => x.status === 'succeeded');
    expect(done.metadata).toMatchObject({ build, result: summary, lastLogSeq: 3 });
  });

  it('walks the skipped stages when a team\'s CI reports only its result', async () => {
    const { project } = h.directory.addProject();
    const d = await h.deploy(project.id);
    await h.result({ deploymentId: d.id, outcome: 'succeeded', url: 'http://x.localhost' });
    await h.waitFor(d.id, 'success', (x) => x.status === 'succeeded');
    const steps = await h.sql<{ to_status: string }>(
      `select to_status from orchestrator.deployment_transitions where deployment_id = $1 order by id`,
      [d.id],
    );
    expect(steps.map((s) => s.to_status)).toEqual(['created', 'queued', 'queued', 'initializing', 'deploying', 'succeeded']);
  });

  it('ends a failed build with the builder\'s code and message, keeping step, exit code and last lines', async () => {
    const { project } = h.directory.addProject();
    const d = await h.deploy(project.id);
    await h.progress({ deploymentId: d.id, stage: 'building', phase: 'building' });
    await h.result({
      deploymentId: d.id,
      outcome: 'failed',
      failure: { code: 'deployment/build-failed', message: 'npm run build exited with 2', step: 'build', exitCode: 2, lastLines: ['Error: boom'] },
    });
    const failed = await h.waitFor(d.id, 'failure', (x) => x.status === 'failed');
    expect(failed).toMatchObject({
      phase: 'failed',
      errorCode: 'deployment/build-failed',
      errorMessage: 'npm run build exited with 2',
      metadata: expect.objectContaining({ failure: { step: 'build', exitCode: 2, lastLines: ['Error: boom'] } }),
    });
  });

  it('ignores events of an earlier attempt', async () => {
    const { project } = h.directory.addProject();
    const d = await h.deploy(project.id);
    await h.progress({ deploymentId: d.id, attempt: 2, stage: 'building', phase: 'building' });
    await h.result({ deploymentId: d.id, attempt: 2, outcome: 'failed', failure: { code: 'deployment/build-failed', message: 'old' } });
    // a later event of the current attempt proves the stale ones were processed before it
    await h.progress({ deploymentId: d.id, attempt: 1, stage: 'initializing', phase: 'validating', progress: 3 });
    const now = await h.waitFor(d.id, 'initializing', (x) => x.status === 'initializing');
    expect(now).toMatchObject({ phase: 'validating', progress: 3, errorCode: null });
  });

  it('never changes a finished deployment, and ignores a late earlier stage', async () => {
    const { project } = h.directory.addProject();
    const d = await h.deploy(project.id);
    await h.progress({ deploymentId: d.id, stage: 'deploying', phase: 'releasing', progress: 80 });
    await h.waitFor(d.id, 'deploying', (x) => x.status === 'deploying');
    await h.progress({ deploymentId: d.id, stage: 'building', phase: 'building', progress: 30 });
    const done = await h.succeed(d.id);
    await h.result({ deploymentId: d.id, outcome: 'failed', failure: { code: 'deployment/deploy-failed', message: 'late' } });
    await h.progress({ deploymentId: d.id, stage: 'building', phase: 'building' });
    await h.buildEventsHandled();
    const after = await h.get(d.id);
    expect(after).toEqual(done);
    const history = await h.sql<{ to_status: string }>(
      `select to_status from orchestrator.deployment_transitions where deployment_id = $1 order by id`,
      [d.id],
    );
    expect(history.map((t) => t.to_status)).toEqual(['created', 'queued', 'queued', 'initializing', 'deploying', 'succeeded']);
  });

  it('applies a redelivered event once', async () => {
    const { project } = h.directory.addProject();
    const d = await h.deploy(project.id);
    const payload = encodeEnvelope(buildProgressed.subject, 1, {
      deploymentId: d.id,
      attempt: 1,
      stage: 'building',
      phase: 'building',
      progress: 20,
      at: new Date().toISOString(),
    }, 'same-event-id');
    const js = h.nc.jetstream();
    await js.publish(`build.progress.${d.id}`, payload);
    await h.waitFor(d.id, 'building', (x) => x.status === 'building');
    // past JetStream's duplicate window this arrives again; the orchestrator's own ledger drops it
    await js.publish(`build.progress.${d.id}`, payload, { msgID: 'another-stream-id' });
    await h.progress({ deploymentId: d.id, stage: 'deploying', phase: 'releasing', progress: 70 });
    await h.waitFor(d.id, 'deploying', (x) => x.status === 'deploying');
    const rows = await h.sql<{ n: number }>(
      `select count(*)::int as n from orchestrator.deployment_transitions where deployment_id = $1 and to_status = 'building'`,
      [d.id],
    );
    expect(rows[0].n).toBe(1);
  });

  it('dead-letters a malformed build event instead of applying half of it', async () => {
    const { project } = h.directory.addProject();
    const d = await h.deploy(project.id);
    await h.nc.jetstream().publish(`build.progress.${d.id}`, encodeEnvelope('build.progress.*', 1, { deploymentId: d.id, stage: 'building' }));
    await h.progress({ deploymentId: d.id, stage: 'initializing', phase: 'validating', progress: 1 });
    await h.waitFor(d.id, 'initializing', (x) => x.status === 'initializing');
    const jsm = await h.nc.jetstreamManager();
    const dead = await jsm.streams.getMessage('DEAD_LETTERS', { last_by_subj: `deadletter.${BUILD_EVENTS_DURABLE}` });
    expect(dead.header.get('Fd-Original-Subject')).toBe(`build.progress.${d.id}`);
    expect(dead.header.get('Fd-Dead-Reason')).toMatch(/invalid payload/);
    expect((await h.get(d.id)).progress).toBe(1);
  });
});
