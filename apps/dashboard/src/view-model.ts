import Anser from 'anser';
import { type AuditEntry, type Deployment, type DeploymentStatus, type DeploymentTimings, type EnvironmentHealth, ErrorCode, type ImportVariablesReport, type LogLevel, type LogLine, type ProgressEntry, type Result, type SuggestedAction } from '@flightdeck/contracts';

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

export interface TimelineStep {
  phase: string;
  ms: number;
  /** its part of the whole, 0..1 (for the bar's width) */
  share: number;
}

/** the phases a deployment went through, in the order it entered them, each with the time spent in it */
export const phaseTimeline = (items: readonly ProgressEntry[], timings: DeploymentTimings): TimelineStep[] => {
  const order: string[] = [];
  for (const e of items) if (!order.includes(e.phase)) order.push(e.phase);
  for (const p of Object.keys(timings.phaseMs)) if (!order.includes(p)) order.push(p);
  const total = order.reduce((n, p) => n + (timings.phaseMs[p] ?? 0), 0);
  return order.map((phase) => {
    const ms = timings.phaseMs[phase] ?? 0;
    return { phase, ms, share: total > 0 ? ms / total : 0 };
  });
};

/** the deployment of the same environment created just before `d`: what its configuration is compared with */
export const previousDeployment = (list: readonly Deployment[], d: Deployment): Deployment | null =>
  list
    .filter((x) => x.id !== d.id && x.environmentId === d.environmentId && Date.parse(x.createdAt) < Date.parse(d.createdAt))
    .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt))[0] ?? null;

const ACTION_WORDS: Record<SuggestedAction, string> = {
  retry: 'Retry the deployment: the cause may have passed.',
  'check-variables': "Check the environment's variables.",
  'check-build': 'Check the build: its log shows the failing step.',
  'check-source': 'Check the source: repository, branch or commit.',
  'reconnect-provider': 'Reconnect the git provider.',
  'check-status': 'Check the system status.',
  manual: 'Look into it by hand; the error code says where.',
};
/** a suggested action in words */
export const actionText = (a: SuggestedAction): string => ACTION_WORDS[a];

/** "1.2 MB" for a size in bytes */
export const formatBytes = (n: number | null | undefined): string | null => {
  if (n === null || n === undefined) return null;
  if (n < 1024) return `${n} B`;
  const units = ['kB', 'MB', 'GB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
};

/** how a setting's value reads in the diff: JSON but a bare string, "—" for none */
export const settingText = (v: unknown): string =>
  v === undefined || v === null ? '—' : typeof v === 'string' ? v : JSON.stringify(v);

/** a phase's time: tenths of a second under 10 s ("0.4 s"), else as formatDuration */
export const formatPhaseMs = (ms: number): string =>
  ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : (formatDuration(ms) ?? '');

/** a .env import's outcome in one sentence, with the first problem lines (never a value) */
export const importSummary = (r: ImportVariablesReport): string => {
  const counts = `${r.added} added, ${r.changed} changed, ${r.unchanged} unchanged`;
  const problems = r.lines
    .filter((l) => l.outcome === 'refused' || l.outcome === 'malformed')
    .slice(0, 3)
    .map((l) => `line ${l.line}${l.key ? ` (${l.key})` : ''}: ${l.message ?? l.outcome}`);
  if (!r.applied) return `Nothing imported: ${problems.join('; ') || 'refused'}.`;
  return `Imported: ${counts}${problems.length ? `; skipped ${problems.join('; ')}` : ''}.`;
};

/** an audit entry as a line: what was done to what, by whom, how it ended */
export const auditText = (e: AuditEntry): string => {
  const what = (e.route ?? `${e.method} ${e.path}`).replace(/^(\w+) \/api\/v1/, '$1 ');
  const target = Object.entries(e.target)
    .filter(([k]) => k !== 'projectId')
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const by = e.actor.kind === 'admin-token' ? 'the admin token' : e.actor.kind === 'user' ? `user ${e.actor.id ?? '?'}` : 'anonymous';
  return `${what}${target ? ` (${target})` : ''} by ${by}: ${e.outcome}${e.errorCode ? ` (${e.errorCode})` : ''}`;
};

export interface LogFilter {
  level: LogLevel;
  /** '' : every step / source */
  step: string;
  source: string;
}

/** the lines passing every filter; filtered in the page so that changing one neither restarts the stream nor loses a line */
export const filterLines = (lines: readonly LogLine[], f: LogFilter): readonly LogLine[] => {
  const byLevel = linesAtLeast(lines, f.level);
  if (!f.step && !f.source) return byLevel;
  return byLevel.filter((l) => (!f.step || l.step === f.step) && (!f.source || l.source === f.source));
};

/** the distinct steps of a log, in the order they first appear */
export const stepsOf = (lines: readonly LogLine[]): string[] => {
  const seen = new Set<string>();
  for (const l of lines) seen.add(l.step);
  return [...seen];
};

// ANSI escape sequences (SGR colours and any other CSI or OSC sequence): what the search and a copy ignore
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g;
/** a message as text, without its escape sequences */
export const plainText = (message: string): string => (message.includes('\u001b') ? message.replace(ANSI, '') : message);

/** the indexes of the lines whose text holds `query` (case-insensitive); none for an empty query */
export const searchLines = (lines: readonly LogLine[], query: string): number[] => {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const out: number[] = [];
  for (let i = 0; i < lines.length; i++) if (plainText(lines[i].message).toLowerCase().includes(q)) out.push(i);
  return out;
};

/** the next (step 1) or previous (step -1) of `count` matches from `current`, round the end; -1 for none */
export const stepMatch = (current: number, count: number, step: 1 | -1): number =>
  count === 0 ? -1 : current < 0 ? (step === 1 ? 0 : count - 1) : (current + step + count) % count;

export interface TextPiece {
  text: string;
  /** whether this piece is (part of) a search match */
  hit: boolean;
}

/** `text` cut where `query` occurs (case-insensitive), so the matches can be marked */
export const splitOnMatches = (text: string, query: string): TextPiece[] => {
  const q = query.trim().toLowerCase();
  if (!q) return [{ text, hit: false }];
  const lower = text.toLowerCase();
  const out: TextPiece[] = [];
  let at = 0;
  for (let i = lower.indexOf(q); i >= 0; i = lower.indexOf(q, i + q.length)) {
    if (i > at) out.push({ text: text.slice(at, i), hit: false });
    out.push({ text: text.slice(i, i + q.length), hit: true });
    at = i + q.length;
  }
  if (at < text.length || !out.length) out.push({ text: text.slice(at), hit: false });
  return out;
};

/** a percentage in words: "83 %", "—" for none */
export const formatRate = (rate: number | null): string => (rate === null ? '—' : `${Math.round(rate * 100)} %`);

export interface AnsiPiece {
  text: string;
  /** CSS classes of its colours and decorations (ansi-red-fg, ansi-bold …), '' for plain text */
  className: string;
  /** a 24-bit colour, as "r, g, b" */
  color?: string;
}

const PALETTE = ['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white'];
// 256-colour codes 0–15 are the named ones; the others are drawn in the default colour
const colourClass = (c: string | null, where: 'fg' | 'bg'): string => {
  if (!c || c === 'ansi-truecolor') return '';
  const palette = /^ansi-palette-(\d+)$/.exec(c);
  if (!palette) return `${c}-${where}`;
  const n = Number(palette[1]);
  return n < 8 ? `ansi-${PALETTE[n]}-${where}` : n < 16 ? `ansi-bright-${PALETTE[n - 8]}-${where}` : '';
};

/**
 * A log message cut into text pieces with their ANSI colours (anser reads the escape codes): drawn
 * as React text, never as HTML, so a line cannot inject markup whatever it holds.
 */
export const ansiPieces = (message: string): AnsiPiece[] => {
  if (!message.includes('\u001b')) return [{ text: message, className: '' }];
  return Anser.ansiToJson(message, { use_classes: true, remove_empty: true })
    .map((e) => ({
      text: plainText(e.content),
      className: [colourClass(e.fg, 'fg'), colourClass(e.bg, 'bg'), ...e.decorations.map((d) => `ansi-${d}`)].filter(Boolean).join(' '),
      ...(e.fg_truecolor ? { color: e.fg_truecolor } : {}),
    }))
    .filter((p) => p.text);
};

export interface DeploymentFilter {
  /** '' : any */
  status: string;
  environmentId: string;
  /** a branch, tag or commit as triggered (exact) */
  ref: string;
}
export const NO_FILTER: DeploymentFilter = { status: '', environmentId: '', ref: '' };

/** whether a deployment (a live status event's) belongs in a list filtered so: the gateway's filters, applied to one */
export const matchesFilter = (d: Deployment, f: DeploymentFilter): boolean =>
  (!f.status || d.status === f.status) && (!f.environmentId || d.environmentId === f.environmentId) && (!f.ref.trim() || d.sourceRef === f.ref.trim());

/** the filter as listDeployments' options (only what is set) */
export const filterQuery = (f: DeploymentFilter) => ({
  ...(f.status ? { status: f.status as DeploymentStatus } : {}),
  ...(f.environmentId ? { environmentId: f.environmentId } : {}),
  ...(f.ref.trim() ? { sourceRef: f.ref.trim() } : {}),
});

export interface PhaseBar {
  phase: string;
  p50: number | null;
  p95: number | null;
  /** each against the largest p95 of the chart, 0..1 */
  p50Share: number;
  p95Share: number;
}

// the order a deployment goes through its phases; others (a held phase) after them
const PHASE_ORDER = ['waiting', 'queued', 'validating', 'pulling_source', 'building', 'packaging', 'releasing', 'health_check', 'updating_routes', 'active'];
/** analytics' phaseMs as chart rows, in the order of the phases, scaled to the slowest p95 */
export const phaseChart = (phaseMs: Record<string, { p50: number | null; p95: number | null }>): PhaseBar[] => {
  const rank = (p: string) => (PHASE_ORDER.includes(p) ? PHASE_ORDER.indexOf(p) : PHASE_ORDER.length);
  const phases = Object.keys(phaseMs).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const max = Math.max(0, ...phases.map((p) => phaseMs[p].p95 ?? phaseMs[p].p50 ?? 0));
  return phases.map((phase) => {
    const { p50, p95 } = phaseMs[phase];
    return { phase, p50, p95, p50Share: max ? (p50 ?? 0) / max : 0, p95Share: max ? (p95 ?? 0) / max : 0 };
  });
};

/** a token's state in words */
export const tokenState = (t: { revokedAt: string | null; expiresAt: string | null }, now = Date.now()): 'active' | 'revoked' | 'expired' =>
  t.revokedAt ? 'revoked' : t.expiresAt && Date.parse(t.expiresAt) <= now ? 'expired' : 'active';

const HELD_TITLES: Partial<Record<Deployment['phase'], string>> = {
  awaiting_approval: 'Waiting for approval',
  waiting_timer: 'Waiting for the wait timer',
  frozen: 'Waiting for a freeze window to end',
};
/** what a deployment held by a protection rule waits for, in words (metadata.protection.waitingFor); null when not held */
export const heldBy = (d: Deployment): { title: string; waitingFor: string | null } | null => {
  const title = HELD_TITLES[d.phase];
  if (!title || isFinished(d.status)) return null;
  const protection = d.metadata.protection as { waitingFor?: unknown } | undefined;
  return { title, waitingFor: typeof protection?.waitingFor === 'string' ? protection.waitingFor : null };
};

export interface HealthView {
  /** the state in words: healthy, degraded, down, not supervised, nothing released, health unknown, reading health… */
  words: string;
  tone: StatusTone;
  /** what else to say: restarts, crash-looping, why it is unknown */
  details: string[];
  lastFailure: { reason: string; at: string } | null;
}

const HEALTH_TONES = { healthy: 'ok', degraded: 'busy', down: 'bad' } as const;

/**
 * An environment's health as its project page says it, from the answer of GET …/health (undefined:
 * not read yet); `released`: a deployment of it succeeded (the page's list says so). An answer that
 * failed is "health unknown" (a 503: no builder is answering), never an error page.
 */
export const healthView = (r: Result<EnvironmentHealth> | undefined, released: boolean): HealthView => {
  const none = { details: [], lastFailure: null };
  if (!r) return { words: 'reading health…', tone: 'idle', ...none };
  if (!r.ok)
    return {
      words: 'health unknown',
      tone: 'idle',
      details: [r.error.code === ErrorCode.ServiceUnavailable ? 'no builder is answering' : describeError(r.error)],
      lastFailure: null,
    };
  const h = r.data;
  if (h.health === null)
    return released || h.releaseDeploymentId ? { words: 'not supervised', tone: 'idle', ...none } : { words: 'nothing released', tone: 'idle', ...none };
  const details = [h.restarts === 0 ? 'no restarts' : `${h.restarts} restart${h.restarts === 1 ? '' : 's'}`];
  if (h.crashLooping) details.push('crash-looping: no more restarts until the next deploy or rollback');
  return { words: h.health, tone: HEALTH_TONES[h.health], details, lastFailure: h.lastFailure };
};
