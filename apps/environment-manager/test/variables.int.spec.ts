import { randomUUID } from 'node:crypto';
import {
  type Environment,
  deleteVariable,
  listVariables,
  resolveVariables,
  setVariable,
} from '@flightdeck/contracts';
import { EnvironmentManagerHarness } from './support/environment-manager-harness';

jest.setTimeout(120_000);

const SECRET = 'hunter2-S3cr3t/value+with=chars';

describe('variables', () => {
  let h: EnvironmentManagerHarness;
  let production: Environment;

  beforeAll(async () => {
    h = await EnvironmentManagerHarness.start();
    ({ production } = await h.project('vars'));
  });
  afterAll(async () => {
    await h?.stop();
  });

  const list = async (environmentId: string) => {
    const r = await h.bus.request(listVariables, { environmentId });
    if (!r.ok) throw new Error(r.error.code);
    return r.data.items;
  };

  it('stores a plain variable and shows it; a sensitive one is masked in every reply', async () => {
    const plain = await h.bus.request(setVariable, { environmentId: production.id, key: 'NODE_ENV', value: 'production', sensitive: false });
    expect(plain).toEqual({ ok: true, data: { key: 'NODE_ENV', value: 'production', sensitive: false, target: 'both', updatedAt: expect.any(String) } });
    const secret = await h.bus.request(setVariable, { environmentId: production.id, key: 'API_TOKEN', value: SECRET, sensitive: true });
    expect(secret).toEqual({ ok: true, data: { key: 'API_TOKEN', value: '***', sensitive: true, target: 'both', updatedAt: expect.any(String) } });

    expect(await list(production.id)).toEqual([
      { key: 'API_TOKEN', value: '***', sensitive: true, target: 'both', updatedAt: expect.any(String) },
      { key: 'NODE_ENV', value: 'production', sensitive: false, target: 'both', updatedAt: expect.any(String) },
    ]);
  });

  it('keeps only ciphertext for a sensitive value: the plaintext is nowhere in the table', async () => {
    await h.bus.request(setVariable, { environmentId: production.id, key: 'DB_PASSWORD', value: SECRET, sensitive: true });
    const [row] = await h.sql<{ value_plain: string | null; ciphertext: Buffer; iv: Buffer; auth_tag: Buffer }>(
      `select value_plain, ciphertext, iv, auth_tag from environments.variables where environment_id = $1 and key = 'DB_PASSWORD'`,
      [production.id],
    );
    expect(row.value_plain).toBeNull();
    expect(row.iv).toHaveLength(12);
    expect(row.auth_tag).toHaveLength(16);
    expect(row.ciphertext.includes(Buffer.from(SECRET))).toBe(false);
    const dump = await h.sql<{ t: string }>(`select string_agg(v::text, ' ') as t from environments.variables v`);
    for (const form of [SECRET, Buffer.from(SECRET).toString('base64'), Buffer.from(SECRET).toString('hex')]) {
      expect(dump[0].t).not.toContain(form);
    }
  });

  it('overwrites a variable, re-encrypting with a new IV, and can change its sensitivity', async () => {
    await h.bus.request(setVariable, { environmentId: production.id, key: 'ROTATING', value: 'one', sensitive: true });
    const ivOf = async () =>
      (await h.sql<{ iv: Buffer | null }>(`select iv from environments.variables where environment_id = $1 and key = 'ROTATING'`, [production.id]))[0].iv;
    const first = await ivOf();
    await h.bus.request(setVariable, { environmentId: production.id, key: 'ROTATING', value: 'one', sensitive: true });
    expect((await ivOf())!.equals(first!)).toBe(false);

    await h.bus.request(setVariable, { environmentId: production.id, key: 'ROTATING', value: 'now-public', sensitive: false });
    expect((await list(production.id)).find((v) => v.key === 'ROTATING')).toMatchObject({ value: 'now-public', sensitive: false });
    expect(await ivOf()).toBeNull();
    expect(await h.sql(`select 1 from environments.variables where environment_id = $1 and key = 'ROTATING'`, [production.id])).toHaveLength(1);
  });

  it('deletes a variable, and names one that does not exist', async () => {
    await h.bus.request(setVariable, { environmentId: production.id, key: 'GONE', value: 'x', sensitive: false });
    const del = await h.bus.request(deleteVariable, { environmentId: production.id, key: 'GONE' });
    expect(del).toEqual({ ok: true, data: { key: 'GONE', deleted: true } });
    expect((await list(production.id)).map((v) => v.key)).not.toContain('GONE');
    const again = await h.bus.request(deleteVariable, { environmentId: production.id, key: 'GONE' });
    expect(!again.ok && again.error.code).toBe('variable/not-found');
  });

  it('names an unknown environment and a malformed key, and writes nothing', async () => {
    const unknown = randomUUID();
    const set = await h.bus.request(setVariable, { environmentId: unknown, key: 'A', value: 'b', sensitive: false });
    expect(!set.ok && set.error.code).toBe('deployment/environment-not-found');
    const ls = await h.bus.request(listVariables, { environmentId: unknown });
    expect(!ls.ok && ls.error.code).toBe('deployment/environment-not-found');
    const del = await h.bus.request(deleteVariable, { environmentId: unknown, key: 'A' });
    expect(!del.ok && del.error.code).toBe('deployment/environment-not-found');
    const bad = await h.bus.request(setVariable, { environmentId: production.id, key: '1-BAD', value: 'x', sensitive: false });
    expect(!bad.ok && bad.error).toMatchObject({ code: 'validation/invalid-input', message: expect.stringMatching(/^key: /) });
    expect(await h.sql(`select 1 from environments.variables where environment_id = $1 or key = '1-BAD'`, [unknown])).toHaveLength(0);
  });

  it('refuses a value holding NUL or another control character, naming the key, and stores nothing', async () => {
    await h.bus.request(setVariable, { environmentId: production.id, key: 'SIGNING_KEY', value: 'before', sensitive: true });
    const before = await list(production.id);
    for (const [key, value, sensitive] of [
      ['SIGNING_KEY', 'after\u0000injected', true],
      ['NEW_PLAIN', 'bell\u0007', false],
      ['NEW_SECRET', '\u001b]0;title\u0007', true],
    ] as const) {
      const r = await h.bus.request(setVariable, { environmentId: production.id, key, value, sensitive });
      // NUL is refused where any command enters, before the variable's own check
      if (value.includes('\u0000')) expect(!r.ok && r.error).toMatchObject({ code: 'validation/invalid-input', message: expect.stringMatching(/^value: contains a NUL/) });
      else expect(!r.ok && r.error).toMatchObject({ code: 'variable/invalid-value', message: expect.stringMatching(new RegExp(`^value: ${key} may not hold`)) });
    }
    expect(await list(production.id)).toEqual(before);
    expect(await h.sql(`select 1 from environments.variables where key in ('NEW_PLAIN', 'NEW_SECRET')`)).toHaveLength(0);
  });

  it('keeps the variables of each environment apart', async () => {
    const other = await h.project('vars-other');
    await h.bus.request(setVariable, { environmentId: other.production.id, key: 'ONLY_HERE', value: 'x', sensitive: false });
    expect((await list(production.id)).map((v) => v.key)).not.toContain('ONLY_HERE');
    expect((await list(other.production.id)).map((v) => v.key)).toEqual(['ONLY_HERE']);
  });
});

describe('resolving variables for the builder', () => {
  let h: EnvironmentManagerHarness;
  let production: Environment;

  beforeAll(async () => {
    h = await EnvironmentManagerHarness.start();
    ({ production } = await h.project('resolve'));
    await h.bus.request(setVariable, { environmentId: production.id, key: 'API_TOKEN', value: SECRET, sensitive: true });
    await h.bus.request(setVariable, { environmentId: production.id, key: 'MULTI', value: 'line one\nline two', sensitive: true });
    await h.bus.request(setVariable, { environmentId: production.id, key: 'PUBLIC_URL', value: 'https://shop.example', sensitive: false });
  });
  afterAll(async () => {
    await h?.stop();
  });

  const fromEnvironment = { target: 'both', level: 'environment', updatedAt: expect.any(String) };

  it('hands the plaintext to a deployment of this environment that is still running', async () => {
    for (const status of ['queued', 'initializing', 'building', 'deploying'] as const) {
      const d = h.orchestrator.add(production.id, status);
      const r = await h.bus.request(resolveVariables, { environmentId: production.id, deploymentId: d.id });
      expect(r).toEqual({
        ok: true,
        data: {
          items: [
            { key: 'API_TOKEN', value: SECRET, sensitive: true, ...fromEnvironment },
            { key: 'MULTI', value: 'line one\nline two', sensitive: true, ...fromEnvironment },
            { key: 'PUBLIC_URL', value: 'https://shop.example', sensitive: false, ...fromEnvironment },
          ],
        },
      });
      expect(h.orchestrator.asked).toContain(d.id);
    }
  });

  it('refuses a deployment of another environment', async () => {
    const other = await h.project('resolve-other');
    const d = h.orchestrator.add(other.production.id, 'building');
    const r = await h.bus.request(resolveVariables, { environmentId: production.id, deploymentId: d.id });
    expect(r).toEqual({ ok: false, error: expect.objectContaining({ code: 'deployment/insufficient-permissions' }) });
    expect(JSON.stringify(r)).not.toContain(SECRET);
  });

  it.each(['succeeded', 'failed', 'canceled', 'timeout'] as const)('refuses a deployment that has %s', async (status) => {
    const d = h.orchestrator.add(production.id, status);
    const r = await h.bus.request(resolveVariables, { environmentId: production.id, deploymentId: d.id });
    expect(!r.ok && r.error.code).toBe('deployment/insufficient-permissions');
    expect(!r.ok && r.error.message).toContain(status);
  });

  it('refuses a deployment the orchestrator does not know, and an unknown environment', async () => {
    const r = await h.bus.request(resolveVariables, { environmentId: production.id, deploymentId: randomUUID() });
    expect(!r.ok && r.error.code).toBe('deployment/not-found');
    const d = h.orchestrator.add(production.id, 'building');
    const env = await h.bus.request(resolveVariables, { environmentId: randomUUID(), deploymentId: d.id });
    expect(!env.ok && env.error.code).toBe('deployment/environment-not-found');
  });

  it('reports the orchestrator being unreachable as service/unavailable, so the builder can retry', async () => {
    h.orchestrator.stop();
    try {
      const d = h.orchestrator.add(production.id, 'building');
      const r = await h.bus.request(resolveVariables, { environmentId: production.id, deploymentId: d.id }, { timeoutMs: 10_000 });
      expect(!r.ok && r.error.code).toBe('service/unavailable');
    } finally {
      h.orchestrator.start();
    }
  });

  it('refuses to hand out a ciphertext moved to another key', async () => {
    await h.bus.request(setVariable, { environmentId: production.id, key: 'STOLEN', value: 'x', sensitive: false });
    await h.sql(
      `update environments.variables s set sensitive = true, value_plain = null, ciphertext = t.ciphertext, iv = t.iv, auth_tag = t.auth_tag
       from environments.variables t
       where s.environment_id = $1 and s.key = 'STOLEN' and t.environment_id = $1 and t.key = 'API_TOKEN'`,
      [production.id],
    );
    const d = h.orchestrator.add(production.id, 'building');
    const r = await h.bus.request(resolveVariables, { environmentId: production.id, deploymentId: d.id });
    expect(!r.ok && r.error).toMatchObject({ code: 'secret/undecryptable', message: expect.stringContaining('STOLEN') });
    expect(JSON.stringify(r)).not.toContain(SECRET);
    await h.sql(`delete from environments.variables where environment_id = $1 and key = 'STOLEN'`, [production.id]);
  });
});
