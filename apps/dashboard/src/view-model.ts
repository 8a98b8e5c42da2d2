import type { Deployment, DeploymentStatus, LogLevel, LogLine } from '@flightdeck/contracts';

// What the pages decide without React: kept here so that a unit test is a function call.

export type StatusTone = 'ok' | 'bad' | 'busy' | 'idle';

const TONES: Record<DeploymentStatus, StatusTone> = {
  created: 'idle',
  queued: 'idle',
  initializing: 'busy',
  building: 'busy',
  deploying: 'busy',
  succeeded: 'ok',
  failed: 'bad',
  canceled: 'idle',
  timeout: 'bad',
};
export const statusTone = (s: DeploymentStatus): StatusTone => TONES[s];

const TERMINAL: readonly DeploymentStatus[] = ['succeeded', 'failed', 'canceled', 'timeout'];
export const isFinished = (s: DeploymentStatus) => TERMINAL.includes(s);

/** what a deployment's buttons may do now (the gateway decides; this only hides what cannot work) */
export const allowedActions = (d: Deployment) => ({
  cancel: !isFinished(d.status) && !d.cancelRequestedAt,
  retry: d.status === 'failed' || d.status === 'timeout' || d.status === 'canceled',
  rollback: d.status === 'succeeded' && d.artifact !== null,
});

/** a list newest first, with `d` put in (replacing the entry of the same id): how a status event updates a page */
export const upsertDeployment = (list: readonly Deployment[], d: Deployment): Deployment[] => {
  const known = list.find((x) => x.id === d.id);
  // events can arrive out of order: an older snapshot never replaces a newer one
  if (known && Date.parse(known.updatedAt) > Date.parse(d.updatedAt)) return [...list];
  return [d, ...list.filter((x) => x.id !== d.id)].sort(
    (a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt),
  );
};

/** the latest deployment of each project, from a list of any order */
export const latestByProject = (list: readonly Deployment[]): Map<string, Deployment> => {
  const out = new Map<string, Deployment>();
  for (const d of list) {
    const seen = out.get(d.projectId);
    if (!seen || Date.parse(d.createdAt) > Date.parse(seen.createdAt)) out.set(d.projectId, d);
  }
  return out;
};

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
export const LOG_LEVELS = Object.keys(RANK) as LogLevel[];

/** lines at `min` or above; filtered in the page so that changing it neither restarts the stream nor loses a line */
export const linesAtLeast = (lines: readonly LogLine[], min: LogLevel): readonly LogLine[] =>
  min === 'debug' ? lines : lines.filter((l) => RANK[l.level] >= RANK[min]);

/** "3 m 12 s" for a duration in ms; null for none */
export const formatDuration = (ms: number | null | undefined): string | null => {
  if (ms === null || ms === undefined) return null;
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} m ${s % 60} s`;
};

/** an API error as a user reads it: the message and its stable code */
export const describeError = (e: { code: string; message: string }) => `${e.message} (${e.code})`;

/** `lines` (in seq order) with `more` put in at their place, each seq once */
export const mergeBySeq = (lines: readonly LogLine[], more: readonly LogLine[]): LogLine[] => {
  if (!more.length) return [...lines];
  const last = lines.at(-1)?.seq ?? 0;
  if (more.every((l, i) => l.seq > (i ? more[i - 1].seq : last))) return lines.concat(more);
  const bySeq = new Map<number, LogLine>();
  for (const l of lines) bySeq.set(l.seq, l);
  for (const l of more) bySeq.set(l.seq, l);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
};

/** the seq ranges [from, to] missing from an unfiltered log that ends at `lastSeq` (seqs run 1, 2, 3 …) */
export const missingRanges = (seqs: readonly number[], lastSeq: number): [number, number][] => {
  const out: [number, number][] = [];
  let expected = 1;
  for (const s of [...seqs].sort((a, b) => a - b)) {
    if (s > expected) out.push([expected, s - 1]);
    expected = Math.max(expected, s + 1);
  }
  if (lastSeq >= expected) out.push([expected, lastSeq]);
  return out;
};
