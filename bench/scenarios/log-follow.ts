import { setMaxListeners } from 'node:events';
import { join } from 'node:path';
import type { EndPayload, LogsPayload } from '@flightdeck/contracts';
import type { Scenario } from '../scenario';
import { DeploymentFollower } from '../support/deployment-follower';
import { startFlightdeck } from '../support/flightdeck-stack';
import { GitRepo } from '@flightdeck/testing';
import { epochMs, percentile } from '../support/percentiles';
import { natsPublishToSubscribeLatency } from './log-follow-nats-baseline';
import { TICK_LINE, tickerApp } from './log-follow-ticker-app';

// A deployment whose build prints LINES lines at RATE lines/s, each stamped with the time it was
// printed, followed over Socket.IO by FOLLOWERS clients subscribed from the start. Latency of a
// line = when a follower's `logs` event brought it − the stamp in the line (one machine, one
// clock): the build's pipe, the builder's batching, JetStream, the gateway's feed and Socket.IO.
// Every follower must get every line once, in order, or the scenario fails. Baseline, in the
// same run: core NATS publish → subscribe of 150-byte messages at the same rate.

// issue 18: 5,000 lines/s to 20 followers, for 10 s
const LINES = 50_000;
const RATE = 5_000;
const FOLLOWERS = 20;
const BASELINE_SIZE = 150;
const PROJECT = 'ticker';
const TARGET_P99_MS = 100;

interface FollowerRecord {
  /** printed → received, per tick line */
  latencies: number[];
  /** builder's line timestamp (ms precision) → received, per tick line */
  fromBuilder: number[];
  lines: number;
  lastSeq: number;
  lastTick: number;
  problems: string[];
}

// Checks order and completeness as the lines come, and times every tick line.
function recorder(): { record: FollowerRecord; onLogs: (p: LogsPayload) => void } {
  const record: FollowerRecord = { latencies: [], fromBuilder: [], lines: 0, lastSeq: 0, lastTick: 0, problems: [] };
  const problem = (p: string) => record.problems.length < 10 && record.problems.push(p);
  const onLogs = (p: LogsPayload) => {
    const at = epochMs();
    for (const line of p.lines) {
      if (line.seq !== record.lastSeq + 1) problem(`seq ${line.seq} after ${record.lastSeq}`);
      record.lastSeq = line.seq;
      record.lines++;
      const tick = TICK_LINE.exec(line.message);
      if (!tick) continue;
      const n = Number(tick[1]);
      if (n !== record.lastTick + 1) problem(`tick ${n} after ${record.lastTick}`);
      record.lastTick = n;
      record.latencies.push(at - Number(tick[2]));
      record.fromBuilder.push(at - Date.parse(line.timestamp));
    }
  };
  return { record, onLogs };
}

const ms = (v: number) => `${v.toFixed(1)} ms`;
// a million latencies: too many arguments for Math.max(...values)
const maxOf = (values: readonly number[]) => values.reduce((m, v) => (v > m ? v : m), -Infinity);

export const logFollow: Scenario = {
  name: 'log-follow',
  description:
    `latency from a build printing a line to ${FOLLOWERS} Socket.IO followers receiving it, ${LINES} lines at ${RATE} lines/s ` +
    `(p50/p99; target p99 < ${TARGET_P99_MS} ms), beside core NATS publish → subscribe of ${BASELINE_SIZE}-byte messages at the same rate`,
  timeoutMs: 6 * 60_000,
  async run(ctx) {
    // every follower listens for the run's abort
    setMaxListeners(FOLLOWERS + 10, ctx.signal);
    const stack = await startFlightdeck(ctx);
    const followers: DeploymentFollower[] = [];
    try {
      ctx.log('five services ready; measuring core NATS first');
      const nats = await natsPublishToSubscribeLatency(ctx.nats.connectOptions(), { count: LINES, rate: RATE, size: BASELINE_SIZE, signal: ctx.signal });
      const natsP50 = percentile(nats, 50);
      const natsP99 = percentile(nats, 99);
      ctx.log(`core NATS: p50 ${ms(natsP50)}, p99 ${ms(natsP99)}, max ${ms(maxOf(nats))} over ${nats.length} messages`);

      const repo = new GitRepo({ dir: join(ctx.workDir, 'repos', 'ticker') }).write(tickerApp({ lines: LINES, rate: RATE }));
      repo.commit('ticker');
      const project = await stack.api.createProject({ name: PROJECT, repositoryUrl: repo.dir });
      for (let i = 0; i < FOLLOWERS; i++) followers.push(new DeploymentFollower(stack.gatewayUrl, stack.token));

      const d = await stack.api.triggerDeployment(project.id, { sourceRef: 'main' });
      const recorders = followers.map(() => recorder());
      const ends: EndPayload[] = await Promise.all(followers.map((f, i) => f.follow(d.id, { onLogs: recorders[i].onLogs }, ctx.signal)));
      const final = await stack.api.getDeployment(d.id);
      if (final.status !== 'succeeded') {
        throw new Error(`deployment ${d.id} ended ${final.status}: ${final.errorCode ?? ''} ${final.errorMessage ?? ''}`);
      }

      // every follower: every line once, in order, up to the last seq the end event names
      const failures: string[] = [];
      recorders.forEach(({ record }, i) => {
        const end = ends[i];
        const issues = [...record.problems];
        if (end.status !== 'succeeded') issues.push(`end event says ${end.status}`);
        if (record.lastSeq !== end.lastSeq || record.lines !== end.lastSeq) issues.push(`${record.lines} lines up to seq ${record.lastSeq}, end says ${end.lastSeq}`);
        if (record.latencies.length !== LINES || record.lastTick !== LINES) issues.push(`${record.latencies.length} of ${LINES} tick lines`);
        if (issues.length) failures.push(`follower ${i + 1}: ${issues.join('; ')}`);
      });
      if (failures.length) throw new Error(`followers missed, repeated or reordered lines of ${d.id}:\n${failures.join('\n')}`);

      const all = recorders.flatMap((r) => r.record.latencies);
      const fromBuilder = recorders.flatMap((r) => r.record.fromBuilder);
      const p50 = percentile(all, 50);
      const p99 = percentile(all, 99);
      const received = Math.min(...recorders.map((r) => r.record.lines));
      ctx.log(
        `${FOLLOWERS} followers × ${received} lines (seq 1..${ends[0].lastSeq}, ${LINES} ticks each, in order, none twice): ` +
          `p50 ${ms(p50)}, p99 ${ms(p99)}, max ${ms(maxOf(all))}; from the builder's line timestamp p50 ${ms(percentile(fromBuilder, 50))}, ` +
          `p99 ${ms(percentile(fromBuilder, 99))}; target p99 < ${TARGET_P99_MS} ms: ${p99 < TARGET_P99_MS ? 'met' : 'MISSED'}`,
      );
      return [
        { figure: 'nats-p50', unit: 'ms', value: natsP50 },
        { figure: 'nats-p99', unit: 'ms', value: natsP99 },
        { figure: 'p50', unit: 'ms', value: p50, baseline: 'log-follow/nats-p50' },
        { figure: 'p99', unit: 'ms', value: p99, baseline: 'log-follow/nats-p99' },
        // every line of the deployment's log (the ticks, npm's and the platform's own lines)
        { figure: 'log-lines', unit: 'lines', value: ends[0].lastSeq },
        // the fewest lines any follower got; ratio 1 = all of them
        { figure: 'lines-received', unit: 'lines', value: received, baseline: 'log-follow/log-lines' },
      ];
    } finally {
      followers.forEach((f) => f.close());
      await stack.stop();
    }
  },
};
