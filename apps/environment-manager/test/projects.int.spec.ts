import { randomUUID } from 'node:crypto';
import { createProject, getEnvironment, getProject, listEnvironments, listProjects } from '@flightdeck/contracts';
import { EnvironmentManagerHarness } from './support/environment-manager-harness';

jest.setTimeout(120_000);

describe('projects and environments', () => {
  let h: EnvironmentManagerHarness;

  beforeAll(async () => {
    h = await EnvironmentManagerHarness.start();
  });
  afterAll(async () => {
    await h?.stop();
  });

  const count = async (table: string, where = 'true', params: unknown[] = []) =>
    Number((await h.sql<{ n: string }>(`select count(*) as n from environments.${table} where ${where}`, params))[0].n);

  it('creates a project with its production environment, the default', async () => {
    const r = await h.bus.request(createProject, { name: 'shop', repositoryUrl: 'https://github.com/acme/shop.git' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.data).toMatchObject({ name: 'shop', repositoryUrl: 'https://github.com/acme/shop.git', defaultBranch: 'main' });

    const envs = await h.bus.request(listEnvironments, { projectId: r.data.id });
    expect(envs.ok && envs.data.items).toEqual([
      {
        id: expect.any(String),
        projectId: r.data.id,
        name: 'production',
        type: 'production',
        isDefault: true,
        limits: {},
        concurrencyPolicy: 'reject',
        buildSettings: {},
        branch: null,
        autoDeploy: true,
        allowedRefs: [],
        createdAt: expect.any(String),
      },
    ]);
    const got = await h.bus.request(getProject, { projectId: r.data.id });
    expect(got).toEqual({ ok: true, data: r.data });
  });

  it('keeps the default branch given, and accepts file URLs and absolute paths', async () => {
    const a = await h.bus.request(createProject, { name: 'docs', repositoryUrl: 'file:///srv/git/docs.git', defaultBranch: 'release/2' });
    expect(a.ok && a.data).toMatchObject({ repositoryUrl: 'file:///srv/git/docs.git', defaultBranch: 'release/2' });
    const b = await h.bus.request(createProject, { name: 'blog', repositoryUrl: '/home/ada/blog' });
    expect(b.ok && b.data.repositoryUrl).toBe('/home/ada/blog');
  });

  it('refuses a second project with the same name and leaves the first untouched', async () => {
    const { project } = await h.project('taken');
    const again = await h.bus.request(createProject, { name: 'taken', repositoryUrl: 'https://example.com/other.git' });
    expect(again).toEqual({ ok: false, error: expect.objectContaining({ code: 'project/name-taken' }) });
    expect(!again.ok && again.error.message).toContain('taken');
    expect(await count('projects', 'name = $1', ['taken'])).toBe(1);
    expect(await count('environments', 'project_id = $1', [project.id])).toBe(1);
    const kept = await h.bus.request(getProject, { projectId: project.id });
    expect(kept.ok && kept.data.repositoryUrl).toBe('/srv/git/taken.git');
  });

  it('gives one of many concurrent creations of one name the project and the others name-taken', async () => {
    const replies = await Promise.all(
      Array.from({ length: 5 }, () => h.bus.request(createProject, { name: 'race', repositoryUrl: '/srv/git/race.git' })),
    );
    expect(replies.filter((r) => r.ok)).toHaveLength(1);
    expect(replies.filter((r) => !r.ok).map((r) => !r.ok && r.error.code)).toEqual(Array(4).fill('project/name-taken'));
    expect(await count('environments e join environments.projects p on p.id = e.project_id', 'p.name = $1', ['race'])).toBe(1);
  });

  it.each([
    ['a relative path', 'shop'],
    ['an ssh URL', 'git@github.com:acme/shop.git'],
    ['an http URL', 'http://example.com/shop.git'],
    ['a URL with credentials', 'https://ada:token@github.com/acme/shop.git'],
    ['a remote file URL', 'file://server/srv/shop.git'],
  ])('refuses %s as repositoryUrl, naming the field, and writes nothing', async (_what, repositoryUrl) => {
    const before = await count('projects');
    const r = await h.bus.request(createProject, { name: 'bad-url', repositoryUrl });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('validation/invalid-input');
    expect(r.error.message).toMatch(/^repositoryUrl: /);
    expect(r.error.details).toEqual({ fields: [{ path: 'repositoryUrl', message: expect.any(String) }] });
    expect(await count('projects')).toBe(before);
    expect(await count('projects', 'name = $1', ['bad-url'])).toBe(0);
  });

  it('refuses a default branch git could read as an option', async () => {
    const r = await h.bus.request(createProject, { name: 'opt', repositoryUrl: '/srv/git/opt.git', defaultBranch: '--upload-pack=evil' });
    expect(!r.ok && r.error).toMatchObject({ code: 'validation/invalid-input', message: expect.stringMatching(/^defaultBranch: /) });
    expect(await count('projects', 'name = $1', ['opt'])).toBe(0);
  });

  it('refuses a name that is not a URL-safe slug, or unknown fields', async () => {
    const upper = await h.bus.request(createProject, { name: 'My Shop', repositoryUrl: '/srv/x' });
    expect(!upper.ok && upper.error).toMatchObject({ code: 'validation/invalid-input', message: expect.stringMatching(/^name: /) });
    const extra = await h.bus.request(createProject, { name: 'extra', repositoryUrl: '/srv/x', owner: 'ada' } as never);
    expect(!extra.ok && extra.error.code).toBe('validation/invalid-input');
    expect(await count('projects', 'name in ($1, $2)', ['my shop', 'extra'])).toBe(0);
  });

  it('lists every project by name', async () => {
    await h.project('zeta');
    await h.project('alpha');
    const r = await h.bus.request(listProjects, {});
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const names = r.data.items.map((p) => p.name);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(['alpha', 'zeta', 'shop']));
  });

  it('answers an environment with its project', async () => {
    const { project, production } = await h.project('env-get');
    const r = await h.bus.request(getEnvironment, { environmentId: production.id });
    expect(r).toEqual({ ok: true, data: { ...production, project } });
  });

  it('names unknown projects and environments', async () => {
    const p = await h.bus.request(getProject, { projectId: randomUUID() });
    expect(!p.ok && p.error.code).toBe('project/not-found');
    const envs = await h.bus.request(listEnvironments, { projectId: randomUUID() });
    expect(!envs.ok && envs.error.code).toBe('project/not-found');
    const env = await h.bus.request(getEnvironment, { environmentId: randomUUID() });
    expect(!env.ok && env.error.code).toBe('deployment/environment-not-found');
    const malformed = await h.bus.request(getProject, { projectId: 'not-a-uuid' });
    expect(!malformed.ok && malformed.error).toMatchObject({ code: 'validation/invalid-input', message: expect.stringMatching(/projectId/) });
  });
});
