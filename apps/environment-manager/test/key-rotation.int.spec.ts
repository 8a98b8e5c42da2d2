import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { type Environment, type Project, resolveVariables, rotateSecretKey, setProjectVariable, setVariable } from '@flightdeck/contracts';
import { eventually, postgresBinary, spawnService, waitForReady } from '@flightdeck/testing';
import { variableAad } from '../src/variables/secret-box';
import { SecretKeyring, secretKeyId } from '../src/variables/secret-keyring';
import { EnvironmentManagerHarness } from './support/environment-manager-harness';

jest.setTimeout(180_000);

const OLD = randomBytes(32).toString('base64');
const NEW = randomBytes(32).toString('base64');
const idOf = (key: string) => secretKeyId(Buffer.from(key, 'base64'));
const secretOf = (i: number) => `rotating-S3cret-${i}-${'x'.repeat(i % 7)}`;
const COUNT = 40;

// The acceptance of issue 15 item 3: sealed values carry their key's id; rotation re-seals them
// under the new key in batches while the service answers; an interrupted rotation finishes when
// run again; afterwards the service starts with the new key alone and refuses the old one alone.
describe('secret key rotation', () => {
  let h: EnvironmentManagerHarness;
  let project: Project;
  let production: Environment;

  beforeAll(async () => {
    h = await EnvironmentManagerHarness.start({ FLIGHTDECK_SECRET_KEY: OLD });
    ({ project, production } = await h.project('rotation'));
    for (let i = 0; i < COUNT; i++) {
      await h.bus.request(setVariable, { environmentId: production.id, key: `SECRET_${i}`, value: secretOf(i), sensitive: true });
    }
    await h.bus.request(setVariable, { environmentId: production.id, key: 'PLAIN', value: 'visible', sensitive: false });
    await h.bus.request(setProjectVariable, { projectId: project.id, key: 'SHARED_SECRET', value: secretOf(99), sensitive: true });
  });
  afterAll(async () => {
    await h?.stop();
  });

  const resolveAll = async () => {
    const d = h.orchestrator.add(production.id, 'building');
    const r = await h.bus.request(resolveVariables, { environmentId: production.id, deploymentId: d.id });
    if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
    return Object.fromEntries(r.data.items.map((v) => [v.key, v.value]));
  };
  const expectAllReadable = async () => {
    const values = await resolveAll();
    for (let i = 0; i < COUNT; i++) expect(values[`SECRET_${i}`]).toBe(secretOf(i));
    expect(values.SHARED_SECRET).toBe(secretOf(99));
  };
  const keyIds = async () =>
    (
      await h.sql<{ key_id: string | null; n: number }>(
        `select key_id, count(*)::int as n from (select key_id from environments.variables where sensitive
           union all select key_id from environments.project_variables where sensitive) v group by key_id order by key_id`,
      )
    ).map((r) => [r.key_id, r.n]);

  it('seals every sensitive value with the id of the key, and no dump of the schema holds a plaintext', async () => {
    expect(await keyIds()).toEqual([[idOf(OLD), COUNT + 1]]);
    const dump = spawnSync(postgresBinary('pg_dump'), ['--dbname', h.infra.postgres.url, '--schema', 'environments', '--data-only'], { encoding: 'utf8' });
    expect(dump.status).toBe(0);
    expect(dump.stdout).toContain('visible');
    for (const i of [0, 13, 39, 99]) {
      for (const form of [secretOf(i), Buffer.from(secretOf(i)).toString('base64'), Buffer.from(secretOf(i)).toString('hex')]) {
        expect(dump.stdout).not.toContain(form);
      }
    }
  });

  it('opens values sealed before key ids were recorded', async () => {
    await h.sql(`update environments.variables set key_id = null where key in ('SECRET_0', 'SECRET_1')`);
    await h.restart({ FLIGHTDECK_SECRET_KEY: OLD });
    await expectAllReadable();
  });

  it('with a new key and the old one as previous: an interrupted rotation leaves every value readable, and a re-run finishes it', async () => {
    await h.restart({ FLIGHTDECK_SECRET_KEY: NEW, FLIGHTDECK_PREVIOUS_SECRET_KEYS: OLD });
    await expectAllReadable();

    // one batch of 5, no budget for more: what a pass stopped half-way leaves behind
    const first = await h.bus.request(rotateSecretKey, { batchSize: 5, budgetMs: 0 });
    expect(first.ok && first.data).toEqual({ keyId: idOf(NEW), rotated: 5, remaining: COUNT + 1 - 5, done: false });
    expect(await keyIds()).toEqual(expect.arrayContaining([[idOf(NEW), 5]]));
    await expectAllReadable();
    // a write meanwhile is sealed with the new key
    await h.bus.request(setVariable, { environmentId: production.id, key: 'SECRET_39', value: secretOf(39), sensitive: true });

    // the service restarts mid-rotation; the next pass finishes it
    await h.restart({ FLIGHTDECK_SECRET_KEY: NEW, FLIGHTDECK_PREVIOUS_SECRET_KEYS: OLD });
    const second = await h.bus.request(rotateSecretKey, {});
    expect(second.ok && second.data).toMatchObject({ keyId: idOf(NEW), remaining: 0, done: true });
    expect(await keyIds()).toEqual([[idOf(NEW), COUNT + 1]]);
    await expectAllReadable();

    // and again: nothing to do
    expect(await h.bus.request(rotateSecretKey, {})).toEqual({ ok: true, data: { keyId: idOf(NEW), rotated: 0, remaining: 0, done: true } });
  });

  it('afterwards starts with the new key alone, and every value decrypts under it', async () => {
    await h.restart({ FLIGHTDECK_SECRET_KEY: NEW });
    await expectAllReadable();
  });

  it('refuses to start with the old key alone, in one message naming the settings and no key', async () => {
    await expect(h.restart({ FLIGHTDECK_SECRET_KEY: OLD })).rejects.toThrow(
      new RegExp(`sealed with key ${idOf(NEW)}, which is neither FLIGHTDECK_SECRET_KEY \\(key ${idOf(OLD)}\\) nor in FLIGHTDECK_PREVIOUS_SECRET_KEYS`),
    );
    await h.restart({ FLIGHTDECK_SECRET_KEY: NEW });
  });

  it('the real entry point stops with exit code 1 and that one message, never printing a key', async () => {
    const wrong = randomBytes(32).toString('base64');
    const output: string[] = [];
    const svc = await spawnService('environment-manager', { PATH: process.env.PATH, HOME: process.env.HOME, ...h.infra.envFor('environment-manager', { FLIGHTDECK_SECRET_KEY: wrong }) }, {
      onOutput: (line) => output.push(line),
    });
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([svc.exited, new Promise<'running'>((r) => (timer = setTimeout(() => r('running'), 60_000)))]);
    clearTimeout(timer);
    await svc.stop(1_000);
    const text = output.join('\n');
    expect(code).toBe(1);
    expect(text).toMatch(/^environment-manager: invalid configuration: \d+ stored sensitive value\(s\) are sealed with key [0-9a-f]{16}, which is neither FLIGHTDECK_SECRET_KEY/m);
    for (const key of [wrong, NEW, OLD]) expect(text).not.toContain(key);
  });

  it('a value that no key opens stops the rotation with secret/undecryptable, naming it, and changes nothing else', async () => {
    await h.restart({ FLIGHTDECK_SECRET_KEY: randomBytes(32).toString('base64'), FLIGHTDECK_PREVIOUS_SECRET_KEYS: NEW });
    await h.sql(`update environments.variables set auth_tag = decode(repeat('00', 16), 'hex') where key = 'SECRET_7'`);
    const r = await h.bus.request(rotateSecretKey, { batchSize: 1000 });
    expect(!r.ok && r.error).toMatchObject({ code: 'secret/undecryptable', message: expect.stringContaining('SECRET_7') });
    // the batch that met it was rolled back: everything else is still under NEW
    expect(await keyIds()).toEqual([[idOf(NEW), COUNT + 1]]);
  });
});

// A real environment-manager process killed (SIGKILL) in the middle of a rotation pass: whatever it
// had committed stays, the batch in flight rolls back, every value stays readable, and the next
// pass, on a restarted service, finishes the rotation.
describe('a rotation killed mid-pass', () => {
  const BULK = 3000;
  let h: EnvironmentManagerHarness;
  beforeAll(async () => {
    h = await EnvironmentManagerHarness.start({ FLIGHTDECK_SECRET_KEY: OLD });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('leaves every value readable under the keyring, and a re-run finishes it', async () => {
    const { production } = await h.project('killed-rotation');
    const ring = SecretKeyring.fromBase64(OLD);
    const expected = new Map<string, string>();
    for (let from = 0; from < BULK; from += 500) {
      const params: unknown[] = [];
      const rows: string[] = [];
      for (let i = from; i < from + 500; i++) {
        const key = `BULK_${String(i).padStart(4, '0')}`;
        const value = `bulk-${i}-${randomBytes(8).toString('hex')}`;
        expected.set(key, value);
        const s = ring.seal(value, variableAad(production.id, key));
        const b = params.length;
        params.push(production.id, key, s.ciphertext, s.iv, s.authTag, s.keyId);
        rows.push(`($${b + 1}, $${b + 2}, true, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}, now())`);
      }
      await h.sql(`insert into environments.variables (environment_id, key, sensitive, ciphertext, iv, auth_tag, key_id, updated_at) values ${rows.join(',')}`, params);
    }
    const underNew = async () =>
      (await h.sql<{ n: number }>(`select count(*)::int as n from environments.variables where key_id = $1`, [idOf(NEW)]))[0].n;

    // the in-process service stops; a real process with the new key takes the bus
    await h.app.close();
    let pass: Promise<unknown> | undefined;
    const svc = await spawnService('environment-manager', {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...h.infra.envFor('environment-manager', { FLIGHTDECK_SECRET_KEY: NEW, FLIGHTDECK_PREVIOUS_SECRET_KEYS: OLD }),
    });
    try {
      await waitForReady(svc.port, 60_000, svc.exited);
      // one value per transaction, so that the kill lands mid-pass
      // (its reply never comes: awaited at the end, after its 10 s timeout)
      pass = h.bus.request(rotateSecretKey, { batchSize: 1, budgetMs: 20_000 }, { timeoutMs: 10_000 });
      await eventually('some values re-sealed', async () => (await underNew()) >= 20, { timeoutMs: 30_000, intervalMs: 20 });
      svc.child.kill('SIGKILL');
      await svc.exited;
    } finally {
      await svc.stop(1_000);
    }
    const done = await underNew();
    expect(done).toBeGreaterThanOrEqual(20);
    expect(done).toBeLessThan(BULK);

    await h.restart({ FLIGHTDECK_SECRET_KEY: NEW, FLIGHTDECK_PREVIOUS_SECRET_KEYS: OLD });
    const d = h.orchestrator.add(production.id, 'building');
    const r = await h.bus.request(resolveVariables, { environmentId: production.id, deploymentId: d.id });
    expect(r.ok && r.data.items.length).toBe(BULK);
    if (r.ok) for (const v of r.data.items) expect([v.key, v.value]).toEqual([v.key, expected.get(v.key)]);

    const again = await h.bus.request(rotateSecretKey, {});
    expect(again).toEqual({ ok: true, data: { keyId: idOf(NEW), rotated: BULK - done, remaining: 0, done: true } });
    expect(await underNew()).toBe(BULK);
    expect(await pass).toMatchObject({ ok: false, error: { code: 'service/unavailable' } });
  });
});
