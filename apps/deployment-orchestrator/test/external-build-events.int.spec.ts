import { randomUUID } from 'node:crypto';
import { type BuildProgress, type BuildResult, type LogBatch, externalSubject } from '@flightdeck/contracts';
import { encodeEvent } from '@flightdeck/messaging';
import { aLine, eventually } from '@flightdeck/testing';
import { buildFinished, buildProgressed, logLinesPublished } from '@flightdeck/contracts';
import { EXTERNAL_EVENTS_DURABLE } from '../src/build-events/external-build-events.consumer';
import { OrchestratorHarness } from './support/orchestrator-harness';

jest.setTimeout(120_000);

// A team's own CI reports a deployment over the bus: the public build-event contract.
describe('external deployments', () => {
  let h: OrchestratorHarness;
  const forwarded: LogBatch[] = [];

  beforeAll(async () => {
    h = await OrchestratorHarness.start();
    await h.followLogs((b) => forwarded.push(b));
  });
  afterAll(async () => {
    await h?.stop();
  });

  const at = () => new Date().toISOString();
  const publish = async (kind: 'progress' | 'result' | 'logs', projectId: string, deploymentId: string, bytes: Uint8Array) => {
    await h.nc.jetstream().publish(externalSubject(kind, projectId, deploymentId), bytes, { msgID: randomUUID() });
  };
  const progress = (p: Partial<BuildProgress> & Pick<BuildProgress, 'deploymentId'>) =>
    encodeEvent(buildProgressed, { attempt: 1, stage: 'building', phase: 'building', progress: 50, at: at(), ...p });
  const result = (r: Partial<BuildResult> & Pick<BuildResult, 'deploymentId'>) =>
    encodeEvent(buildFinished, { attempt: 1, outcome: 'succeeded', lastSeq: 3, at: at(), ...r });
  const lines = (deploymentId: string, from: number, to: number) =>
    encodeEvent(logLinesPublished, {
      deploymentId,
      lines: Array.from({ length: to - from + 1 }, (_, i) => aLine(from + i, { timestamp: at(), step: 'ci' })),
    });
  const deadLetters = async () => {
    const jsm = await h.nc.jetstreamManager();
    const info = await jsm.streams.info('DEAD_LETTERS', { subjects_filter: `deadletter.${EXTERNAL_EVENTS_DURABLE}` });
    return info.state.subjects?.[`deadletter.${EXTERNAL_EVENTS_DURABLE}`] ?? 0;
  };

  it('waits for its publisher instead of dispatching a build, then follows its phases, lines and result', async () => {
    const { project } = h.directory.addProject();
    const d = await h.deploy(project.id, { provider: 'external' });
    expect(d).toMatchObject({ provider: 'external', status: 'queued', attempt: 1 });

    await publish('progress', project.id, d.id, progress({ deploymentId: d.id, stage: 'initializing', phase: 'validating', progress: 5 }));
    await publish('logs', project.id, d.id, lines(d.id, 1, 3));
    await publish('progress', project.id, d.id, progress({ deploymentId: d.id, stage: 'building', phase: 'building', progress: 50 }));
    await publish('result', project.id, d.id, result({ deploymentId: d.id, url: 'https://ci.example/app' }));

    const done = await h.waitFor(d.id, 'success', (x) => x.status === 'succeeded');
    expect(done).toMatchObject({ url: 'https://ci.example/app', provider: 'external' });
    const batch = await eventually('the lines forwarded to build.logs', async () => forwarded.find((b) => b.deploymentId === d.id));
    expect(batch.lines.map((l) => l.seq)).toEqual([1, 2, 3]);
    expect(h.jobsFor(d.id)).toEqual([]);
  });

  it('dead-letters events for another project\'s deployment or a platform-built one, and applies none of them', async () => {
    const mine = h.directory.addProject().project;
    const theirs = h.directory.addProject().project;
    const foreign = await h.deploy(theirs.id, { provider: 'external' });
    const internal = await h.deploy(mine.id);
    const before = await deadLetters();

    // a publisher of `mine` reporting on a deployment of `theirs`, and on a platform-built one
    await publish('result', mine.id, foreign.id, result({ deploymentId: foreign.id }));
    await publish('logs', mine.id, foreign.id, lines(foreign.id, 1, 2));
    await publish('progress', mine.id, internal.id, progress({ deploymentId: internal.id, stage: 'initializing', phase: 'validating' }));
    // a payload filed under another deployment's subject
    const own = await h.deploy(mine.id, { provider: 'external', environmentId: undefined, force: true });
    await publish('result', mine.id, own.id, result({ deploymentId: foreign.id }));

    await eventually('four dead letters', async () => (await deadLetters()) >= before + 4);
    expect((await h.get(foreign.id)).status).toBe('queued');
    expect((await h.get(internal.id)).status).not.toBe('initializing');
    expect((await h.get(own.id)).status).toBe('queued');
    expect(forwarded.filter((b) => b.deploymentId === foreign.id)).toEqual([]);
  });
});
