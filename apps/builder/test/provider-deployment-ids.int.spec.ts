import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { aDeployJob, queryRows } from '@flightdeck/testing';
import { BuilderHarness } from './support/builder-harness';
import { GitRepo, npmProject } from './support/git-repo';

jest.setTimeout(180_000);

interface Posted {
  event: string;
  deployment: { id: string };
  rollback?: { toDeploymentId: string; toId: string | null };
}

const site = (version: string) => npmProject({ scripts: { build: `node -e "console.log('building ${version}')"` } }, { 'public/index.html': `<h1>${version}</h1>` });

// The builder notes what the environment's provider answered for each deployment (its own id) and
// hands it back to the provider when a rollback goes to that deployment. The provider here is the
// custom one, with a receiver on 127.0.0.1 answering its own id for each release.
describe("the builder keeps each provider's id of a deployment for its rollbacks", () => {
  let h: BuilderHarness;
  let server: Server;
  const posted: Posted[] = [];
  const environmentId = randomUUID();
  const projectId = randomUUID();

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const p = JSON.parse(body) as Posted;
        posted.push(p);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ url: 'https://shop.deployer.example/', id: `remote-${posted.length}` }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/deploy`;
    ({ h } = await BuilderHarness.withInternalProvider({}, { FLIGHTDECK_PROVIDERS_ALLOW_PRIVATE: 'true' }));
    h.providers.set(environmentId, { name: 'custom', settings: { url, secretVariable: 'HOOK_SECRET', timeoutMs: 5_000 } });
    h.variables.set(environmentId, [{ key: 'HOOK_SECRET', value: 'hook-secret-value', sensitive: true }]);
  });
  afterAll(async () => {
    await h?.stop();
    await new Promise((r) => server?.close(r));
  });

  it("a rollback to an earlier deployment carries the id its provider answered for that deployment", async () => {
    const repo = GitRepo.create(site('v1'), 'v1');
    const job = (over: Parameters<typeof aDeployJob>[0] = {}) => aDeployJob({ projectId, environmentId, projectName: 'shop', repositoryUrl: repo.dir, ...over });
    const first = await h.dispatch(job());
    const r1 = await h.result(first.deploymentId, 120_000);
    expect(r1).toMatchObject({ outcome: 'succeeded', url: 'https://shop.deployer.example/' });
    repo.write(site('v2')).commit('v2');
    const second = await h.dispatch(job());
    expect(await h.result(second.deploymentId, 120_000)).toMatchObject({ outcome: 'succeeded' });

    const rollback = await h.dispatch(job({ kind: 'rollback', target: { deploymentId: first.deploymentId, artifact: r1.artifact! } }));
    expect(await h.result(rollback.deploymentId, 60_000)).toMatchObject({ outcome: 'succeeded', url: 'https://shop.deployer.example/' });

    expect(posted.map((p) => [p.event, p.deployment.id])).toEqual([
      ['deployment.deploy', first.deploymentId],
      ['deployment.deploy', second.deploymentId],
      ['deployment.rollback', rollback.deploymentId],
    ]);
    // the first deployment was the receiver's remote-1: that is what the rollback names, not a search
    expect(posted[2].rollback).toEqual({ toDeploymentId: first.deploymentId, toId: 'remote-1' });
    const rows = await queryRows<{ deployment_id: string; provider: string; provider_deployment_id: string }>(
      h.infra.databaseUrls.builder,
      'select deployment_id, provider, provider_deployment_id from builder.provider_deployments order by recorded_at',
    );
    expect(rows).toEqual([
      { deployment_id: first.deploymentId, provider: 'custom', provider_deployment_id: 'remote-1' },
      { deployment_id: second.deploymentId, provider: 'custom', provider_deployment_id: 'remote-2' },
      { deployment_id: rollback.deploymentId, provider: 'custom', provider_deployment_id: 'remote-3' },
    ]);
  });

  it('a rollback to a deployment another provider released names no id of it', async () => {
    const repo = GitRepo.create(site('v1'), 'v1');
    const other = randomUUID();
    const before = posted.length;
    // released while the environment's provider was another one
    await h.sql(`insert into builder.provider_deployments (deployment_id, provider, provider_deployment_id) values ($1, 'vercel', 'dpl_x')`, [other]);
    const rollback = await h.dispatch(
      aDeployJob({ kind: 'rollback', projectId, environmentId, repositoryUrl: repo.dir, target: { deploymentId: other, artifact: { id: other, sha256: '0'.repeat(64), sizeBytes: 1, kind: 'static' } } }),
    );
    expect(await h.result(rollback.deploymentId, 60_000)).toMatchObject({ outcome: 'succeeded' });
    expect(posted[before].rollback).toEqual({ toDeploymentId: other, toId: null });
  });
});
