import { randomUUID } from 'node:crypto';
import { type EventDefinition, type EventData, environmentDeleted, environmentRestored, subjectFor } from '@flightdeck/contracts';
import { encodeEvent } from '@flightdeck/messaging';
import { aProject, anEnvironment, eventually } from '@flightdeck/testing';
import { BuilderHarness } from './support/builder-harness';

jest.setTimeout(120_000);

// The builder hears environment-manager's environment facts from ENVIRONMENT_EVENTS, in order, and
// hands them to its release provider (the internal provider's part: provider-releases.int.spec.ts).
describe('environment facts reach the release provider', () => {
  let h: BuilderHarness;

  beforeAll(async () => {
    h = await BuilderHarness.start();
  });
  afterAll(async () => {
    await h?.stop();
  });

  const publish = async <E extends EventDefinition>(event: E, token: string, data: EventData<E>, id = randomUUID()) => {
    await h.nc.jetstream().publish(subjectFor(event.subject, token), encodeEvent(event, data, id), { msgID: id });
    return id;
  };

  it('retires a deleted environment and reinstates a restored one, in the order they happened, once each', async () => {
    const project = aProject({ name: 'shop' });
    const staging = anEnvironment({ projectId: project.id, name: 'staging', type: 'staging', isDefault: false });
    const deletedAt = new Date().toISOString();
    const first = await publish(environmentDeleted, staging.id, { environment: { ...staging, deletedAt }, project });
    await publish(environmentRestored, staging.id, { environment: staging, project });
    await publish(environmentDeleted, staging.id, { environment: { ...staging, deletedAt }, project });
    // a redelivery of the first (same message id, past JetStream's duplicate window in real life) changes nothing
    await h.nc.jetstream().publish(subjectFor(environmentDeleted.subject, staging.id), encodeEvent(environmentDeleted, { environment: staging, project }, first));

    // read after everything before it: the skipped duplicate is then known to be skipped
    const qa = anEnvironment({ projectId: project.id, name: 'qa', type: 'preview', isDefault: false });
    await publish(environmentRestored, qa.id, { environment: qa, project });

    await eventually('the sentinel', () => h.provider.environmentChanges.some(([, label]) => label === 'shop-qa'));
    expect(h.provider.environmentChanges).toEqual([
      ['retire', 'shop-staging'],
      ['reinstate', 'shop-staging'],
      ['retire', 'shop-staging'],
      ['reinstate', 'shop-qa'],
    ]);
  });
});
