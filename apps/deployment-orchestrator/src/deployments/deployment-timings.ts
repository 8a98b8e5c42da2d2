import { type DeploymentTimings, type ProgressEntry, isTerminal } from '@flightdeck/contracts';

// How long a deployment spent where, from its history (oldest first): each entry lasts until the
// next one; the last lasts until `now` while the deployment is active, and nothing once it ended.
// Queue wait is created → the first status past `queued`.
export function deploymentTimings(history: readonly ProgressEntry[], now: Date): DeploymentTimings {
  const statusMs: Record<string, number> = {};
  const phaseMs: Record<string, number> = {};
  if (!history.length) return { queueWaitMs: null, statusMs, phaseMs, totalMs: null };
  const t = (e: ProgressEntry) => Date.parse(e.at);
  for (let i = 0; i < history.length; i++) {
    const e = history[i];
    const next = history[i + 1];
    if (!next && isTerminal(e.status)) continue;
    const ms = Math.max(0, (next ? t(next) : now.getTime()) - t(e));
    statusMs[e.status] = (statusMs[e.status] ?? 0) + ms;
    phaseMs[e.phase] = (phaseMs[e.phase] ?? 0) + ms;
  }
  const started = history.find((e) => !['created', 'queued'].includes(e.status));
  const last = history[history.length - 1];
  return {
    queueWaitMs: started ? t(started) - t(history[0]) : null,
    statusMs,
    phaseMs,
    totalMs: isTerminal(last.status) ? t(last) - t(history[0]) : null,
  };
}
