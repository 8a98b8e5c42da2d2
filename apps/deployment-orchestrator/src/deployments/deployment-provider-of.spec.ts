import { Deployment, TriggerDeploymentBody } from '@flightdeck/contracts';
import { deploymentProviderOf } from './trigger-deployment.usecase';

const env = (provider: { name: string; settings: Record<string, unknown> } | null | undefined) => ({ environment: { provider } }) as never;

describe('a deployment names its provider', () => {
  it('external when its publisher builds it, else the environment provider by name (internal when none)', () => {
    expect(deploymentProviderOf('external', env({ name: 'custom', settings: {} }))).toBe('external');
    expect(deploymentProviderOf(undefined, env({ name: 'custom', settings: {} }))).toBe('custom');
    expect(deploymentProviderOf('internal', env({ name: 'docker', settings: {} }))).toBe('docker');
    expect(deploymentProviderOf(undefined, env(null))).toBe('internal');
    expect(deploymentProviderOf(undefined, env(undefined))).toBe('internal');
  });

  it('the contract takes any provider name on a deployment, but a trigger asks only internal or external', () => {
    expect(Deployment.shape.provider.safeParse('github-pages').success).toBe(true);
    expect(Deployment.shape.provider.safeParse('external').success).toBe(true);
    expect(Deployment.shape.provider.safeParse('Not A Name').success).toBe(false);
    expect(TriggerDeploymentBody.safeParse({ sourceRef: 'main', provider: 'docker' }).success).toBe(false);
    expect(TriggerDeploymentBody.safeParse({ sourceRef: 'main', provider: 'external' }).success).toBe(true);
  });
});
