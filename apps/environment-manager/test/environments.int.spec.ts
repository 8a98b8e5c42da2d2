import { randomUUID } from 'node:crypto';
import {
  type CreateEnvironmentBody,
  type Environment,
  Streams,
  createEnvironment,
  deleteEnvironment,
  getEnvironment,
  getProjectEnvironment,
  listEnvironmentDomains,
  listEnvironments,
  listVariables,
  restoreEnvironment,
  setEnvironmentLimits,
  setVariable,
  updateEnvironment,
} from '@flightdeck/contracts';
import { eventually } from '@flightdeck/testing';
import { EnvironmentManagerHarness } from './support/environment-manager-harness';

jest.setTimeout(120_000);

describe('environments', () => {
  let h: EnvironmentManagerHarness;

  beforeAll(async () => {
    h = await EnvironmentManagerHarness.start();
  });
  afterAll(async () => {
    await h?.stop();
  });

  const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

  const create = async (projectId: string, body: CreateEnvironmentBody): Promise<Environment> => {
    const r = await h.bus.request(createEnvironment, { projectId, ...body });
    if (!r.ok) throw new Error(`create environment failed: ${r.error.code} ${r.error.message}`);
    return r.data;
  };

  const live = async (projectId: string) => {
    const r = await h.bus.request(listEnvironments, { projectId });
    if (!r.ok) throw new Error(`list failed: ${r.error.code}`);
    return r.data.items.map((e) => `${e.name}${e.isDefault ? '*' : ''}`);
  };

  const rows = (projectId: string) =>
    h.sql<{ name: string; type: string; is_default: boolean; deleted: boolean }>(
      `select name, type, is_default, deleted_at is not null as deleted from environments.environments
       where project_id = $1 order by created_at, name`,
      [projectId],
    );

  const storedEvent = (kind: 'deleted' | 'restored', environmentId: string) =>
    eventually(`environments.evt.${kind}.${environmentId} in ${Streams.environmentEvents.name}`, async () => {
      const jsm = await h.nc.jetstreamManager();
      const msg = await jsm.streams.getMessage(Streams.environmentEvents.name, { last_by_subj: `environments.evt.${kind}.${environmentId}` });
      return msg.json<{ type: string; data: { environment: Environment; project: { id: string; name: string } } }>();
    });

  describe('create', () => {
    it('adds a staging environment beside production, the default listed first', async () => {
      const { project } = await h.project('env-create');
      const staging = await create(project.id, { name: 'staging', type: 'staging' });
      expect(staging).toEqual({
        id: expect.any(String),
        projectId: project.id,
        name: 'staging',
        type: 'staging',
        isDefault: false,
        limits: {},
        concurrencyPolicy: 'reject',
        buildSettings: {},
        branch: null,
        autoDeploy: true,
        allowedRefs: [],
        createdAt: expect.any(String),
      });
      expect(await live(project.id)).toEqual(['production*', 'staging']);
      expect(await h.bus.request(getProjectEnvironment, { projectId: project.id, environmentId: staging.id })).toEqual({ ok: true, data: staging });
      const byId = await h.bus.request(getEnvironment, { environmentId: staging.id });
      expect(byId.ok && byId.data.project.id).toBe(project.id);
    });

    it('moves the default to a new environment created as default, in the same transaction', async () => {
      const { project } = await h.project('env-create-default');
      const main = await create(project.id, { name: 'main', type: 'production', isDefault: true });
      expect(main.isDefault).toBe(true);
      expect(await live(project.id)).toEqual(['main*', 'production']);
      expect((await rows(project.id)).filter((r) => r.is_default).map((r) => r.name)).toEqual(['main']);
    });

    it('refuses a name another environment of the project has; another project may use it', async () => {
      const a = await h.project('env-dup-a');
      const b = await h.project('env-dup-b');
      await create(a.project.id, { name: 'staging', type: 'staging' });
      const again = await h.bus.request(createEnvironment, { projectId: a.project.id, name: 'staging', type: 'preview' });
      expect(again).toEqual({ ok: false, error: { code: 'environment/name-taken', message: expect.stringContaining('staging'), details: { field: 'name' } } });
      const production = await h.bus.request(createEnvironment, { projectId: a.project.id, name: 'production', type: 'production', isDefault: true });
      expect(!production.ok && production.error.code).toBe('environment/name-taken');
      expect(await rows(a.project.id)).toEqual([
        { name: 'production', type: 'production', is_default: true, deleted: false },
        { name: 'staging', type: 'staging', is_default: false, deleted: false },
      ]);
      await create(b.project.id, { name: 'staging', type: 'staging' });
    });

    it('gives one of many concurrent creations of one name the environment and the others name-taken', async () => {
      const { project } = await h.project('env-race');
      const replies = await Promise.all(
        Array.from({ length: 5 }, () => h.bus.request(createEnvironment, { projectId: project.id, name: 'qa', type: 'preview' })),
      );
      expect(replies.filter((r) => r.ok)).toHaveLength(1);
      expect(replies.filter((r) => !r.ok).map((r) => !r.ok && r.error.code)).toEqual(Array(4).fill('environment/name-taken'));
    });

    it.each([
      ['an upper-case name', { name: 'Staging', type: 'staging' }, /^name: /],
      ['a name with a dot', { name: 'stag.ing', type: 'staging' }, /^name: /],
      ['a name ending in a hyphen', { name: 'staging-', type: 'staging' }, /^name: /],
      ['a name longer than 40', { name: 'a'.repeat(41), type: 'staging' }, /^name: /],
      ['an unknown type', { name: 'qa', type: 'testing' }, /^type: /],
      ['no type', { name: 'qa' }, /^type: /],
      ['an unknown field', { name: 'qa', type: 'preview', branch: 'main' }, /'branch'/],
    ])('refuses %s, naming the field, and writes nothing', async (_what, body, message) => {
      const { project } = await h.project(unique('env-bad'));
      const r = await h.bus.request(createEnvironment, { projectId: project.id, ...(body as CreateEnvironmentBody) });
      expect(!r.ok && r.error.code).toBe('validation/invalid-input');
      expect(!r.ok && r.error.message).toMatch(message);
      expect(await rows(project.id)).toHaveLength(1);
    });

    it('answers project/not-found for an unknown project', async () => {
      const r = await h.bus.request(createEnvironment, { projectId: randomUUID(), name: 'staging', type: 'staging' });
      expect(!r.ok && r.error.code).toBe('project/not-found');
    });
  });

  describe('update', () => {
    it('renames and retypes, keeping what the patch leaves out', async () => {
      const { project } = await h.project('env-update');
      const staging = await create(project.id, { name: 'staging', type: 'staging' });
      const r = await h.bus.request(updateEnvironment, { projectId: project.id, environmentId: staging.id, name: 'qa', type: 'preview' });
      expect(r).toEqual({ ok: true, data: { ...staging, name: 'qa', type: 'preview' } });
      const empty = await h.bus.request(updateEnvironment, { projectId: project.id, environmentId: staging.id });
      expect(empty).toEqual({ ok: true, data: { ...staging, name: 'qa', type: 'preview' } });
      expect(await live(project.id)).toEqual(['production*', 'qa']);
    });

    it('sets the branch whose pushes deploy it and whether they do; null gives the branch back to the default; a bad branch changes nothing', async () => {
      const { project } = await h.project('env-push');
      const staging = await create(project.id, { name: 'staging', type: 'staging' });
      const set = await h.bus.request(updateEnvironment, { projectId: project.id, environmentId: staging.id, branch: 'release/2', autoDeploy: false });
      expect(set).toEqual({ ok: true, data: { ...staging, branch: 'release/2', autoDeploy: false } });
      for (const branch of ['--upload-pack=evil', 'a..b', '/abs', 'x y']) {
        const bad = await h.bus.request(updateEnvironment, { projectId: project.id, environmentId: staging.id, branch, autoDeploy: true });
        expect(!bad.ok && bad.error).toMatchObject({ code: 'validation/invalid-input', message: expect.stringMatching(/^branch: /) });
      }
      expect(await h.bus.request(getProjectEnvironment, { projectId: project.id, environmentId: staging.id })).toEqual(set);
      const reset = await h.bus.request(updateEnvironment, { projectId: project.id, environmentId: staging.id, branch: null });
      expect(reset.ok && reset.data).toMatchObject({ branch: null, autoDeploy: false });
    });

    it('sets the refs triggers may deploy from; [] or null allows any again; a bad pattern changes nothing', async () => {
      const { project } = await h.project('env-allowed-refs');
      const staging = await create(project.id, { name: 'staging', type: 'staging' });
      const set = await h.bus.request(updateEnvironment, { projectId: project.id, environmentId: staging.id, allowedRefs: ['main', 'v*', 'main'] });
      expect(set).toEqual({ ok: true, data: { ...staging, allowedRefs: ['main', 'v*'] } });
      for (const allowedRefs of [['-x'], ['a b'], [''], Array.from({ length: 51 }, (_, i) => `b${i}`)]) {
        const bad = await h.bus.request(updateEnvironment, { projectId: project.id, environmentId: staging.id, allowedRefs });
        expect(!bad.ok && bad.error).toMatchObject({ code: 'validation/invalid-input', message: expect.stringMatching(/^allowedRefs/) });
      }
      expect(await h.bus.request(getProjectEnvironment, { projectId: project.id, environmentId: staging.id })).toEqual(set);
      const cleared = await h.bus.request(updateEnvironment, { projectId: project.id, environmentId: staging.id, allowedRefs: [] });
      expect(cleared.ok && cleared.data.allowedRefs).toEqual([]);
      await h.bus.request(updateEnvironment, { projectId: project.id, environmentId: staging.id, allowedRefs: ['release/**'] });
      const nulled = await h.bus.request(updateEnvironment, { projectId: project.id, environmentId: staging.id, allowedRefs: null });
      expect(nulled.ok && nulled.data.allowedRefs).toEqual([]);
    });

    it('sets protection rules; a malformed cron or time zone is refused with environment/invalid-protection and changes nothing', async () => {
      const { project } = await h.project('env-protection');
      const staging = await create(project.id, { name: 'staging', type: 'staging' });
      const protection = {
        requiredApprovals: { count: 2, minRole: 'admin' as const, forbidAuthor: true, expiresAfterHours: 24 },
        waitTimerMinutes: 5,
        freezeWindows: [{ kind: 'deny' as const, schedule: '0 18 * * 5', timeZone: 'Europe/Paris', durationMinutes: 3780 }],
        freezeBehaviour: 'refuse' as const,
      };
      const set = await h.bus.request(updateEnvironment, { projectId: project.id, environmentId: staging.id, protection });
      expect(set.ok && set.data.protection).toEqual(protection);
      const badCron = await h.bus.request(updateEnvironment, {
        projectId: project.id,
        environmentId: staging.id,
        protection: { freezeWindows: [{ kind: 'deny', schedule: '61 * * * *', timeZone: 'UTC', durationMinutes: 10 }], freezeBehaviour: 'wait' },
      });
      expect(!badCron.ok && badCron.error).toMatchObject({ code: 'environment/invalid-protection', details: { field: 'protection.freezeWindows.0.schedule' } });
      const badZone = await h.bus.request(updateEnvironment, {
        projectId: project.id,
        environmentId: staging.id,
        protection: { freezeWindows: [{ kind: 'allow', schedule: '0 9 * * 1-5', timeZone: 'Mars/Olympus', durationMinutes: 480 }], freezeBehaviour: 'wait' },
      });
      expect(!badZone.ok && badZone.error).toMatchObject({ code: 'environment/invalid-protection', message: "freeze window 1: time zone 'Mars/Olympus' is not known" });
      expect(await h.bus.request(getProjectEnvironment, { projectId: project.id, environmentId: staging.id })).toEqual(set);
      const removed = await h.bus.request(updateEnvironment, { projectId: project.id, environmentId: staging.id, protection: null });
      expect(removed.ok && removed.data.protection).toBeUndefined();
    });

    it('makes an environment the default and un-defaults the previous one', async () => {
      const { project, production } = await h.project('env-move-default');
      const staging = await create(project.id, { name: 'staging', type: 'staging' });
      const r = await h.bus.request(updateEnvironment, { projectId: project.id, environmentId: staging.id, isDefault: true });
      expect(r.ok && r.data.isDefault).toBe(true);
      expect(await live(project.id)).toEqual(['staging*', 'production']);
      const before = await h.bus.request(getEnvironment, { environmentId: production.id });
      expect(before.ok && before.data.isDefault).toBe(false);
    });

    it('keeps exactly one default when two environments are made default at once', async () => {
      const { project } = await h.project('env-default-race');
      const envs = await Promise.all(['a', 'b', 'c'].map((name) => create(project.id, { name, type: 'preview' })));
      const replies = await Promise.all(
        envs.map((e) => h.bus.request(updateEnvironment, { projectId: project.id, environmentId: e.id, isDefault: true })),
      );
      expect(replies.every((r) => r.ok)).toBe(true);
      expect((await rows(project.id)).filter((r) => r.is_default)).toHaveLength(1);
    });

    it("refuses to un-default the project's only default, and changes nothing of the patch", async () => {
      const { project, production } = await h.project('env-undefault');
      const r = await h.bus.request(updateEnvironment, { projectId: project.id, environmentId: production.id, name: 'live', isDefault: false });
      expect(r).toEqual({ ok: false, error: expect.objectContaining({ code: 'environment/default-required', details: { field: 'isDefault' } }) });
      expect(await live(project.id)).toEqual(['production*']);
    });

    it('refuses a rename to a name another environment has, and changes nothing', async () => {
      const { project } = await h.project('env-rename-taken');
      const staging = await create(project.id, { name: 'staging', type: 'staging' });
      const r = await h.bus.request(updateEnvironment, { projectId: project.id, environmentId: staging.id, name: 'production', type: 'preview' });
      expect(!r.ok && r.error).toMatchObject({ code: 'environment/name-taken', details: { field: 'name' } });
      expect(await rows(project.id)).toEqual([
        { name: 'production', type: 'production', is_default: true, deleted: false },
        { name: 'staging', type: 'staging', is_default: false, deleted: false },
      ]);
    });

    it("answers environment-not-found for an unknown environment and another project's", async () => {
      const mine = await h.project('env-update-mine');
      const theirs = await h.project('env-update-theirs');
      for (const environmentId of [randomUUID(), theirs.production.id]) {
        const r = await h.bus.request(updateEnvironment, { projectId: mine.project.id, environmentId, name: 'renamed' });
        expect(!r.ok && r.error.code).toBe('deployment/environment-not-found');
        const got = await h.bus.request(getProjectEnvironment, { projectId: mine.project.id, environmentId });
        expect(!got.ok && got.error.code).toBe('deployment/environment-not-found');
      }
      expect(await live(theirs.project.id)).toEqual(['production*']);
    });

    it('refuses an invalid name or type, naming the field', async () => {
      const { project, production } = await h.project('env-update-bad');
      const name = await h.bus.request(updateEnvironment, { projectId: project.id, environmentId: production.id, name: 'Prod' });
      expect(!name.ok && name.error.message).toMatch(/^name: /);
      const type = await h.bus.request(updateEnvironment, { projectId: project.id, environmentId: production.id, type: 'qa' as never });
      expect(!type.ok && type.error.message).toMatch(/^type: /);
      expect(await live(project.id)).toEqual(['production*']);
    });
  });

  describe('custom domains', () => {
    const domainsOf = async () => {
      const r = await h.bus.request(listEnvironmentDomains, {});
      return r.ok ? r.data.domains : [];
    };

    it('sets an environment\'s domains (normalised), lists them for the edge, and replaces or clears the list', async () => {
      const { project, production } = await h.project('env-domains');
      const a = `${unique('shop')}.example.com`;
      const b = `www.${unique('shop')}.example.com`;
      const set = await h.bus.request(updateEnvironment, { projectId: project.id, environmentId: production.id, domains: [` ${a.toUpperCase()}.`, b] });
      expect(set).toMatchObject({ ok: true, data: { id: production.id, domains: [a, b] } });
      expect(await domainsOf()).toEqual(expect.arrayContaining([
        { domain: a, projectName: project.name, environmentName: 'production' },
        { domain: b, projectName: project.name, environmentName: 'production' },
      ]));
      const replaced = await h.bus.request(updateEnvironment, { projectId: project.id, environmentId: production.id, domains: [b] });
      expect(replaced.ok && replaced.data.domains).toEqual([b]);
      expect((await domainsOf()).map((d) => d.domain)).not.toContain(a);
      const cleared = await h.bus.request(updateEnvironment, { projectId: project.id, environmentId: production.id, domains: null });
      expect(cleared.ok && cleared.data.domains).toBeUndefined();
      expect((await domainsOf()).map((d) => d.domain)).not.toContain(b);
    });

    it('refuses a domain another environment (of any project) serves with environment/domain-taken, changing nothing', async () => {
      const mine = await h.project('env-domain-mine');
      const theirs = await h.project('env-domain-theirs');
      const taken = `${unique('taken')}.example.org`;
      const free = `${unique('free')}.example.org`;
      expect((await h.bus.request(updateEnvironment, { projectId: theirs.project.id, environmentId: theirs.production.id, domains: [taken] })).ok).toBe(true);
      const refused = await h.bus.request(updateEnvironment, {
        projectId: mine.project.id,
        environmentId: mine.production.id,
        name: 'prod',
        domains: [free, taken],
      });
      expect(refused).toEqual({
        ok: false,
        error: { code: 'environment/domain-taken', message: `${taken} is already served by another environment; remove it there first`, details: { field: 'domains' } },
      });
      // nothing of the patch: not the free domain, not the rename
      expect(await live(mine.project.id)).toEqual(['production*']);
      expect((await domainsOf()).map((d) => d.domain)).not.toContain(free);
      // the same environment may set its own domain again
      expect((await h.bus.request(updateEnvironment, { projectId: theirs.project.id, environmentId: theirs.production.id, domains: [taken, free] })).ok).toBe(true);
    });

    it('refuses what is no host name, naming the field; a deleted environment frees its domains', async () => {
      const { project, production } = await h.project('env-domain-bad');
      for (const bad of ['localhost', 'shop.localhost', '10.0.0.1', 'no_underscores.example.com', 'single', 'a..b.com']) {
        const r = await h.bus.request(updateEnvironment, { projectId: project.id, environmentId: production.id, domains: [bad] });
        expect(!r.ok && r.error).toMatchObject({ code: 'validation/invalid-input', message: expect.stringMatching(/^domains\.0: /) });
      }
      const dup = await h.bus.request(updateEnvironment, { projectId: project.id, environmentId: production.id, domains: ['x.example.com', 'X.example.com'] });
      expect(!dup.ok && dup.error.message).toMatch(/^domains: each domain once/);
      const staging = await create(project.id, { name: 'staging', type: 'staging' });
      const domain = `${unique('staging')}.example.net`;
      expect((await h.bus.request(updateEnvironment, { projectId: project.id, environmentId: staging.id, domains: [domain] })).ok).toBe(true);
      expect((await h.bus.request(deleteEnvironment, { projectId: project.id, environmentId: staging.id })).ok).toBe(true);
      expect((await domainsOf()).map((d) => d.domain)).not.toContain(domain);
      expect((await h.bus.request(updateEnvironment, { projectId: project.id, environmentId: production.id, domains: [domain] })).ok).toBe(true);
    });
  });

  describe('soft delete and restore', () => {
    it('takes a deleted environment out of lists and lookups, keeps its row and variables, and publishes the fact', async () => {
      const { project } = await h.project('env-delete');
      const staging = await create(project.id, { name: 'staging', type: 'staging' });
      const set = await h.bus.request(setVariable, { environmentId: staging.id, key: 'API_URL', value: 'https://staging.example.com', sensitive: false });
      expect(set.ok).toBe(true);

      const r = await h.bus.request(deleteEnvironment, { projectId: project.id, environmentId: staging.id });
      expect(r).toEqual({ ok: true, data: { ...staging, deletedAt: expect.any(String) } });

      expect(await live(project.id)).toEqual(['production*']);
      const deleted = await h.bus.request(listEnvironments, { projectId: project.id, deleted: true });
      expect(deleted.ok && deleted.data.items.map((e) => [e.name, !!e.deletedAt])).toEqual([['staging', true]]);
      // what the orchestrator asks at a trigger, and the builder for its limits
      const byId = await h.bus.request(getEnvironment, { environmentId: staging.id });
      expect(!byId.ok && byId.error.code).toBe('deployment/environment-not-found');
      const inProject = await h.bus.request(getProjectEnvironment, { projectId: project.id, environmentId: staging.id });
      expect(!inProject.ok && inProject.error.code).toBe('deployment/environment-not-found');
      const limits = await h.bus.request(setEnvironmentLimits, { projectId: project.id, environmentId: staging.id, limits: {} });
      expect(!limits.ok && limits.error.code).toBe('deployment/environment-not-found');
      const again = await h.bus.request(deleteEnvironment, { projectId: project.id, environmentId: staging.id });
      expect(!again.ok && again.error.code).toBe('deployment/environment-not-found');

      expect(await rows(project.id)).toContainEqual({ name: 'staging', type: 'staging', is_default: false, deleted: true });
      expect(await h.sql('select key from environments.variables where environment_id = $1', [staging.id])).toEqual([{ key: 'API_URL' }]);

      const event = await storedEvent('deleted', staging.id);
      expect(event.type).toBe('environments.evt.deleted.*');
      expect(event.data.environment).toMatchObject({ id: staging.id, name: 'staging', deletedAt: expect.any(String) });
      expect(event.data.project).toMatchObject({ id: project.id, name: 'env-delete' });
    });

    it('refuses to delete the default environment with environment/is-default', async () => {
      const { project, production } = await h.project('env-delete-default');
      await create(project.id, { name: 'staging', type: 'staging' });
      const r = await h.bus.request(deleteEnvironment, { projectId: project.id, environmentId: production.id });
      expect(r).toEqual({ ok: false, error: { code: 'environment/is-default', message: expect.stringContaining('production') } });
      expect(await live(project.id)).toEqual(['production*', 'staging']);
    });

    it("does not delete another project's environment", async () => {
      const mine = await h.project('env-delete-mine');
      const theirs = await h.project('env-delete-theirs');
      const staging = await create(theirs.project.id, { name: 'staging', type: 'staging' });
      const r = await h.bus.request(deleteEnvironment, { projectId: mine.project.id, environmentId: staging.id });
      expect(!r.ok && r.error.code).toBe('deployment/environment-not-found');
      expect(await live(theirs.project.id)).toEqual(['production*', 'staging']);
    });

    it('frees the name: a new environment may take it, and two deleted ones may share it', async () => {
      const { project } = await h.project('env-name-reuse');
      const first = await create(project.id, { name: 'preview', type: 'preview' });
      await h.bus.request(deleteEnvironment, { projectId: project.id, environmentId: first.id });
      const second = await create(project.id, { name: 'preview', type: 'preview' });
      await h.bus.request(deleteEnvironment, { projectId: project.id, environmentId: second.id });
      const third = await create(project.id, { name: 'preview', type: 'development' });
      expect(third.name).toBe('preview');
      expect((await rows(project.id)).filter((r) => r.name === 'preview').map((r) => r.deleted)).toEqual([true, true, false]);
    });

    it('restores a deleted environment with its variables, not as the default, and publishes the fact', async () => {
      const { project } = await h.project('env-restore');
      const staging = await create(project.id, { name: 'staging', type: 'staging' });
      await h.bus.request(setVariable, { environmentId: staging.id, key: 'API_URL', value: 'https://staging.example.com', sensitive: false });
      await h.bus.request(deleteEnvironment, { projectId: project.id, environmentId: staging.id });

      const r = await h.bus.request(restoreEnvironment, { projectId: project.id, environmentId: staging.id });
      expect(r).toEqual({ ok: true, data: staging });
      expect(await live(project.id)).toEqual(['production*', 'staging']);
      const vars = await h.bus.request(listVariables, { environmentId: staging.id });
      expect(vars.ok && vars.data.items.map((v) => v.key)).toEqual(['API_URL']);
      const event = await storedEvent('restored', staging.id);
      expect(event.data.environment).toEqual(staging);

      const again = await h.bus.request(restoreEnvironment, { projectId: project.id, environmentId: staging.id });
      expect(again).toEqual({ ok: true, data: staging });
    });

    it('refuses to restore an environment whose name was taken meanwhile, leaving it deleted', async () => {
      const { project } = await h.project('env-restore-taken');
      const old = await create(project.id, { name: 'staging', type: 'staging' });
      await h.bus.request(deleteEnvironment, { projectId: project.id, environmentId: old.id });
      await create(project.id, { name: 'staging', type: 'preview' });

      const r = await h.bus.request(restoreEnvironment, { projectId: project.id, environmentId: old.id });
      expect(r).toEqual({ ok: false, error: { code: 'environment/name-taken', message: expect.stringMatching(/cannot restore staging/), details: { field: 'name' } } });
      expect(await rows(project.id)).toEqual([
        { name: 'production', type: 'production', is_default: true, deleted: false },
        { name: 'staging', type: 'staging', is_default: false, deleted: true },
        { name: 'staging', type: 'preview', is_default: false, deleted: false },
      ]);
    });

    it("answers environment-not-found for restoring an unknown environment or another project's", async () => {
      const mine = await h.project('env-restore-mine');
      const theirs = await h.project('env-restore-theirs');
      const staging = await create(theirs.project.id, { name: 'staging', type: 'staging' });
      await h.bus.request(deleteEnvironment, { projectId: theirs.project.id, environmentId: staging.id });
      for (const environmentId of [randomUUID(), staging.id]) {
        const r = await h.bus.request(restoreEnvironment, { projectId: mine.project.id, environmentId });
        expect(!r.ok && r.error.code).toBe('deployment/environment-not-found');
      }
      expect(await live(theirs.project.id)).toEqual(['production*']);
    });
  });
});
