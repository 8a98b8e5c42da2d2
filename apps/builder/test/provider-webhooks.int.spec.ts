import { randomUUID } from 'node:crypto';
import { type ProviderWebhookVerdict, receiveProviderWebhook } from '@flightdeck/contracts';
import { encodeEnvelope } from '@flightdeck/messaging';
import { type FakeVercelApi, type FakeVercelDeployment, aDeployJob, eventually, signVercelWebhook, startFakeVercelApi } from '@flightdeck/testing';
import { BuilderHarness } from './support/builder-harness';
import { GitRepo, staticSite } from './support/git-repo';

jest.setTimeout(120_000);

const TOKEN = 'vercel-test-token';
const SECRET = 'vercel-webhook-secret';
const APPLIED_LINE = 'vercel reported (status webhook): succeeded';

// A Vercel status webhook as the gateway hands it on (POST /webhooks/providers/vercel/:environmentId):
// its raw body base64 and its signature header, to every builder replica. The builder running the
// deployment verifies it with the secret resolved for that deployment and applies it; the fake Vercel
// holds the deployment in BUILDING until the test lets it finish.
describe("a provider's status webhook reaches the deployment it is about", () => {
  let h: BuilderHarness;
  let vercel: FakeVercelApi;
  let finished = false;
  const environmentId = randomUUID();

  const send = async (environment: string, body: string, signature: string): Promise<ProviderWebhookVerdict> => {
    const req = { provider: 'vercel', environmentId: environment, headers: { 'content-type': 'application/json', 'x-vercel-signature': signature }, body: Buffer.from(body).toString('base64') };
    const reply = await h.nc.request(receiveProviderWebhook.subject, encodeEnvelope(receiveProviderWebhook.subject, receiveProviderWebhook.version, req), { timeout: 5_000 });
    const r = reply.json<{ ok: true; data: ProviderWebhookVerdict }>();
    expect(r.ok).toBe(true);
    return r.data;
  };
  const count = (text: string, part: string) => text.split(part).length - 1;

  beforeAll(async () => {
    vercel = await startFakeVercelApi(TOKEN);
    vercel.addProject('shop');
    vercel.build = () => (finished ? { lines: ['Build Completed'] } : { pending: true });
    ({ h } = await BuilderHarness.withInternalProvider({}, { FLIGHTDECK_PROVIDERS_ALLOW_PRIVATE: 'true' }));
    h.providers.set(environmentId, { name: 'vercel', settings: { project: 'shop', tokenVariable: 'VERCEL_TOKEN', webhookSecretVariable: 'VERCEL_WEBHOOK_SECRET', apiUrl: vercel.url } });
    h.variables.set(environmentId, [
      { key: 'VERCEL_TOKEN', value: TOKEN, sensitive: true },
      { key: 'VERCEL_WEBHOOK_SECRET', value: SECRET, sensitive: true },
    ]);
  });
  afterAll(async () => {
    await h?.stop();
    await vercel?.stop();
  });

  it('verifies a webhook with the secret of the running deployment, applies it, and ignores its replay once the deployment ended', async () => {
    const repo = GitRepo.create(staticSite('v1'), 'v1');
    const job = await h.dispatch(aDeployJob({ environmentId, projectName: 'shop', repositoryUrl: repo.dir }));
    const d = await eventually<FakeVercelDeployment>('the deployment building on Vercel', () =>
      [...vercel.deployments.values()].find((x) => x.meta.flightdeckDeploymentId === job.deploymentId && x.readyState === 'BUILDING'),
    );

    // signed with another secret: refused, and nothing of it reaches the deployment
    const body = vercel.webhookBody('deployment.succeeded', d);
    expect(await send(environmentId, body, signVercelWebhook('not-the-secret', body))).toMatchObject({ verdict: 'invalid-signature', message: expect.stringContaining('x-vercel-signature') });
    // a provider the environment does not run, or another environment: no builder holds a deployment to verify it with
    expect(await send(randomUUID(), body, signVercelWebhook(SECRET, body))).toEqual({ verdict: 'idle' });

    // signed, but no deployment's status: nothing to apply
    const other = vercel.webhookBody('project.created', d);
    expect(await send(environmentId, other, signVercelWebhook(SECRET, other))).toEqual({ verdict: 'stale', message: 'vercel: not a deployment event: project.created' });

    finished = true;
    expect(await send(environmentId, body, signVercelWebhook(SECRET, body))).toEqual({ verdict: 'applied', deploymentId: job.deploymentId });
    const result = await h.result(job.deploymentId, 30_000);
    expect(result).toMatchObject({ outcome: 'succeeded', url: 'https://shop.vercel.app' });
    const log = await h.rawStreamText(job.deploymentId);
    // one line for the one webhook that verified
    expect(count(log, APPLIED_LINE)).toBe(1);

    // the same delivery again, after the deployment ended: nothing under way to apply it to
    expect(await send(environmentId, body, signVercelWebhook(SECRET, body))).toEqual({ verdict: 'idle' });
    expect(await h.results(job.deploymentId)).toHaveLength(1);
    expect(count(await h.rawStreamText(job.deploymentId), APPLIED_LINE)).toBe(1);
  });
});
