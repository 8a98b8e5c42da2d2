import { type ConfigurationProblem, type Deployment, type LogLine, type SuggestedAction, isHeldPhase, isTerminal } from '@flightdeck/contracts';
import { type FlightdeckApi, must } from '../api';
import type { Context } from '../context';
import { ExitCode, exitCodeOf } from '../exit-codes';

// The catalog's suggested actions (libs/contracts error-catalog.ts), said for a terminal.
const ACTION_WORDS: Record<SuggestedAction, string> = {
  retry: 'deploy again (flightdeck retry <id>)',
  'check-variables': "check the environment's variables (flightdeck vars ls)",
  'check-build': 'read the build log above',
  'check-source': 'check the repository URL and the ref',
  'reconnect-provider': "check the provider's connection",
  'check-status': 'check GET /api/v1/system/status',
  manual: 'see the message above',
};

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export const phaseOf = (d: Pick<Deployment, 'status' | 'phase' | 'progress'>) =>
  `${d.status}${d.phase && d.phase !== d.status ? `/${d.phase}` : ''}${d.progress ? ` ${d.progress}%` : ''}`;

export const formatLine = (l: LogLine, red: (s: string) => string = (s) => s) =>
  `${String(l.seq).padStart(5)} ${l.step.padEnd(8)} ${l.level === 'error' ? red(l.message) : l.message}`;

/**
 * Prints a deployment's log live until it ends and answers the exit code of how it ended.
 * A terminal gets a live phase/progress line under the log; anything else a plain line per change;
 * --json JSON lines: {type:"log",...line}, {type:"status",...}, last {type:"deployment",deployment}.
 */
export async function followDeployment(ctx: Context, api: FlightdeckApi, d: Deployment, opts: { afterSeq?: number; timeoutS?: number } = {}): Promise<ExitCode> {
  const out = ctx.out;
  const started = Date.now();
  let current: Pick<Deployment, 'status' | 'phase' | 'progress'> = d;
  let frame = 0;
  const draw = () => out.status(`${SPINNER[frame++ % SPINNER.length]} ${phaseOf(current)} · ${Math.round((Date.now() - started) / 1000)}s`);
  const ticker = out.tty && !out.json ? setInterval(draw, 200) : undefined;
  let lastPhase = '';
  const abort = new AbortController();
  const timer = opts.timeoutS ? setTimeout(() => abort.abort(), opts.timeoutS * 1000) : undefined;
  // Ctrl-C stops following, not the deployment: say so, and how to stop it
  const interrupted = () => {
    out.clearStatus();
    out.error(`\nstopped following; deployment ${d.id} goes on (flightdeck cancel ${d.id} stops it)`);
    process.exit(ExitCode.Interrupted);
  };
  process.once('SIGINT', interrupted);
  if (!out.json) heldNote(out, d);
  let res;
  try {
    res = await api.follow(
      d.id,
      opts.afterSeq ?? 0,
      {
        line: (l) => (out.json ? out.jsonLine({ type: 'log', ...l }) : out.line(formatLine(l, out.red))),
        status: (s) => {
          current = s;
          const phase = phaseOf(s);
          if (phase === lastPhase) return;
          lastPhase = phase;
          if (out.json) out.jsonLine({ type: 'status', id: s.id, status: s.status, phase: s.phase, progress: s.progress });
          else if (out.tty) draw();
          else out.line(`--> ${phase}`);
          if (!out.json) heldNote(out, s);
        },
      },
      abort.signal,
    );
  } finally {
    process.off('SIGINT', interrupted);
    if (ticker) clearInterval(ticker);
    if (timer) clearTimeout(timer);
    out.clearStatus();
  }
  const end = await must(Promise.resolve(res));
  if (out.json) out.jsonLine({ type: 'deployment', deployment: end });
  if (!isTerminal(end.status)) {
    out.error(`still ${phaseOf(end)} after ${opts.timeoutS}s; it goes on (flightdeck logs -f ${end.id})`);
    return ExitCode.Timeout;
  }
  if (!out.json) summary(ctx, end);
  return exitCodeOf(end);
}

/**
 * A succeeded deployment's runtime lines (its release's own output), live: they have no end, so
 * this follows until Ctrl-C, which here is the way to stop (exit 0).
 */
export async function followRuntime(ctx: Context, api: FlightdeckApi, deploymentId: string): Promise<ExitCode> {
  const out = ctx.out;
  const abort = new AbortController();
  const interrupted = () => abort.abort();
  process.once('SIGINT', interrupted);
  if (!out.json) out.line(`\nthe release's own output (source runtime) follows; Ctrl-C stops following`);
  try {
    await api.followRuntime(deploymentId, 0, (l) => (out.json ? out.jsonLine({ type: 'log', ...l }) : out.line(formatLine(l, out.red))), abort.signal);
  } finally {
    process.off('SIGINT', interrupted);
  }
  return ExitCode.Success;
}

export function summary(ctx: Context, d: Deployment) {
  const out = ctx.out;
  if (d.status === 'succeeded') {
    out.line(`\n${out.green('✔')} succeeded in ${Math.round((d.durationMs ?? 0) / 100) / 10}s\n  url:     ${d.url ?? '-'}\n  preview: ${d.previewUrl ?? '-'}`);
    return;
  }
  const problems = preflightProblems(d);
  if (problems.length) {
    out.error(`\n✖ ${d.status}: ${d.errorCode}: ${problems.length} variable(s) to fix before a build`);
    for (const p of problems) out.error(`  - ${p.key} (${p.kind}): ${p.message}`);
  } else {
    out.error(`\n✖ ${d.status}${d.errorCode ? `: ${d.errorCode}` : ''}${d.errorMessage ? `: ${d.errorMessage}` : ''}`);
  }
  if (d.errorClass) out.error(`  ${d.errorClass.userMessage}\n  what to do: ${d.errorClass.actions.map((a) => ACTION_WORDS[a]).join('; ')}`);
}

// a deployment failed by its pre-flight: one line per variable to fix
const preflightProblems = (d: Deployment): ConfigurationProblem[] => {
  const pre = d.metadata.preflight as { problems?: ConfigurationProblem[] } | undefined;
  return Array.isArray(pre?.problems) ? pre.problems : [];
};

// A deployment held by a protection rule waits for people or time: say for what, and how to move it on.
function heldNote(out: Context['out'], d: Deployment) {
  if (d.status !== 'queued' || !isHeldPhase(d.phase)) return;
  const waitingFor = (d.metadata.protection as { waitingFor?: string } | undefined)?.waitingFor ?? d.phase;
  out.clearStatus();
  out.line(`held: waiting for ${waitingFor}${d.phase === 'awaiting_approval' ? ` (flightdeck approve ${d.id})` : ''}`);
}
