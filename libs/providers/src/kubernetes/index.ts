import type { ProviderDefinition } from '../deployment-provider';
import { KubernetesProvider } from './kubernetes.provider';
import { KUBERNETES, KUBERNETES_CREDENTIALS, KubernetesSettings } from './kubernetes-settings';

export { KubernetesProvider, revisionId, type KubernetesProviderOptions } from './kubernetes.provider';
export { KubernetesSettings } from './kubernetes-settings';
export { appName, namespaceOf, urlOf } from './kube-manifests';

// Kubernetes (@kubernetes/client-node, a kubeconfig or in-cluster): a Deployment + Service (+ Ingress or HTTPRoute) per environment.
export const kubernetesProvider: ProviderDefinition<KubernetesSettings> = {
  name: KUBERNETES,
  description: 'Kubernetes: a Deployment, Service and Ingress or HTTPRoute per environment in a namespace per project; the image built by a Docker engine and pushed to a registry; the rollout watched to its end, rollback re-applies an earlier revision',
  settings: KubernetesSettings as unknown as ProviderDefinition<KubernetesSettings>['settings'],
  credentials: KUBERNETES_CREDENTIALS,
  supports: { rollback: true, cancel: false, webhooks: false },
  create: ({ settings, credentials, host }) => new KubernetesProvider(settings, { kubeconfig: credentials.kubeconfigVariable, registryPassword: credentials.registryPasswordVariable }, host),
};
