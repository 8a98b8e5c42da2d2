import { randomUUID } from 'node:crypto';
import { environmentDeleted, subjectFor } from '@flightdeck/contracts';
import { encodeEnvelope } from '@flightdeck/messaging';
import { OrchestratorHarness } from './support/orchestrator-harness';

jest.setTimeout(120_000);

// environment-manager publishes environments.evt.deleted when an environment is soft-deleted; the
// orchestrator (real, on real Postgres and NATS) stops what was in progress there.
describe('a deleted environment', () => {
  let h: OrchestratorHarness;

  beforeAll(async () => {
    h = await OrchestratorHarness.start();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('cancels its waiting and held deployments at once and asks the builder to stop its running one; another environment is left alone', async () => {
    const { project, production } = h.directory.addProject();
    const env = { ...production, concurrencyPolicy: 'queue' as const };
    h.directory.environments.set(env.id, env);
    const staging = h.directory.addEnvironment(project, 'staging');

    const running = await h.deploy(project.id, { idempotencyKey: undefined });
    await h.progress({ deploymentId: running.id, stage: 'building', phase: 'building' });
    await h.waitFor(running.id, 'building', (d) => d.status === 'building');
    const waiting = [await h.deploy(project.id, { idempotencyKey: undefined }), await h.deploy(project.id, { idempotencyKey: undefined })];
    const elsewhere = await h.deploy(project.id, { environmentId: staging.id, idempotencyKey: undefined });
    // held by a protection rule (no slot, no job): canceled as well
    h.directory.environments.set(env.id, { ...env, protection: { requiredApprovals: { count: 1, minRole: 'admin', forbidAuthor: false, expiresAfterHours: 168 }, freezeBehaviour: 'wait' } });
    const held = await h.deploy(project.id, { idempotencyKey: undefined });
    expect(held.phase).toBe('awaiting_approval');
    waiting.push(held);

    // as environment-manager's outbox publishes it
    await h.nc
      .jetstream()
      .publish(
        subjectFor(environmentDeleted.subject, env.id),
        encodeEnvelope(environmentDeleted.subject, 1, { environment: { ...env, deletedAt: new Date().toISOString() }, project }),
        { msgID: randomUUID() },
      );

    for (const w of waiting) {
      const d = await h.waitFor(w.id, 'canceled', (x) => x.status === 'canceled');
      expect(d.errorMessage).toBe('environment production was deleted');
    }
    const stopping = await h.waitFor(running.id, 'cancel requested', (d) => d.cancelRequestedAt !== null && d.cancelRequestedAt !== undefined);
    expect(stopping.status).toBe('building');
    expect(h.cancelRequests.filter((c) => c.deploymentId === running.id)).toEqual([{ deploymentId: running.id, attempt: 1, reason: 'canceled' }]);
    // the builder confirms: it ends canceled, and nothing of the queue starts after it
    await h.result({ deploymentId: running.id, outcome: 'canceled' });
    await h.waitFor(running.id, 'canceled', (d) => d.status === 'canceled');
    expect((await h.get(elsewhere.id)).status).not.toBe('canceled');
    expect(waiting.flatMap((w) => h.jobsFor(w.id))).toEqual([]);
  });
});
