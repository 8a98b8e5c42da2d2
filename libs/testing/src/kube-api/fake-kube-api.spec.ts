import { eventually } from '../eventually';
import { type FakeKubeApi, REVISION, startFakeKubeApi } from './fake-kube-api';

// The fake API server answers as the documented API does: bearer tokens, Status errors, server-side
// apply, watches, and a simulated rollout.
describe('the fake Kubernetes API', () => {
  let kube: FakeKubeApi;
  const call = (method: string, path: string, body?: unknown, type = 'application/json', token = kube.token) =>
    fetch(`${kube.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': type }, body: body === undefined ? undefined : JSON.stringify(body) });
  const deployment = (image: string) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image }] } } },
  });
  const apply = (image: string) => call('PATCH', '/apis/apps/v1/namespaces/demo/deployments/web?fieldManager=t', deployment(image), 'application/apply-patch+yaml');

  beforeAll(async () => {
    kube = await startFakeKubeApi();
    kube.rollout.readyDelayMs = 10;
  });
  afterAll(() => kube.stop());

  it('refuses a wrong token, answers conflicts and invalid objects with Status objects', async () => {
    expect((await call('GET', '/api/v1/namespaces', undefined, undefined, 'nope')).status).toBe(401);
    expect((await call('POST', '/api/v1/namespaces', { metadata: { name: 'demo' } })).status).toBe(201);
    const again = await call('POST', '/api/v1/namespaces', { metadata: { name: 'demo' } });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ kind: 'Status', reason: 'AlreadyExists', message: 'namespaces "demo" already exists', code: 409 });
    const bad = { ...deployment('x'), spec: { ...deployment('x').spec, selector: { matchLabels: { app: 'other' } } } };
    const invalid = await call('PATCH', '/apis/apps/v1/namespaces/demo/deployments/web?fieldManager=t', bad, 'application/apply-patch+yaml');
    expect(invalid.status).toBe(422);
    expect((await invalid.json()).message).toContain('`selector` does not match template `labels`');
    kube.failNext({ path: /deployments/ }, 429, 'slow down', { retryAfterSeconds: 2 });
    const limited = await call('GET', '/apis/apps/v1/namespaces/demo/deployments');
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '2']);
  });

  it('rolls a server-side applied Deployment out, streams its changes to a watch, and reuses a ReplicaSet for an earlier template', async () => {
    const created = await apply('app:1');
    expect(created.status).toBe(201);
    const rv = (await created.json()).metadata.resourceVersion;
    const watch = await call('GET', `/apis/apps/v1/namespaces/demo/deployments?watch=true&fieldSelector=metadata.name%3Dweb&resourceVersion=${rv}`);
    const reader = watch.body!.getReader();
    let text = '';
    while (!text.includes('NewReplicaSetAvailable')) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    expect(text.split('\n')[0]).toMatch(/^\{"type":"MODIFIED"/);
    const d = kube.get('Deployment', 'demo', 'web')!;
    expect(d.status).toMatchObject({ observedGeneration: 1, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 });
    expect(d.metadata.annotations![REVISION]).toBe('1');

    await apply('app:2');
    await eventually('revision 2 available', () => kube.get('Deployment', 'demo', 'web')!.status.conditions.find((c: { reason: string }) => c.reason === 'NewReplicaSetAvailable' && kube.get('Deployment', 'demo', 'web')!.metadata.annotations![REVISION] === '2'));
    expect(kube.list('Pod', 'demo').map((p) => p.spec.containers[0].image)).toEqual(['app:2', 'app:2']);
    await apply('app:1');
    await eventually('the first ReplicaSet again, as revision 3', () => kube.list('ReplicaSet', 'demo').find((rs) => rs.spec.template.spec.containers[0].image === 'app:1' && rs.metadata.annotations![REVISION] === '3' && rs.status.readyReplicas === 2));
    expect(kube.list('ReplicaSet', 'demo')).toHaveLength(2);
  });

  it('a pod whose image cannot be pulled waits with ImagePullBackOff and the kubelet events', async () => {
    kube.podBehaviour = () => ({ ready: false, imagePullError: 'pull access denied for app' });
    await apply('app:missing');
    const pod = await eventually('a pod in ImagePullBackOff', () => kube.list('Pod', 'demo').find((p) => p.status.containerStatuses[0].state.waiting?.reason === 'ImagePullBackOff'));
    const events = await (await call('GET', `/api/v1/namespaces/demo/events?fieldSelector=involvedObject.name%3D${pod.metadata.name}`)).json();
    expect(events.items.map((e: { reason: string; message: string }) => e.message)).toContain('Failed to pull image "app:missing": pull access denied for app');
  });
});
