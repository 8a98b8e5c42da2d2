import { randomUUID } from 'node:crypto';
import {
  type Environment,
  Streams,
  createEnvironment,
  createProject,
  deleteEnvironment,
  deleteProject,
  getEnvironment,
  getProject,
  listEnvironments,
  listProjects,
  restoreEnvironment,
  restoreProject,
  setVariable,
  updateProject,
} from '@flightdeck/contracts';
import { eventually } from '@flightdeck/testing';
import { EnvironmentManagerHarness } from './support/environment-manager-harness';

jest.setTimeout(120_000);

describe('project changes and soft delete', () => {
  let h: EnvironmentManagerHarness;

  beforeAll(async () => {
    h = await EnvironmentManagerHarness.start();
  });
  afterAll(async () => {
    await h?.stop();
  });

  const stored = async (projectId: string) =>
    (
      await h.sql<{ name: string; repository_url: string; default_branch: string; deleted: boolean }>(
        'select name, repository_url, default_branch, deleted_at is not null as deleted from environments.projects where id = $1',
        [projectId],
      )
    )[0];

  const environments = (projectId: string) =>
    h.sql<{ name: string; is_default: boolean; deleted: boolean }>(
      'select name, is_default, deleted_at is not null as deleted from environments.environments where project_id = $1 order by name',
      [projectId],
    );

  const environment = async (projectId: string, name: string): Promise<Environment> => {
    const r = await h.bus.request(createEnvironment, { projectId, name, type: 'staging' });
    if (!r.ok) throw new Error(`create environment failed: ${r.error.code}`);
    return r.data;
  };

  const lastEvent = (kind: 'deleted' | 'restored', environmentId: string) =>
    eventually(`environments.evt.${kind}.${environmentId}`, async () => {
      const jsm = await h.nc.jetstreamManager();
      const msg = await jsm.streams.getMessage(Streams.environmentEvents.name, { last_by_subj: `environments.evt.${kind}.${environmentId}` });
      return msg.json<{ data: { environment: Environment } }>().data.environment;
    });

  describe('update', () => {
    beforeAll(async () => {
      await h.project('proj-taken-other');
    });

    it('renames and re-points a project, keeping what the patch leaves out', async () => {
      const { project } = await h.project('proj-update');
      const r = await h.bus.request(updateProject, { projectId: project.id, name: 'proj-renamed', defaultBranch: 'release/1' });
      expect(r).toEqual({ ok: true, data: { ...project, name: 'proj-renamed', defaultBranch: 'release/1', updatedAt: expect.any(String) } });
      expect(r.ok && r.data.updatedAt >= project.updatedAt).toBe(true);
      expect(await h.bus.request(getProject, { projectId: project.id })).toEqual(r);
      const same = await h.bus.request(updateProject, { projectId: project.id });
      expect(same).toEqual(r);
    });

    it('sets a project\'s own trigger rate limit, and null gives it back to the operator\'s default', async () => {
      const { project } = await h.project('proj-rate');
      const set = await h.bus.request(updateProject, { projectId: project.id, triggersPerMinute: 3 });
      expect(set.ok && set.data.triggersPerMinute).toBe(3);
      expect(await h.bus.request(getProject, { projectId: project.id })).toEqual(set);
      const refused = await h.bus.request(updateProject, { projectId: project.id, triggersPerMinute: 0 });
      expect(refused.ok).toBe(false);
      expect(!refused.ok && refused.error.code).toBe('validation/invalid-input');
      expect(await h.bus.request(getProject, { projectId: project.id })).toEqual(set);
      const reset = await h.bus.request(updateProject, { projectId: project.id, triggersPerMinute: null });
      expect(reset.ok && 'triggersPerMinute' in reset.data).toBe(false);
    });

    it.each([
      ['a taken name', { name: 'proj-taken-other' }, 'project/name-taken', /proj-taken-other/],
      ['an invalid name', { name: 'Proj' }, 'validation/invalid-input', /^name: /],
      ['an ssh repository URL', { repositoryUrl: 'git@github.com:acme/shop.git' }, 'validation/invalid-input', /^repositoryUrl: /],
      ['a branch that reads as an option', { defaultBranch: '--upload-pack=evil' }, 'validation/invalid-input', /^defaultBranch: /],
    ])('refuses %s, naming it, and changes nothing', async (_what, patch, code, message) => {
      const { project } = await h.project(`proj-bad-${randomUUID().slice(0, 8)}`);
      const r = await h.bus.request(updateProject, { projectId: project.id, ...patch });
      expect(!r.ok && r.error.code).toBe(code);
      expect(!r.ok && r.error.message).toMatch(message);
      expect(await stored(project.id)).toEqual({ name: project.name, repository_url: project.repositoryUrl, default_branch: 'main', deleted: false });
    });

    it('answers project/not-found for an unknown project', async () => {
      const r = await h.bus.request(updateProject, { projectId: randomUUID(), name: 'ghost' });
      expect(!r.ok && r.error.code).toBe('project/not-found');
    });
  });

  describe('soft delete and restore', () => {
    it('takes the project and its live environments out of every lookup, keeping their rows and publishing each', async () => {
      const { project, production } = await h.project('proj-delete');
      const staging = await environment(project.id, 'staging');
      await h.bus.request(setVariable, { environmentId: staging.id, key: 'API_URL', value: 'https://x.example.com', sensitive: false });

      const r = await h.bus.request(deleteProject, { projectId: project.id });
      expect(r).toEqual({ ok: true, data: { ...project, deletedAt: expect.any(String) } });

      const got = await h.bus.request(getProject, { projectId: project.id });
      expect(!got.ok && got.error.code).toBe('project/not-found');
      const list = await h.bus.request(listProjects, {});
      expect(list.ok && list.data.items.map((p) => p.id)).not.toContain(project.id);
      const deleted = await h.bus.request(listProjects, { deleted: true });
      expect(deleted.ok && deleted.data.items.find((p) => p.id === project.id)?.deletedAt).toEqual(expect.any(String));
      for (const deletedList of [false, true]) {
        const envs = await h.bus.request(listEnvironments, { projectId: project.id, deleted: deletedList });
        expect(!envs.ok && envs.error.code).toBe('project/not-found');
      }
      const env = await h.bus.request(getEnvironment, { environmentId: production.id });
      expect(!env.ok && env.error.code).toBe('deployment/environment-not-found');
      const created = await h.bus.request(createEnvironment, { projectId: project.id, name: 'qa', type: 'preview' });
      expect(!created.ok && created.error.code).toBe('project/not-found');
      const again = await h.bus.request(deleteProject, { projectId: project.id });
      expect(!again.ok && again.error.code).toBe('project/not-found');

      expect(await stored(project.id)).toMatchObject({ name: 'proj-delete', deleted: true });
      expect(await environments(project.id)).toEqual([
        { name: 'production', is_default: true, deleted: true },
        { name: 'staging', is_default: false, deleted: true },
      ]);
      expect(await h.sql('select key from environments.variables where environment_id = $1', [staging.id])).toEqual([{ key: 'API_URL' }]);
      expect(await lastEvent('deleted', production.id)).toMatchObject({ id: production.id, deletedAt: expect.any(String) });
      expect(await lastEvent('deleted', staging.id)).toMatchObject({ id: staging.id, deletedAt: expect.any(String) });
    });

    it('frees the name while deleted', async () => {
      const { project } = await h.project('proj-reuse');
      await h.bus.request(deleteProject, { projectId: project.id });
      const other = await h.bus.request(createProject, { name: 'proj-reuse', repositoryUrl: '/srv/git/other.git' });
      expect(other.ok).toBe(true);
    });

    it('restores the project with the environments deleted with it, not one deleted before', async () => {
      const { project, production } = await h.project('proj-restore');
      const staging = await environment(project.id, 'staging');
      const old = await environment(project.id, 'old');
      await h.bus.request(deleteEnvironment, { projectId: project.id, environmentId: old.id });
      await h.bus.request(deleteProject, { projectId: project.id });

      const r = await h.bus.request(restoreProject, { projectId: project.id });
      expect(r).toEqual({ ok: true, data: project });
      const envs = await h.bus.request(listEnvironments, { projectId: project.id });
      expect(envs.ok && envs.data.items).toEqual([production, staging]);
      expect(await environments(project.id)).toEqual([
        { name: 'old', is_default: false, deleted: true },
        { name: 'production', is_default: true, deleted: false },
        { name: 'staging', is_default: false, deleted: false },
      ]);
      expect(await lastEvent('restored', staging.id)).toEqual(staging);
      // the one deleted before comes back on its own
      const back = await h.bus.request(restoreEnvironment, { projectId: project.id, environmentId: old.id });
      expect(back.ok && back.data.name).toBe('old');
      expect(await h.bus.request(restoreProject, { projectId: project.id })).toEqual(r);
    });

    it('does not restore one environment of a deleted project on its own', async () => {
      const { project, production } = await h.project('proj-env-alone');
      await h.bus.request(deleteProject, { projectId: project.id });
      const r = await h.bus.request(restoreEnvironment, { projectId: project.id, environmentId: production.id });
      expect(!r.ok && r.error.code).toBe('deployment/environment-not-found');
      expect((await environments(project.id)).map((e) => e.deleted)).toEqual([true]);
    });

    it('refuses to restore a project whose name was taken meanwhile, leaving it deleted', async () => {
      const { project } = await h.project('proj-restore-taken');
      await h.bus.request(deleteProject, { projectId: project.id });
      await h.project('proj-restore-taken');
      const r = await h.bus.request(restoreProject, { projectId: project.id });
      expect(r).toEqual({
        ok: false,
        error: { code: 'project/name-taken', message: expect.stringMatching(/cannot restore proj-restore-taken/), details: { field: 'name' } },
      });
      expect(await stored(project.id)).toMatchObject({ deleted: true });
      expect((await environments(project.id)).map((e) => e.deleted)).toEqual([true]);
    });

    it('answers project/not-found for restoring an unknown project', async () => {
      const r = await h.bus.request(restoreProject, { projectId: randomUUID() });
      expect(!r.ok && r.error.code).toBe('project/not-found');
    });
  });
});
