// deploy/kubernetes/nats/values.yaml: values for the official NATS Helm chart (1.x) that run the bus
// the way Flightdeck needs it on Kubernetes: 3 nodes, JetStream on a volume per node, and the
// platform's users with the permissions derived from libs/contracts, as deploy/nats/auth.conf has
// them for compose. Passwords are never in the file: nats-server reads each from its environment
// (`<< $VAR >>` is the chart's syntax for an unquoted config variable), which the chart fills from
// the Secret flightdeck-nats (one key per user).
//
//   npm run -s nats-config -- --helm-values > deploy/kubernetes/nats/values.yaml
import { stringify } from 'yaml';
import { NATS_ADMIN_USER, natsPasswordVariable, platformNatsUsersFromEnv } from '@flightdeck/messaging';

/** the Secret holding every NATS user's password, one key per user (the services' Deployments read it too) */
export const NATS_SECRET = 'flightdeck-nats';
export const NATS_CLUSTER_REPLICAS = 3;

const HEADER = `# Values for the official NATS Helm chart (1.x), generated from libs/contracts by
#   npm run -s nats-config -- --helm-values > deploy/kubernetes/nats/values.yaml
# Edit scripts/nats-helm-values.ts, not this file (a test compares them).
#
#   helm install nats nats/nats --namespace flightdeck -f deploy/kubernetes/nats/values.yaml
#
# The release must be called "nats": the services connect to nats://nats:4222 and KEDA reads
# nats-headless:8222. Each user's password comes from the Secret ${NATS_SECRET} (see the README).
`;

export function natsHelmValues(): string {
  const users = platformNatsUsersFromEnv();
  const env: Record<string, unknown> = {};
  const authUsers = users.map((u) => {
    const variable = 'env' in u.password ? u.password.env : undefined;
    if (!variable) throw new Error(`user ${u.user}: its password must come from the environment`);
    const key = u.user === NATS_ADMIN_USER ? NATS_ADMIN_USER : u.user;
    if (natsPasswordVariable(key as Parameters<typeof natsPasswordVariable>[0]) !== variable)
      throw new Error(`user ${u.user}: unexpected password variable ${variable}`);
    env[variable] = { valueFrom: { secretKeyRef: { name: NATS_SECRET, key } } };
    return {
      user: u.user,
      password: `<< $${variable} >>`,
      ...(u.permissions ? { permissions: u.permissions } : {}),
    };
  });
  const values = {
    config: {
      cluster: { enabled: true, replicas: NATS_CLUSTER_REPLICAS },
      jetstream: {
        enabled: true,
        fileStore: { enabled: true, dir: '/data', pvc: { enabled: true, size: '20Gi' } },
        // fsync before every ack, as compose does: Jepsen's 2025 NATS analysis lost acknowledged
        // writes of R3 streams with the default interval when nodes lost power together
        merge: { sync_interval: 'always' },
      },
      monitor: { enabled: true, port: 8222 },
      merge: { authorization: { users: authUsers } },
    },
    container: {
      image: { repository: 'nats', tag: '2.12.8-alpine' },
      env,
      merge: {
        resources: {
          requests: { cpu: '500m', memory: '1Gi' },
          limits: { memory: '2Gi' },
        },
      },
    },
    podTemplate: {
      topologySpreadConstraints: {
        'kubernetes.io/hostname': { maxSkew: 1, whenUnsatisfiable: 'DoNotSchedule' },
      },
    },
    podDisruptionBudget: { enabled: true },
    natsBox: { enabled: true },
  };
  return HEADER + stringify(values, { lineWidth: 0 });
}
