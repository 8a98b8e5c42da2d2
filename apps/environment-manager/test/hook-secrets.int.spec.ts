import { randomBytes, randomUUID } from 'node:crypto';
import { ErrorCode, hookSecret, rotateSecretKey } from '@flightdeck/contracts';
import { EnvironmentManagerHarness } from './support/environment-manager-harness';

jest.setTimeout(180_000);

const OLD = randomBytes(32).toString('base64');
const NEW = randomBytes(32).toString('base64');

// An outgoing hook's signing secret (issue 23 item 3) on the real environment-manager: generated,
// sealed at rest like a sensitive variable, opened for signing, re-sealed by key rotation, deleted
// with its hook.
describe('hook secrets', () => {
  let h: EnvironmentManagerHarness;

  beforeAll(async () => {
    h = await EnvironmentManagerHarness.start({ FLIGHTDECK_SECRET_KEY: OLD });
  });
  afterAll(async () => {
    await h?.stop();
  });

  const call = async (projectId: string, hookId: string, action: 'generate' | 'open' | 'delete') => {
    const r = await h.bus.request(hookSecret, { projectId, hookId, action });
    if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
    return r.data.secret;
  };

  it('generates a secret sealed at rest, opens it, survives key rotation, and deletes it', async () => {
    const { project } = await h.project('hooks', 'https://github.com/acme/hooks');
    const hookId = randomUUID();
    const secret = await call(project.id, hookId, 'generate');
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    const rows = await h.sql<Record<string, unknown>>(`select * from environments.hook_secrets where project_id = $1`, [project.id]);
    expect(rows).toHaveLength(1);
    const stored = JSON.stringify(rows, (_k, v) => (v?.type === 'Buffer' ? Buffer.from(v.data).toString('latin1') : v));
    expect(stored).not.toContain(secret!);
    expect(stored).not.toContain(Buffer.from(secret!, 'hex').toString('latin1'));
    expect(await call(project.id, hookId, 'open')).toBe(secret);
    // another project cannot open it
    expect(await call(randomUUID(), hookId, 'open')).toBeNull();

    await h.restart({ FLIGHTDECK_SECRET_KEY: NEW, FLIGHTDECK_PREVIOUS_SECRET_KEYS: OLD });
    expect((await h.bus.request(rotateSecretKey, {})).ok).toBe(true);
    await h.restart({ FLIGHTDECK_SECRET_KEY: NEW });
    expect(await call(project.id, hookId, 'open')).toBe(secret);

    await call(project.id, hookId, 'delete');
    expect(await call(project.id, hookId, 'open')).toBeNull();
    expect(await h.sql(`select 1 from environments.hook_secrets where project_id = $1`, [project.id])).toEqual([]);
  });

  it('refuses a secret for an unknown project', async () => {
    const r = await h.bus.request(hookSecret, { projectId: randomUUID(), hookId: randomUUID(), action: 'generate' });
    expect(r.ok || r.error.code).toBe(ErrorCode.ProjectNotFound);
  });
});
