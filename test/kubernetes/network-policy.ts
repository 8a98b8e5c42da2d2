// Whether a cluster enforcing NetworkPolicies lets one pod open a TCP connection to another, from
// the policies alone, as the API documents them (networking.k8s.io/v1): a pod selected by no policy
// of a direction is open in that direction; a selected one admits what any of its policies' rules
// admit (they add up). Enough for our manifests: label selectors (matchLabels, matchExpressions),
// pod and namespace peers, ipBlock peers with exceptions, numeric or named ports. No npm package
// evaluates policies offline (the tools that do are Go binaries that want a cluster or a directory
// of pods).

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface Pod {
  namespace: string;
  /** the namespace's labels (kubernetes.io/metadata.name is set by the API server) */
  namespaceLabels: Record<string, string>;
  labels: Record<string, string>;
  ip: string;
  /** container ports by name, for policies that name a port */
  ports?: Record<string, number>;
}

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

export function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return true;
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpression = (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    switch (operator) {
      case 'In':
        return key in labels && values.includes(labels[key]);
      case 'NotIn':
        return !(key in labels) || !values.includes(labels[key]);
      case 'Exists':
        return key in labels;
      case 'DoesNotExist':
        return !(key in labels);
    }
  });
  return byLabel && byExpression;
}

const ipv4 = (ip: string) => ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  return Math.floor(ipv4(ip) / size) === Math.floor(ipv4(base) / size);
}

// a peer of a rule in a policy of `policyNamespace`
function peerMatches(peer: Doc, policyNamespace: string, pod: Pod): boolean {
  if (peer.ipBlock) return inCidr(pod.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((c: string) => inCidr(pod.ip, c));
  const namespaceOk = peer.namespaceSelector ? selects(peer.namespaceSelector, pod.namespaceLabels) : pod.namespace === policyNamespace;
  return namespaceOk && selects(peer.podSelector, pod.labels);
}

const portMatches = (ports: Doc[] | undefined, port: number, target: Pod) =>
  !ports?.length ||
  ports.some(
    (p) =>
      (p.protocol ?? 'TCP') === 'TCP' &&
      (p.port === undefined || p.port === port || (typeof p.port === 'string' && target.ports?.[p.port] === port) ||
        (typeof p.port === 'number' && p.endPort !== undefined && port >= p.port && port <= p.endPort)),
  );

function admitted(policies: Doc[], direction: 'Ingress' | 'Egress', self: Pod, peer: Pod, port: number, target: Pod): boolean {
  const applying = policies.filter(
    (p) =>
      p.kind === 'NetworkPolicy' &&
      p.metadata.namespace === self.namespace &&
      selects(p.spec.podSelector, self.labels) &&
      (p.spec.policyTypes ?? ['Ingress', ...(p.spec.egress ? ['Egress'] : [])]).includes(direction),
  );
  if (!applying.length) return true;
  const key = direction === 'Ingress' ? 'ingress' : 'egress';
  const peersKey = direction === 'Ingress' ? 'from' : 'to';
  return applying.some((p) =>
    ((p.spec[key] ?? []) as Doc[]).some(
      (rule) => (!rule[peersKey]?.length || (rule[peersKey] as Doc[]).some((x) => peerMatches(x, p.metadata.namespace, peer))) && portMatches(rule.ports, port, target),
    ),
  );
}

/** may `from` open a TCP connection to `to` on `port` (both ends' policies agreeing)? */
export const mayConnect = (policies: Doc[], from: Pod, to: Pod, port: number): boolean =>
  admitted(policies, 'Egress', from, to, port, to) && admitted(policies, 'Ingress', to, from, port, to);
