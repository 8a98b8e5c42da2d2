import {
  type Environment,
  type Project,
  createEnvironment,
  deleteProjectVariable,
  deleteVariable,
  exportVariables,
  importVariables,
  listProjectVariables,
  listVariables,
  resolveVariables,
  setProjectVariable,
  setVariable,
  validateVariables,
} from '@flightdeck/contracts';
import { EnvironmentManagerHarness } from './support/environment-manager-harness';

jest.setTimeout(120_000);

const SECRET = 'pr0ject-wide/S3cret+value';

describe('project-wide variables', () => {
  let h: EnvironmentManagerHarness;
  let project: Project;
  let production: Environment;
  let staging: Environment;

  beforeAll(async () => {
    h = await EnvironmentManagerHarness.start();
    ({ project, production } = await h.project('shared-vars'));
    const s = await h.bus.request(createEnvironment, { projectId: project.id, name: 'staging', type: 'staging' });
    if (!s.ok) throw new Error(s.error.code);
    staging = s.data;
  });
  afterAll(async () => {
    await h?.stop();
  });

  const resolve = async (environmentId: string) => {
    const d = h.orchestrator.add(environmentId, 'building');
    const r = await h.bus.request(resolveVariables, { environmentId, deploymentId: d.id });
    if (!r.ok) throw new Error(`${r.error.code} ${r.error.message}`);
    return Object.fromEntries(r.data.items.map((v) => [v.key, v]));
  };

  it('every environment inherits them; an environment variable of the same key overrides them there only', async () => {
    for (const [key, value, sensitive] of [
      ['API_URL', 'https://api.shared.example', false],
      ['LOG_FORMAT', 'json', false],
      ['SHARED_TOKEN', SECRET, true],
    ] as const) {
      const r = await h.bus.request(setProjectVariable, { projectId: project.id, key, value, sensitive });
      expect(r.ok).toBe(true);
    }
    await h.bus.request(setVariable, { environmentId: staging.id, key: 'API_URL', value: 'https://api.staging.example', sensitive: false });

    const prod = await resolve(production.id);
    const stag = await resolve(staging.id);
    expect(prod.API_URL).toMatchObject({ value: 'https://api.shared.example', level: 'project' });
    expect(stag.API_URL).toMatchObject({ value: 'https://api.staging.example', level: 'environment' });
    expect(prod.SHARED_TOKEN).toMatchObject({ value: SECRET, sensitive: true, level: 'project' });
    expect(stag.SHARED_TOKEN).toMatchObject({ value: SECRET, sensitive: true, level: 'project' });
    expect(stag.LOG_FORMAT).toMatchObject({ value: 'json', level: 'project' });

    // the project's own list shows its variables masked; the environment's own list does not repeat them
    const listed = await h.bus.request(listProjectVariables, { projectId: project.id });
    expect(listed.ok && listed.data.items).toEqual([
      expect.objectContaining({ key: 'API_URL', value: 'https://api.shared.example', sensitive: false, target: 'both' }),
      expect.objectContaining({ key: 'LOG_FORMAT', value: 'json' }),
      expect.objectContaining({ key: 'SHARED_TOKEN', value: '***', sensitive: true }),
    ]);
    const own = await h.bus.request(listVariables, { environmentId: staging.id });
    expect(own.ok && own.data.items.map((v) => v.key)).toEqual(['API_URL']);
    // the effective list: what the environment runs with, masked, each with the level it comes from
    const effective = await h.bus.request(listVariables, { environmentId: staging.id, effective: true });
    expect(effective.ok && effective.data.items).toEqual([
      expect.objectContaining({ key: 'API_URL', value: 'https://api.staging.example', level: 'environment' }),
      expect.objectContaining({ key: 'LOG_FORMAT', value: 'json', level: 'project' }),
      expect.objectContaining({ key: 'SHARED_TOKEN', value: '***', sensitive: true, level: 'project' }),
    ]);
  });

  it('validation sees the inherited values as set', async () => {
    const r = await h.bus.request(validateVariables, { environmentId: production.id, key: 'API_URL' });
    expect(r.ok && r.data.results).toEqual([expect.objectContaining({ key: 'API_URL', valid: true })]);
  });

  it('a sealed project value is never plaintext in its table, and is bound to its project', async () => {
    const rows = await h.sql<{ t: string }>(`select string_agg(v::text, ' ') as t from environments.project_variables v`);
    for (const form of [SECRET, Buffer.from(SECRET).toString('base64'), Buffer.from(SECRET).toString('hex')]) expect(rows[0].t).not.toContain(form);
    const other = await h.project('shared-vars-other');
    await h.bus.request(setProjectVariable, { projectId: other.project.id, key: 'SHARED_TOKEN', value: 'placeholder', sensitive: true });
    // a ciphertext copied to another project does not open there
    await h.sql(
      `update environments.project_variables s set ciphertext = t.ciphertext, iv = t.iv, auth_tag = t.auth_tag, key_id = t.key_id
         from environments.project_variables t
        where s.project_id = $1 and s.key = 'SHARED_TOKEN' and t.project_id = $2 and t.key = 'SHARED_TOKEN'`,
      [other.project.id, project.id],
    );
    const d = h.orchestrator.add(other.production.id, 'building');
    const r = await h.bus.request(resolveVariables, { environmentId: other.production.id, deploymentId: d.id });
    expect(!r.ok && r.error).toMatchObject({ code: 'secret/undecryptable', message: expect.stringContaining('SHARED_TOKEN') });
    expect(JSON.stringify(r)).not.toContain(SECRET);
  });

  it("puts a trigger's own variables over the environment's and the project's, for that deployment only", async () => {
    await h.bus.request(setVariable, { environmentId: production.id, key: 'GREETING', value: 'hello', sensitive: false });
    const d = h.orchestrator.add(production.id, 'building');
    d.metadata = { triggerVariables: { GREETING: 'bonjour', API_URL: 'https://api.trigger.example', ONLY_NOW: '1' } };
    const r = await h.bus.request(resolveVariables, { environmentId: production.id, deploymentId: d.id });
    if (!r.ok) throw new Error(r.error.message);
    const byKey = Object.fromEntries(r.data.items.map((v) => [v.key, v]));
    expect(byKey.GREETING).toMatchObject({ value: 'bonjour', level: 'trigger', target: 'both', sensitive: false });
    expect(byKey.API_URL).toMatchObject({ value: 'https://api.trigger.example', level: 'trigger' });
    expect(byKey.ONLY_NOW).toMatchObject({ value: '1', level: 'trigger' });
    expect(r.data.items.filter((v) => v.key === 'GREETING')).toHaveLength(1);
    // another deployment of the same environment has its stored values
    const plain = await resolve(production.id);
    expect(plain.GREETING).toMatchObject({ value: 'hello', level: 'environment' });
    expect(plain.ONLY_NOW).toBeUndefined();
  });

  it('hands each variable with its target: build, runtime or both', async () => {
    await h.bus.request(setProjectVariable, { projectId: project.id, key: 'NPM_TOKEN', value: 'npm-secret', sensitive: true, target: 'build' });
    await h.bus.request(setVariable, { environmentId: production.id, key: 'DATABASE_URL', value: 'postgres://db/app', sensitive: true, target: 'runtime' });
    const prod = await resolve(production.id);
    expect(prod.NPM_TOKEN).toMatchObject({ target: 'build', level: 'project' });
    expect(prod.DATABASE_URL).toMatchObject({ target: 'runtime', level: 'environment' });
    expect(prod.API_URL).toMatchObject({ target: 'both' });
  });

  it('deletes a project variable: environments stop inheriting it; an unknown one or project is named', async () => {
    await h.bus.request(setProjectVariable, { projectId: project.id, key: 'GONE', value: 'x', sensitive: false });
    expect(await h.bus.request(deleteProjectVariable, { projectId: project.id, key: 'GONE' })).toEqual({ ok: true, data: { key: 'GONE', deleted: true } });
    expect(await resolve(production.id)).not.toHaveProperty('GONE');
    // deleting an inherited one from an environment says where it lives
    const inherited = await h.bus.request(deleteVariable, { environmentId: production.id, key: 'LOG_FORMAT' });
    expect(!inherited.ok && inherited.error).toMatchObject({ code: 'variable/not-found', message: expect.stringContaining(`inherited from project ${project.id}`) });
    const again = await h.bus.request(deleteProjectVariable, { projectId: project.id, key: 'GONE' });
    expect(!again.ok && again.error.code).toBe('variable/not-found');
    const unknown = await h.bus.request(setProjectVariable, { projectId: production.id, key: 'X', value: 'x', sensitive: false });
    expect(!unknown.ok && unknown.error.code).toBe('project/not-found');
  });
});

describe('.env import and export', () => {
  let h: EnvironmentManagerHarness;
  let project: Project;
  let production: Environment;

  beforeAll(async () => {
    h = await EnvironmentManagerHarness.start();
    ({ project, production } = await h.project('dotenv'));
    await h.bus.request(setVariable, { environmentId: production.id, key: 'KEEP', value: 'same', sensitive: false });
    await h.bus.request(setVariable, { environmentId: production.id, key: 'CHANGE_ME', value: 'old', sensitive: false });
    await h.bus.request(setVariable, { environmentId: production.id, key: 'API_SECRET', value: 'old-secret', sensitive: true, target: 'runtime' });
  });
  afterAll(async () => {
    await h?.stop();
  });

  const own = async () => {
    const r = await h.bus.request(listVariables, { environmentId: production.id });
    if (!r.ok) throw new Error(r.error.code);
    return r.data.items;
  };

  const BODY = [
    '# production settings',
    'KEEP=same',
    'export CHANGE_ME="new value with spaces"',
    'NEW_ONE=added # a comment',
    '',
    'this line has no equals sign',
    '9STARTS_WITH_DIGIT=x',
    "API_SECRET='new-secret'",
    'BELL=ring\u0007',
    'PEM="-----BEGIN KEY-----',
    'abc',
    '-----END KEY-----"',
  ].join('\n');

  it('with a malformed or refused line and no partial import: a report per line, and nothing changes', async () => {
    const before = await own();
    const r = await h.bus.request(importVariables, { scope: { environmentId: production.id }, text: BODY, partial: false });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('variable/import-malformed');
    expect(r.error.details).toMatchObject({
      applied: false,
      added: 2,
      changed: 2,
      unchanged: 1,
      malformed: 2,
      refused: 1,
      lines: [
        { line: 2, key: 'KEEP', outcome: 'unchanged' },
        { line: 3, key: 'CHANGE_ME', outcome: 'changed' },
        { line: 4, key: 'NEW_ONE', outcome: 'added' },
        { line: 6, outcome: 'malformed', message: 'line 6: expected KEY=value' },
        { line: 7, outcome: 'malformed', message: expect.stringContaining('"9STARTS_WITH_DIGIT" is not a variable name') },
        { line: 8, key: 'API_SECRET', outcome: 'changed' },
        { line: 9, key: 'BELL', outcome: 'refused', message: expect.stringContaining('BELL may not hold control characters') },
        { line: 10, key: 'PEM', outcome: 'added' },
      ],
    });
    expect(JSON.stringify(r)).not.toContain('new-secret');
    expect(await own()).toEqual(before);
  });

  it('with partial=true: the readable lines are applied, a secret stays sealed, the target of an existing variable is kept', async () => {
    const r = await h.bus.request(importVariables, { scope: { environmentId: production.id }, text: BODY, partial: true });
    expect(r.ok && r.data).toMatchObject({ applied: true, added: 2, changed: 2, unchanged: 1, malformed: 2, refused: 1 });
    const d = h.orchestrator.add(production.id, 'building');
    const resolved = await h.bus.request(resolveVariables, { environmentId: production.id, deploymentId: d.id });
    const byKey = Object.fromEntries((resolved.ok ? resolved.data.items : []).map((v) => [v.key, v]));
    expect(byKey.CHANGE_ME).toMatchObject({ value: 'new value with spaces', sensitive: false });
    expect(byKey.NEW_ONE).toMatchObject({ value: 'added', target: 'both' });
    expect(byKey.API_SECRET).toMatchObject({ value: 'new-secret', sensitive: true, target: 'runtime' });
    expect(byKey.PEM.value).toBe('-----BEGIN KEY-----\nabc\n-----END KEY-----');
    expect(byKey).not.toHaveProperty('BELL');
    const [row] = await h.sql<{ value_plain: string | null }>(`select value_plain from environments.variables where environment_id = $1 and key = 'API_SECRET'`, [production.id]);
    expect(row.value_plain).toBeNull();
  });

  it('imports into the project level, sealed when asked, with a target for every line', async () => {
    const r = await h.bus.request(importVariables, {
      scope: { projectId: project.id },
      text: 'SENTRY_DSN=https://key@sentry.example/1\nBUILD_FLAG=on\n',
      sensitive: true,
      target: 'build',
    });
    expect(r.ok && r.data.lines).toEqual([
      { line: 1, key: 'SENTRY_DSN', outcome: 'added' },
      { line: 2, key: 'BUILD_FLAG', outcome: 'added' },
    ]);
    const listed = await h.bus.request(listProjectVariables, { projectId: project.id });
    expect(listed.ok && listed.data.items).toEqual([
      expect.objectContaining({ key: 'BUILD_FLAG', value: '***', sensitive: true, target: 'build' }),
      expect.objectContaining({ key: 'SENTRY_DSN', value: '***', sensitive: true, target: 'build' }),
    ]);
  });

  it('exports the non-sensitive variables as .env text that imports back unchanged; sensitive ones by key only', async () => {
    const r = await h.bus.request(exportVariables, { environmentId: production.id });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.data.sensitiveKeys).toEqual(['API_SECRET']);
    expect(r.data.text).toContain('# API_SECRET is sensitive: not exported\n');
    expect(r.data.text).toContain("CHANGE_ME='new value with spaces'\n");
    expect(r.data.text).toContain('PEM="-----BEGIN KEY-----\\nabc\\n-----END KEY-----"\n');
    expect(r.data.text).not.toContain('new-secret');
    const back = await h.bus.request(importVariables, { scope: { environmentId: production.id }, text: r.data.text });
    expect(back.ok && back.data).toMatchObject({ added: 0, changed: 0, refused: 0, malformed: 0, unchanged: r.data.exportedKeys.length });
  });

  it('refuses a body setting more than 1,000 variables, changing nothing', async () => {
    const text = Array.from({ length: 1001 }, (_, i) => `MANY_${i}=x`).join('\n');
    const r = await h.bus.request(importVariables, { scope: { projectId: project.id }, text, partial: true });
    expect(!r.ok && r.error).toMatchObject({ code: 'validation/invalid-input', message: expect.stringContaining('at most 1000') });
    expect(await h.sql(`select 1 from environments.project_variables where key like 'MANY_%'`)).toHaveLength(0);
  });

  it('imports 1,000 variables in one body within the command time', async () => {
    const text = Array.from({ length: 1000 }, (_, i) => `BULK_${i}=value-${i}`).join('\n');
    const started = Date.now();
    const r = await h.bus.request(importVariables, { scope: { projectId: project.id }, text, sensitive: true });
    expect(r.ok && r.data).toMatchObject({ applied: true, added: 1000 });
    expect(Date.now() - started).toBeLessThan(importVariables.timeoutMs);
  });
});
