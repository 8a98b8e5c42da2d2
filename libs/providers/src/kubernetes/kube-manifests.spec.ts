import { appName, hostOf, labelValue, namespaceOf, uidOf, urlOf } from './kube-manifests';
import { rolloutState } from './kube-rollout-watch';

const t = (projectName: string, environmentName: string) => ({ deploymentId: '0b7c1e9a-1111-4222-8333-444455556666', projectName, environmentName });

describe('Kubernetes names and rollout judgement', () => {
  it('makes DNS labels and label values of any project and environment name', () => {
    const long = t('My_Shop.Front--End'.repeat(5), 'Preview/PR-42 (feature)');
    expect(appName(long)).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(appName(long).length).toBeLessThanOrEqual(63);
    expect(namespaceOf(long, {})).toMatch(/^flightdeck-[a-z0-9-]*[a-z0-9]$/);
    expect(namespaceOf(long, {}).length).toBeLessThanOrEqual(63);
    expect(namespaceOf(long, { namespace: 'team-a' })).toBe('team-a');
    expect(labelValue('Preview/PR-42 (feature)')).toBe('Preview-PR-42-feature');
    expect(labelValue('-'.repeat(70) + 'x')).toBe('x');
    expect(hostOf(t('Shop', 'Production'), { host: '{environment}.{project}.apps.example.com' })).toBe('production.shop.apps.example.com');
    expect(urlOf(t('shop', 'staging'), { scheme: 'http' })).toBe('http://shop-staging.flightdeck-shop.svc.cluster.local');
  });

  it('gives the generated images\' named users a uid runAsNonRoot can check, and leaves numeric or unknown ones alone', () => {
    expect([uidOf('node'), uidOf('nginx'), uidOf('101'), uidOf('1000:1000'), uidOf('app'), uidOf(undefined)]).toEqual([1000, 101, undefined, undefined, undefined, undefined]);
  });

  it('judges a rollout as kubectl rollout status does', () => {
    const d = (status: object, generation = 2) => ({ metadata: { name: 'web', generation, annotations: { 'deployment.kubernetes.io/revision': '2' } }, spec: { replicas: 3 }, status }) as unknown as Parameters<typeof rolloutState>[0];
    // the new generation not observed yet: the old counts say nothing
    expect(rolloutState(d({ observedGeneration: 1, replicas: 3, updatedReplicas: 3, availableReplicas: 3 }))).toMatchObject({ done: false, ready: 0 });
    // old pods still there (counted available): the new ones ready are what is left
    expect(rolloutState(d({ observedGeneration: 2, replicas: 5, updatedReplicas: 2, availableReplicas: 4 }))).toMatchObject({ done: false, ready: 1, desired: 3 });
    expect(rolloutState(d({ observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 3 }))).toEqual({ done: true, ready: 3, desired: 3, revision: '2' });
    const stuck = rolloutState(d({ observedGeneration: 2, replicas: 4, updatedReplicas: 1, availableReplicas: 3, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "web-abc" has timed out progressing.' }] }));
    expect(stuck).toMatchObject({ done: false, failed: 'deployment "web" exceeded its progress deadline (ReplicaSet "web-abc" has timed out progressing.)' });
  });
});
