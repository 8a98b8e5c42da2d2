import { type AuditEntry, type Deployment, type EnvironmentHealth, ErrorCode, type LogLine, type ProgressEntry, type Result } from '@flightdeck/contracts';
import {
  actionText,
  healthView,
  heldBy,
  tokenState,
  phaseChart,
  filterQuery,
  matchesFilter,
  NO_FILTER,
  ansiPieces,
  filterLines,
  formatRate,
  plainText,
  searchLines,
  splitOnMatches,
  stepMatch,
  stepsOf,
  auditText,
  importSummary,
  allowedActions,
  formatBytes,
  formatDuration,
  formatPhaseMs,
  phaseTimeline,
  previousDeployment,
  settingText,
  latestByProject,
  linesAtLeast,
  mergeBySeq,
  missingRanges,
  statusTone,
  upsertDeployment,
} from './view-model';

const aDeployment = (over: Partial<Deployment> = {}): Deployment => ({
  id: '00000000-0000-4000-8000-000000000001',
  projectId: '00000000-0000-4000-8000-0000000000aa',
  environmentId: '00000000-0000-4000-8000-0000000000bb',
  sourceRef: 'main',
  commitSha: null,
  commitMessage: null,
  commitAuthor: null,
  message: null,
  triggeredBy: 'admin',
  trigger: 'manual',
  status: 'queued',
  phase: 'queued',
  progress: 0,
  attempt: 1,
  parentDeploymentId: null,
  rollbackTargetId: null,
  artifact: null,
  url: null,
  previewUrl: null,
  errorCode: null,
  errorMessage: null,
  metadata: {},
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  startedAt: null,
  finishedAt: null,
  durationMs: null,
  ...over,
});
const aLine = (seq: number, level: LogLine['level']): LogLine => ({
  seq,
  level,
  timestamp: '2026-01-01T00:00:00.000Z',
  source: 'build',
  step: 'build',
  message: `line ${seq}`,
});

describe('deployment list updates', () => {
  it('puts a new deployment first and replaces a known one in place', () => {
    const a = aDeployment({ id: '00000000-0000-4000-8000-000000000001', createdAt: '2026-01-01T00:00:00.000Z' });
    const b = aDeployment({ id: '00000000-0000-4000-8000-000000000002', createdAt: '2026-01-02T00:00:00.000Z' });
    const list = upsertDeployment([a], b);
    expect(list.map((d) => d.id)).toEqual([b.id, a.id]);
    const aDone = { ...a, status: 'succeeded' as const, updatedAt: '2026-01-03T00:00:00.000Z' };
    expect(upsertDeployment(list, aDone)).toEqual([b, aDone]);
  });

  it('keeps the newer snapshot when an older event arrives late', () => {
    const newer = aDeployment({ status: 'succeeded', updatedAt: '2026-01-01T00:01:00.000Z' });
    const older = aDeployment({ status: 'building', updatedAt: '2026-01-01T00:00:30.000Z' });
    expect(upsertDeployment([newer], older)).toEqual([newer]);
  });

  it('finds the latest deployment of each project', () => {
    const p1old = aDeployment({ id: '00000000-0000-4000-8000-000000000001', createdAt: '2026-01-01T00:00:00.000Z' });
    const p1new = aDeployment({ id: '00000000-0000-4000-8000-000000000002', createdAt: '2026-01-02T00:00:00.000Z' });
    const p2 = aDeployment({ id: '00000000-0000-4000-8000-000000000003', projectId: '00000000-0000-4000-8000-0000000000cc' });
    const latest = latestByProject([p1new, p2, p1old]);
    expect(latest.get(p1old.projectId)?.id).toBe(p1new.id);
    expect(latest.get(p2.projectId)?.id).toBe(p2.id);
  });
});

describe('what a deployment page offers', () => {
  it('cancels only what is in progress, retries what did not succeed, rolls back to what succeeded', () => {
    expect(allowedActions(aDeployment({ status: 'building' }))).toEqual({ cancel: true, retry: false, rollback: false });
    expect(allowedActions(aDeployment({ status: 'building', cancelRequestedAt: '2026-01-01T00:00:00.000Z' })).cancel).toBe(false);
    expect(allowedActions(aDeployment({ status: 'failed' }))).toEqual({ cancel: false, retry: true, rollback: false });
    const artifact = { id: 'a', sha256: 'x', sizeBytes: 1, kind: 'static' as const };
    expect(allowedActions(aDeployment({ status: 'succeeded', artifact }))).toEqual({ cancel: false, retry: false, rollback: true });
  });

  it('says each status as a tone as well as a word', () => {
    expect(statusTone('succeeded')).toBe('ok');
    expect(statusTone('timeout')).toBe('bad');
    expect(statusTone('building')).toBe('busy');
  });

  it('filters log lines by minimum level without reordering them', () => {
    const lines = [aLine(1, 'debug'), aLine(2, 'info'), aLine(3, 'error'), aLine(4, 'warn')];
    expect(linesAtLeast(lines, 'debug')).toBe(lines);
    expect(linesAtLeast(lines, 'warn').map((l) => l.seq)).toEqual([3, 4]);
  });

  it('formats durations', () => {
    expect(formatDuration(null)).toBeNull();
    expect(formatDuration(4_400)).toBe('4 s');
    expect(formatDuration(192_000)).toBe('3 m 12 s');
  });
});

describe('a log with holes', () => {
  it('names the ranges missing, inside and after what was received', () => {
    expect(missingRanges([1, 2, 3], 3)).toEqual([]);
    expect(missingRanges([1, 2, 6, 7, 9], 12)).toEqual([[3, 5], [8, 8], [10, 12]]);
    expect(missingRanges([], 2)).toEqual([[1, 2]]);
  });

  it('puts fetched lines in their place, each once', () => {
    const have = [aLine(1, 'info'), aLine(2, 'info'), aLine(5, 'info')];
    expect(mergeBySeq(have, [aLine(6, 'info')]).map((l) => l.seq)).toEqual([1, 2, 5, 6]);
    expect(mergeBySeq(have, [aLine(3, 'info'), aLine(4, 'info'), aLine(5, 'info')]).map((l) => l.seq)).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('the deployment details', () => {
  const entry = (phase: ProgressEntry['phase'], status: ProgressEntry['status']): ProgressEntry => ({
    at: '2026-01-01T00:00:00.000Z', fromStatus: null, status, phase, progress: 0, reason: null,
  });

  it('lists phases in the order they were entered, each with its time and share', () => {
    const steps = phaseTimeline(
      [entry('queued', 'queued'), entry('pulling_source', 'initializing'), entry('building', 'building'), entry('pulling_source', 'initializing')],
      { queueWaitMs: 100, statusMs: {}, phaseMs: { queued: 100, pulling_source: 300, building: 600 }, totalMs: 1000 },
    );
    expect(steps).toEqual([
      { phase: 'queued', ms: 100, share: 0.1 },
      { phase: 'pulling_source', ms: 300, share: 0.3 },
      { phase: 'building', ms: 600, share: 0.6 },
    ]);
    // nothing measured yet: no division by zero
    expect(phaseTimeline([entry('queued', 'queued')], { queueWaitMs: null, statusMs: {}, phaseMs: {}, totalMs: null })).toEqual([
      { phase: 'queued', ms: 0, share: 0 },
    ]);
  });

  it('compares with the deployment of the same environment created just before', () => {
    const d = aDeployment({ id: 'd3', createdAt: '2026-01-03T00:00:00.000Z' });
    const older = aDeployment({ id: 'd1', createdAt: '2026-01-01T00:00:00.000Z' });
    const previous = aDeployment({ id: 'd2', createdAt: '2026-01-02T00:00:00.000Z' });
    const otherEnv = aDeployment({ id: 'x', environmentId: 'other', createdAt: '2026-01-02T12:00:00.000Z' });
    const later = aDeployment({ id: 'd4', createdAt: '2026-01-04T00:00:00.000Z' });
    expect(previousDeployment([later, older, otherEnv, d, previous], d)?.id).toBe('d2');
    expect(previousDeployment([d, later], d)).toBeNull();
  });

  it('words suggested actions, sizes, phase times and setting values', () => {
    expect(actionText('check-variables')).toContain('variables');
    expect([formatBytes(null), formatBytes(512), formatBytes(1536), formatBytes(5 * 1024 * 1024)]).toEqual([null, '512 B', '1.5 kB', '5.0 MB']);
    expect([formatPhaseMs(420), formatPhaseMs(75_000)]).toEqual(['0.4 s', '1 m 15 s']);
    expect([settingText(undefined), settingText('x'), settingText({ a: 1 })]).toEqual(['—', 'x', '{"a":1}']);
  });
});

describe('the project settings', () => {
  it("sums up a .env import, naming the lines it skipped or refused (never a value)", () => {
    const base = { added: 2, changed: 1, unchanged: 0, refused: 0, malformed: 0 };
    expect(importSummary({ ...base, applied: true, lines: [] })).toBe('Imported: 2 added, 1 changed, 0 unchanged.');
    const bad = [{ line: 3, outcome: 'malformed' as const, message: 'no "="' }, { line: 4, key: 'PORT', outcome: 'refused' as const, message: 'reserved' }];
    expect(importSummary({ ...base, applied: false, malformed: 1, refused: 1, lines: bad })).toBe(
      'Nothing imported: line 3: no "="; line 4 (PORT): reserved.',
    );
  });

  it('words an audit entry: the route without its prefix, what it named, who, how it ended', () => {
    const e: AuditEntry = {
      id: 7, at: '2026-01-01T00:00:00.000Z', actor: { kind: 'admin-token', id: null }, userId: null, tokenId: null,
      method: 'PUT', route: 'PUT /api/v1/projects/:projectId/members/:userId', path: '/api/v1/projects/p/members/u',
      projectId: 'p', target: { projectId: 'p', userId: 'u' }, status: 200, outcome: 'succeeded', errorCode: null, correlationId: null,
    };
    expect(auditText(e)).toBe('PUT /projects/:projectId/members/:userId (userId=u) by the admin token: succeeded');
    expect(auditText({ ...e, actor: { kind: 'user', id: 'ann' }, outcome: 'denied', errorCode: 'auth/forbidden' })).toBe(
      'PUT /projects/:projectId/members/:userId (userId=u) by user ann: denied (auth/forbidden)',
    );
  });
});

describe('the log view', () => {
  const line = (seq: number, over: Partial<LogLine> = {}): LogLine => ({
    seq, timestamp: new Date(0).toISOString(), level: 'info', source: 'build', step: 'build', message: `line ${seq}`, ...over,
  });
  const log = [
    line(1, { step: 'clone', source: 'system' }),
    line(2, { level: 'warn', message: '\u001b[33mnpm WARN\u001b[0m deprecated' }),
    line(3, { level: 'error', step: 'install', message: 'Error: boom' }),
    line(4, { step: 'release', source: 'deploy', message: 'listening' }),
  ];

  it('filters by level, step and source together', () => {
    expect(filterLines(log, { level: 'debug', step: '', source: '' })).toBe(log);
    expect(filterLines(log, { level: 'warn', step: '', source: '' }).map((l) => l.seq)).toEqual([2, 3]);
    expect(filterLines(log, { level: 'debug', step: 'build', source: '' }).map((l) => l.seq)).toEqual([2]);
    expect(filterLines(log, { level: 'debug', step: '', source: 'deploy' }).map((l) => l.seq)).toEqual([4]);
    expect(filterLines(log, { level: 'warn', step: 'release', source: '' })).toEqual([]);
    expect(stepsOf(log)).toEqual(['clone', 'build', 'install', 'release']);
  });

  it('searches the text without its escape codes, and steps through the matches round the end', () => {
    expect(plainText('\u001b[1;31mred\u001b[0m \u001b]8;;http://x\u0007link\u001b]8;;\u0007')).toBe('red link');
    expect(searchLines(log, 'WARN')).toEqual([1]);
    expect(searchLines(log, '33m')).toEqual([]);
    expect(searchLines(log, 'r')).toEqual([1, 2]);
    expect(searchLines(log, '  ')).toEqual([]);
    expect([stepMatch(-1, 3, 1), stepMatch(0, 3, 1), stepMatch(2, 3, 1), stepMatch(0, 3, -1), stepMatch(-1, 3, -1), stepMatch(-1, 0, 1)]).toEqual([0, 1, 0, 2, 2, -1]);
    expect(splitOnMatches('Error: an error', 'ERROR')).toEqual([
      { text: 'Error', hit: true }, { text: ': an ', hit: false }, { text: 'error', hit: true },
    ]);
    expect(splitOnMatches('abc', '')).toEqual([{ text: 'abc', hit: false }]);
    expect(splitOnMatches('abc', 'abc')).toEqual([{ text: 'abc', hit: true }]);
  });

  it('cuts ANSI colours into classed text pieces, markup left as text', () => {
    expect(ansiPieces('plain <b>x</b>')).toEqual([{ text: 'plain <b>x</b>', className: '' }]);
    expect(ansiPieces('\u001b[31mred\u001b[0m and \u001b[1;92m<img src=x>\u001b[0m')).toEqual([
      { text: 'red', className: 'ansi-red-fg' },
      { text: ' and ', className: '' },
      { text: '<img src=x>', className: 'ansi-bright-green-fg ansi-bold' },
    ]);
    expect(ansiPieces('\u001b[38;5;1mpalette\u001b[0m\u001b[38;2;1;2;3mtrue\u001b[0m')).toEqual([
      { text: 'palette', className: 'ansi-red-fg' },
      { text: 'true', className: '', color: '1, 2, 3' },
    ]);
  });

  it('says a rate in words', () => {
    expect([formatRate(null), formatRate(0.834), formatRate(1)]).toEqual(['—', '83 %', '100 %']);
  });
});

describe('the deployment list filters', () => {
  it('keeps a live update only when it matches the filter, and asks the gateway with the same filter', () => {
    const d = aDeployment({ status: 'failed', sourceRef: 'release/1' });
    expect(matchesFilter(d, NO_FILTER)).toBe(true);
    expect(matchesFilter(d, { ...NO_FILTER, status: 'failed', ref: ' release/1 ' })).toBe(true);
    expect(matchesFilter(d, { ...NO_FILTER, status: 'succeeded' })).toBe(false);
    expect(matchesFilter(d, { ...NO_FILTER, ref: 'main' })).toBe(false);
    expect(matchesFilter(d, { ...NO_FILTER, environmentId: d.projectId })).toBe(false);
    expect(filterQuery(NO_FILTER)).toEqual({});
    expect(filterQuery({ status: 'failed', environmentId: d.environmentId, ref: ' main ' })).toEqual({
      status: 'failed', environmentId: d.environmentId, sourceRef: 'main',
    });
  });
});

describe('the analytics charts', () => {
  it('orders the phases as a deployment goes through them and scales the bars to the slowest p95', () => {
    const rows = phaseChart({
      releasing: { p50: 100, p95: 200 },
      building: { p50: 1000, p95: 4000 },
      queued: { p50: null, p95: null },
      zz_custom: { p50: 10, p95: 10 },
    });
    expect(rows.map((r) => r.phase)).toEqual(['queued', 'building', 'releasing', 'zz_custom']);
    expect(rows[1]).toEqual({ phase: 'building', p50: 1000, p95: 4000, p50Share: 0.25, p95Share: 1 });
    expect(rows[0]).toMatchObject({ p50Share: 0, p95Share: 0 });
    expect(phaseChart({})).toEqual([]);
  });
});

describe('the tokens page', () => {
  it('says whether a token works', () => {
    const now = Date.parse('2026-01-02T00:00:00Z');
    expect(tokenState({ revokedAt: null, expiresAt: null }, now)).toBe('active');
    expect(tokenState({ revokedAt: null, expiresAt: '2026-01-03T00:00:00Z' }, now)).toBe('active');
    expect(tokenState({ revokedAt: null, expiresAt: '2026-01-01T00:00:00Z' }, now)).toBe('expired');
    expect(tokenState({ revokedAt: '2026-01-01T00:00:00Z', expiresAt: '2026-01-01T00:00:00Z' }, now)).toBe('revoked');
  });
});

describe('a deployment held by a protection rule', () => {
  it('says what it waits for, and nothing once it is not held', () => {
    const waiting = aDeployment({ status: 'queued', phase: 'awaiting_approval', metadata: { protection: { waitingFor: '1 more approval (0 of 1)' } } });
    expect(heldBy(waiting)).toEqual({ title: 'Waiting for approval', waitingFor: '1 more approval (0 of 1)' });
    expect(heldBy(aDeployment({ status: 'queued', phase: 'frozen', metadata: {} }))).toEqual({ title: 'Waiting for a freeze window to end', waitingFor: null });
    expect(heldBy(aDeployment({ status: 'queued', phase: 'building' }))).toBeNull();
    expect(heldBy({ ...waiting, status: 'canceled' })).toBeNull();
  });
});

describe("an environment's health", () => {
  const at = '2026-01-02T03:04:05.000Z';
  const health = (h: Partial<EnvironmentHealth>): Result<EnvironmentHealth> => ({
    ok: true,
    data: { health: 'healthy', releaseDeploymentId: 'd1', crashLooping: false, restarts: 0, lastFailure: null, updatedAt: at, ...h },
  });
  it('says the state in words with a tone, its restarts and its last failure', () => {
    expect(healthView(health({}), true)).toEqual({ words: 'healthy', tone: 'ok', details: ['no restarts'], lastFailure: null });
    const failure = { reason: 'health path /healthz answered 500', at };
    expect(healthView(health({ health: 'degraded', restarts: 1, lastFailure: failure }), true))
      .toEqual({ words: 'degraded', tone: 'busy', details: ['1 restart'], lastFailure: failure });
    expect(healthView(health({ health: 'down', restarts: 5, crashLooping: true, lastFailure: failure }), true)).toEqual({
      words: 'down',
      tone: 'bad',
      details: ['5 restarts', 'crash-looping: no more restarts until the next deploy or rollback'],
      lastFailure: failure,
    });
  });
  it('says when nothing is released, or what is released is not supervised', () => {
    const unsupervised = health({ health: null, releaseDeploymentId: null, updatedAt: null });
    expect(healthView(unsupervised, false)).toMatchObject({ words: 'nothing released', tone: 'idle', details: [] });
    expect(healthView(unsupervised, true)).toMatchObject({ words: 'not supervised', tone: 'idle' });
  });
  it('is "health unknown" when no builder answers (503) or the read fails, and "reading" before an answer', () => {
    const unavailable: Result<EnvironmentHealth> = { ok: false, error: { code: ErrorCode.ServiceUnavailable, message: 'no responders' } };
    expect(healthView(unavailable, true)).toEqual({ words: 'health unknown', tone: 'idle', details: ['no builder is answering'], lastFailure: null });
    const gone: Result<EnvironmentHealth> = { ok: false, error: { code: ErrorCode.EnvironmentNotFound, message: 'environment x not found' } };
    expect(healthView(gone, true)).toMatchObject({ words: 'health unknown', details: [`environment x not found (${ErrorCode.EnvironmentNotFound})`] });
    expect(healthView(undefined, true).words).toBe('reading health…');
  });
});
