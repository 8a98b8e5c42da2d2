import { randomBytes, randomUUID } from 'node:crypto';
import {
  ErrorCode,
  deleteProject,
  getWebhookSettings,
  matchWebhookProjects,
  resolveVariables,
  rotateSecretKey,
  rotateWebhookSecret,
  setGithubToken,
  updateProject,
  setVariable,
} from '@flightdeck/contracts';
import { EnvironmentManagerHarness } from './support/environment-manager-harness';

jest.setTimeout(180_000);

const OLD = randomBytes(32).toString('base64');
const NEW = randomBytes(32).toString('base64');

// A project's git webhook secret (issue 16 item 3) on the real environment-manager: generated,
// shown once, sealed at rest like a sensitive variable (and re-sealed by key rotation), found by
// any spelling of the project's repository; and a fork's pull request resolves no sensitive value.
describe('webhook secrets', () => {
  let h: EnvironmentManagerHarness;

  beforeAll(async () => {
    h = await EnvironmentManagerHarness.start({ FLIGHTDECK_SECRET_KEY: OLD });
  });
  afterAll(async () => {
    await h?.stop();
  });

  const rotate = async (projectId: string) => {
    const r = await h.bus.request(rotateWebhookSecret, { projectId });
    if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
    return r.data;
  };
  const match = async (...repositoryUrls: string[]) => {
    const r = await h.bus.request(matchWebhookProjects, { repositoryUrls });
    if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
    return r.data.items.map((i) => ({ name: i.project.name, secret: i.secret }));
  };

  it('generates a secret shown once; the settings say only that there is one; the table holds no plaintext', async () => {
    const { project } = await h.project('hooked', 'https://github.com/Acme/Shop.git');
    expect(await h.bus.request(getWebhookSettings, { projectId: project.id })).toEqual({
      ok: true,
      data: { projectId: project.id, configured: false, updatedAt: null, githubToken: false },
    });
    const created = await rotate(project.id);
    expect(created.secret).toMatch(/^[0-9a-f]{64}$/);
    const settings = await h.bus.request(getWebhookSettings, { projectId: project.id });
    expect(settings).toEqual({ ok: true, data: { projectId: project.id, configured: true, updatedAt: created.updatedAt, githubToken: false } });
    expect(JSON.stringify(settings)).not.toContain(created.secret);
    const rows = await h.sql<Record<string, unknown>>(`select * from environments.project_webhook_secrets where project_id = $1`, [project.id]);
    expect(rows).toHaveLength(1);
    const stored = JSON.stringify(rows, (_k, v) => (v?.type === 'Buffer' ? Buffer.from(v.data).toString('latin1') : v));
    expect(stored).not.toContain(created.secret);
    expect(stored).not.toContain(Buffer.from(created.secret, 'hex').toString('latin1'));
  });

  it("finds the project by any spelling of its repository, with the current secret; rotation replaces it", async () => {
    const { project } = await h.project('spelled', 'https://github.com/Acme/spelled.git');
    await h.project('no-secret', 'https://github.com/acme/spelled');
    const first = await rotate(project.id);
    expect(await match('https://github.com/ACME/spelled.git', 'https://github.com/acme/spelled')).toEqual([{ name: 'spelled', secret: first.secret }]);
    expect(await match('git@github.com:acme/spelled.git')).toEqual([{ name: 'spelled', secret: first.secret }]);
    expect(await match('ssh://git@github.com/acme/spelled')).toEqual([{ name: 'spelled', secret: first.secret }]);
    const second = await rotate(project.id);
    expect(second.secret).not.toBe(first.secret);
    expect(await match('https://github.com/acme/spelled')).toEqual([{ name: 'spelled', secret: second.secret }]);
    expect(await match('https://github.com/acme/other')).toEqual([]);
  });

  it('a project whose repository changes is found by its new repository only', async () => {
    const { project } = await h.project('moved', 'https://github.com/acme/before.git');
    const { secret } = await rotate(project.id);
    expect(await match('https://github.com/acme/before')).toEqual([{ name: 'moved', secret }]);
    const moved = await h.bus.request(updateProject, { projectId: project.id, repositoryUrl: 'https://github.com/Acme/After.git' });
    expect(moved).toMatchObject({ ok: true });
    expect(await match('https://github.com/acme/before')).toEqual([]);
    expect(await match('https://github.com/acme/after')).toEqual([{ name: 'moved', secret }]);
  });

  it('a GitHub token is sealed beside the secret, given with the match, and removed by null', async () => {
    const { project } = await h.project('reported', 'https://github.com/acme/reported');
    const { secret } = await rotate(project.id);
    const token = 'github_pat_11AAAA_reportedtoken0123456789';
    const set = await h.bus.request(setGithubToken, { projectId: project.id, token });
    expect(set.ok && set.data.githubToken).toBe(true);
    expect(JSON.stringify(set)).not.toContain(token);
    const r = await h.bus.request(matchWebhookProjects, { repositoryUrls: ['https://github.com/acme/reported'] });
    expect(r.ok && r.data.items.map((i) => [i.secret, i.githubToken])).toEqual([[secret, token]]);
    const stored = await h.sql<{ n: number }>(
      `select count(*)::int as n from environments.project_webhook_secrets where project_id = $1 and key = 'github-token' and position($2::bytea in ciphertext) = 0`,
      [project.id, Buffer.from(token)],
    );
    expect(stored[0].n).toBe(1);
    const cleared = await h.bus.request(setGithubToken, { projectId: project.id, token: null });
    expect(cleared.ok && cleared.data.githubToken).toBe(false);
    expect(await match('https://github.com/acme/reported')).toEqual([{ name: 'reported', secret }]);
  });

  it('a deleted project is not found any more; an unknown project is project/not-found', async () => {
    const { project } = await h.project('gone', 'https://github.com/acme/gone');
    await rotate(project.id);
    expect(await match('https://github.com/acme/gone')).toHaveLength(1);
    expect((await h.bus.request(deleteProject, { projectId: project.id })).ok).toBe(true);
    expect(await match('https://github.com/acme/gone')).toEqual([]);
    const unknown = await h.bus.request(rotateWebhookSecret, { projectId: randomUUID() });
    expect(unknown.ok || unknown.error.code).toBe(ErrorCode.ProjectNotFound);
  });

  it('key rotation re-seals the webhook secret under the new key; it still matches', async () => {
    const { project } = await h.project('rotated', 'https://github.com/acme/rotated');
    const { secret } = await rotate(project.id);
    await h.restart({ FLIGHTDECK_SECRET_KEY: NEW, FLIGHTDECK_PREVIOUS_SECRET_KEYS: OLD });
    const rotation = await h.bus.request(rotateSecretKey, {});
    expect(rotation.ok).toBe(true);
    const [row] = await h.sql<{ n: number }>(
      `select count(*)::int as n from environments.project_webhook_secrets where key_id is distinct from (select key_id from environments.project_webhook_secrets where project_id = $1)`,
      [project.id],
    );
    expect(row.n).toBe(0);
    await h.restart({ FLIGHTDECK_SECRET_KEY: NEW });
    expect(await match('https://github.com/acme/rotated')).toEqual([{ name: 'rotated', secret }]);
  });

  it("a fork's pull request deployment resolves the plain variables and no sensitive one", async () => {
    const { production } = await h.project('forked', 'https://github.com/acme/forked');
    await h.bus.request(setVariable, { environmentId: production.id, key: 'API_URL', value: 'https://api.example', sensitive: false });
    await h.bus.request(setVariable, { environmentId: production.id, key: 'STRIPE_KEY', value: 'sk_live_secret', sensitive: true });
    const resolve = async (metadata: Record<string, unknown>) => {
      const d = h.orchestrator.add(production.id, 'building');
      h.orchestrator.deployments.set(d.id, { ...d, metadata });
      const r = await h.bus.request(resolveVariables, { environmentId: production.id, deploymentId: d.id });
      if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
      return Object.fromEntries(r.data.items.map((v) => [v.key, v.value]));
    };
    expect(await resolve({})).toEqual({ API_URL: 'https://api.example', STRIPE_KEY: 'sk_live_secret' });
    expect(await resolve({ withholdSensitive: true })).toEqual({ API_URL: 'https://api.example' });
  });
});
