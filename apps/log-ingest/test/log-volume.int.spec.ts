import { randomUUID } from 'node:crypto';
import { register } from 'prom-client';
import { countLogLevels, deploymentStatusChanged, getLogVolume, subjectFor } from '@flightdeck/contracts';
import { encodeEnvelope } from '@flightdeck/messaging';
import { aDeployment, eventually } from '@flightdeck/testing';
import { LOG_BATCHES_DURABLE } from '../src/ingest/log-batches.consumer';
import { LogPartitionsService } from '../src/partitions/log-partitions.service';
import { LogIngestHarness, lines } from './support/log-ingest-harness';

// The volume of each deployment's log (lines, UTF-8 message bytes), counted as lines are stored,
// and summed per project on /metrics.
describe('log volume', () => {
  let h: LogIngestHarness;

  beforeAll(async () => {
    h = await LogIngestHarness.start();
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
  });

  const metric = async (name: string, project: string) =>
    (await register.getSingleMetric(name)!.get()).values.find((v) => v.labels.project === project)?.value;

  it('counts every line and byte once, however often a batch is delivered, and sums them per project', async () => {
    const d = aDeployment();
    const other = aDeployment({ projectId: d.projectId });
    const stranger = aDeployment();
    await Promise.all(
      [d, other].map((x) =>
        h.nc.jetstream().publish(
          subjectFor(deploymentStatusChanged.subject, x.id),
          encodeEnvelope(deploymentStatusChanged.subject, 1, { deployment: x, transition: { from: null, to: 'queued', phase: 'queued', at: x.createdAt, reason: null } }),
        ),
      ),
    );
    // 'é' is two bytes in UTF-8; a batch published twice, and one overlapping it, count once
    const batch = lines(1, 100, () => ({ message: 'café' }));
    await h.publish(d.id, batch);
    await h.publish(d.id, batch);
    await h.publish(d.id, lines(51, 150, () => ({ message: 'café' })));
    await h.publish(other.id, lines(1, 10, () => ({ message: 'x'.repeat(10) })));
    await h.publish(stranger.id, lines(1, 5, () => ({ message: 'yy' })));
    await h.waitForRows(d.id, 150);
    await h.waitUntilConsumed(LOG_BATCHES_DURABLE);

    const counts = await h.bus.request(countLogLevels, { deploymentId: d.id });
    expect(counts.ok && counts.data.volume).toEqual({ lines: 150, bytes: 150 * 5 });
    // the same volume alone, as the gateway asks for it beside the deployment
    expect(await h.bus.request(getLogVolume, { deploymentId: d.id })).toEqual({ ok: true, data: { deploymentId: d.id, lines: 150, bytes: 150 * 5 } });
    await eventually('both deployments of the project known', async () => {
      const { rows } = await h.db.query<{ n: number }>('select count(*)::int as n from logs.deployments where project_id = $1', [d.projectId]);
      return rows[0].n === 2;
    });
    expect(await metric('flightdeck_log_project_lines', d.projectId)).toBe(160);
    expect(await metric('flightdeck_log_project_bytes', d.projectId)).toBe(150 * 5 + 10 * 10);
    // a deployment whose project has not been announced
    expect(await metric('flightdeck_log_project_lines', 'unknown')).toBe(5);
    // appended per transaction, compacted to one row per deployment by the hourly maintenance
    await h.app.get(LogPartitionsService).maintain();
    const { rows } = await h.db.query<{ n: number }>('select count(*)::int as n from logs.deployment_volume where deployment_id = $1', [d.id]);
    expect(rows[0].n).toBe(1);
    const again = await h.bus.request(countLogLevels, { deploymentId: d.id });
    expect(again.ok && again.data.volume).toEqual({ lines: 150, bytes: 150 * 5 });
    expect(await metric('flightdeck_log_project_lines', d.projectId)).toBe(160);
    expect(await h.bus.request(getLogVolume, { deploymentId: d.id })).toMatchObject({ ok: true, data: { lines: 150, bytes: 150 * 5 } });
    const none = await h.bus.request(countLogLevels, { deploymentId: randomUUID() });
    expect(none.ok && none.data.volume).toEqual({ lines: 0, bytes: 0 });
    const unknown = randomUUID();
    expect(await h.bus.request(getLogVolume, { deploymentId: unknown })).toEqual({ ok: true, data: { deploymentId: unknown, lines: 0, bytes: 0 } });
  });
});
