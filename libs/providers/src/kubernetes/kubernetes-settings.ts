import { z } from 'zod';
import { DockerSettings } from '../docker';

export const KUBERNETES = 'kubernetes';
/** the settings naming sensitive variables (credentials): never handed to the pods */
export const KUBERNETES_CREDENTIALS = ['kubeconfigVariable', 'registryPasswordVariable'] as const;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
// a resource quantity: 250m, 0.5, 512Mi, 1G
const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/;
const quantity = z.string().regex(QUANTITY, 'must be a Kubernetes quantity (250m, 0.5, 512Mi, 1Gi)');

// the Docker provider's image settings: the engine that builds a deployment's image and the registry the cluster pulls it from
const image = DockerSettings.pick({ dockerHost: true, nodeImage: true, staticImage: true, registry: true, registryUsername: true, registryPasswordVariable: true }).shape;

// An environment's Kubernetes settings (environment-manager stores them; the registry parses them).
export const KubernetesSettings = z
  .object({
    // the name of a sensitive variable holding a kubeconfig (its current context is used); or inCluster
    kubeconfigVariable: z.string().trim().min(1).max(200).optional(),
    // the builder runs in a pod: its service account's token and the cluster's CA
    inCluster: z.boolean().default(false),
    // default: one per project, flightdeck-<project>
    namespace: z.string().regex(DNS_LABEL, 'must be a namespace name (lowercase letters, digits and -, at most 63)').optional(),
    expose: z.enum(['ingress', 'httproute', 'none']).default('ingress'),
    // the environment's hostname: {project} and {environment} are replaced, e.g. {environment}.{project}.apps.example.com
    host: z
      .string()
      .trim()
      .max(253)
      .regex(/^([a-z0-9{}]([-a-z0-9{}]*[a-z0-9{}])?\.)+[a-z0-9{}]([-a-z0-9{}]*[a-z0-9{}])?$/, 'must be a hostname, {project} and {environment} allowed')
      .optional(),
    scheme: z.enum(['https', 'http']).default('https'),
    ingressClassName: z.string().regex(DNS_LABEL).optional(),
    // a TLS secret in the namespace for the Ingress
    tlsSecretName: z.string().regex(DNS_LABEL).optional(),
    // the Gateway an HTTPRoute attaches to
    gatewayRef: z.object({ name: z.string().regex(DNS_LABEL), namespace: z.string().regex(DNS_LABEL).optional(), sectionName: z.string().min(1).max(253).optional() }).strict().optional(),
    replicas: z.number().int().min(1).max(100).default(1),
    // the port the app listens on (PORT is set to it) when the image does not say
    port: z.number().int().min(1).max(65535).default(3000),
    resources: z
      .object({ cpu: quantity.default('100m'), memory: quantity.default('256Mi'), cpuLimit: quantity.optional(), memoryLimit: quantity.optional() })
      .strict()
      .default({}),
    progressDeadlineSeconds: z.number().int().min(1).max(3600).default(600),
    // how long a deploy or rollback waits for the rollout in all
    rolloutTimeoutSeconds: z.number().int().min(1).max(7200).default(900),
    ...image,
  })
  .strict()
  .refine((s) => !!s.kubeconfigVariable !== s.inCluster, { message: 'is required: the name of a sensitive variable holding a kubeconfig (or inCluster: true, not both)', path: ['kubeconfigVariable'] })
  .refine((s) => s.expose === 'none' || !!s.host, { message: 'is required to expose the environment (or expose: none)', path: ['host'] })
  .refine((s) => s.expose !== 'httproute' || !!s.gatewayRef, { message: 'is required for an HTTPRoute: the Gateway it attaches to ({name, namespace?})', path: ['gatewayRef'] });
export type KubernetesSettings = z.infer<typeof KubernetesSettings>;
