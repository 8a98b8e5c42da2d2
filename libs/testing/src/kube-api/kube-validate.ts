import type { KubeObject } from './kube-store';

// The API server's validation of what it is sent, for the fields the Kubernetes provider writes:
// names (DNS-1123), label keys and values, a Deployment's selector against its template's labels,
// containers with a name and an image. Each failure a cause of a 422 Invalid.

export interface Cause {
  reason: 'FieldValueInvalid' | 'FieldValueRequired';
  message: string;
  field: string;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

const invalid = (field: string, value: unknown, why: string): Cause => ({ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(value)}: ${why}`, field });
const required = (field: string): Cause => ({ reason: 'FieldValueRequired', message: 'Required value', field });

function labels(field: string, l: Record<string, string> | undefined): Cause[] {
  const out: Cause[] = [];
  for (const [k, v] of Object.entries(l ?? {})) {
    if (!LABEL_KEY.test(k) || k.split('/').at(-1)!.length > 63) out.push(invalid(field, k, 'a valid label key must consist of alphanumeric characters, \'-\', \'_\' or \'.\''));
    if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v)) out.push(invalid(`${field}`, v, "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (at most 63)"));
  }
  return out;
}

export function validate(o: KubeObject, kind: string): Cause[] {
  const out: Cause[] = [];
  const name = o.metadata?.name;
  if (!name) out.push(required('metadata.name'));
  else if (name.length > 253 || !(kind === 'Service' || kind === 'Namespace' ? DNS_LABEL : DNS_SUBDOMAIN).test(name) || ((kind === 'Service' || kind === 'Namespace') && name.length > 63)) {
    out.push(invalid('metadata.name', name, "a lowercase RFC 1123 name must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"));
  }
  out.push(...labels('metadata.labels', o.metadata?.labels));
  if (kind === 'Deployment') {
    const t = o.spec?.template;
    const match: Record<string, string> = o.spec?.selector?.matchLabels ?? {};
    if (!Object.keys(match).length) out.push(required('spec.selector'));
    out.push(...labels('spec.template.metadata.labels', t?.metadata?.labels));
    if (Object.entries(match).some(([k, v]) => t?.metadata?.labels?.[k] !== v)) out.push(invalid('spec.template.metadata.labels', t?.metadata?.labels, '`selector` does not match template `labels`'));
    const containers: { name?: string; image?: string }[] = t?.spec?.containers ?? [];
    if (!containers.length) out.push(required('spec.template.spec.containers'));
    containers.forEach((c, i) => {
      if (!c.name) out.push(required(`spec.template.spec.containers[${i}].name`));
      else if (!DNS_LABEL.test(c.name)) out.push(invalid(`spec.template.spec.containers[${i}].name`, c.name, 'a lowercase RFC 1123 label'));
      if (!c.image) out.push(required(`spec.template.spec.containers[${i}].image`));
    });
  }
  return out;
}
