import type { SupervisedProcess, SupervisorStatus } from '@flightdeck/contracts';
import type { ExitInfo } from './child-exit';
import { DEFAULT_SUPERVISION, type SupervisionPolicy, decideAfterExit } from './supervision';

/** one run of a supervised process */
export interface Supervisable {
  pid?: number;
  exited: Promise<ExitInfo>;
  stop(): Promise<void>;
}

export interface SupervisedUnit {
  name: string;
  kind: SupervisedProcess['kind'];
  /** starts a run; resolves once it is up (rejects when it could not start: counted as an exit) */
  start(): Promise<Supervisable>;
  /** resolves once the run serves (a service's /health/ready); until then it is `starting` */
  ready?(run: Supervisable): Promise<void>;
}

export interface SupervisorOptions {
  policy?: SupervisionPolicy;
  say(message: string): void;
  /** every change of state, e.g. to write the status file the gateway reads */
  onChange?(status: SupervisorStatus): void;
}

interface Unit {
  spec: SupervisedUnit;
  state: SupervisedProcess['state'];
  since: number;
  run?: Supervisable;
  /** a start in progress (first or restart), awaited by stop */
  starting?: Promise<unknown>;
  restarts: number;
  exits: number[];
  lastExit?: ExitInfo & { at: number };
  timer?: NodeJS.Timeout;
}

export const describeExit = (e: ExitInfo) => (e.signal ? `signal ${e.signal}` : `code ${e.code}`);

// Keeps what the launcher started running: an unexpected exit is restarted after a growing pause,
// a crash loop is reported loudly and left stopped (see supervision.ts for the decisions).
export class Supervisor {
  private readonly units = new Map<string, Unit>();
  private readonly policy: SupervisionPolicy;
  private stopping = false;

  constructor(private readonly opts: SupervisorOptions) {
    this.policy = opts.policy ?? DEFAULT_SUPERVISION;
  }

  /** starts the unit for the first time; a first start that fails throws (nothing to restart yet) */
  async add(spec: SupervisedUnit): Promise<void> {
    const unit: Unit = { spec, state: 'starting', since: Date.now(), restarts: 0, exits: [] };
    this.units.set(spec.name, unit);
    this.changed();
    const starting = spec.start();
    unit.starting = starting;
    const run = await starting.finally(() => (unit.starting = undefined));
    this.watch(unit, run);
  }

  /** resolves once every named unit is running or crash-looping (or after timeoutMs), with the crash-looping ones */
  async settled(names: string[], timeoutMs: number): Promise<{ crashLooping: string[]; notReady: string[] }> {
    const deadline = Date.now() + timeoutMs;
    const states = () => names.map((n) => [n, this.units.get(n)?.state] as const);
    while (
      Date.now() < deadline &&
      !states().every(([, s]) => s === 'running' || s === 'crash-looping' || s === 'stopped')
    ) {
      await new Promise((r) => setTimeout(r, 100));
    }
    return {
      crashLooping: states()
        .filter(([, s]) => s === 'crash-looping')
        .map(([n]) => n),
      notReady: states()
        .filter(([, s]) => s !== 'running' && s !== 'crash-looping')
        .map(([n]) => n),
    };
  }

  status(): SupervisorStatus {
    return {
      launcherPid: process.pid,
      updatedAt: new Date().toISOString(),
      processes: [...this.units.values()].map((u) => ({
        name: u.spec.name,
        kind: u.spec.kind,
        state: u.state,
        ...((u.state === 'starting' || u.state === 'running') && u.run?.pid ? { pid: u.run.pid } : {}),
        restarts: u.restarts,
        since: new Date(u.since).toISOString(),
        ...(u.lastExit
          ? {
              lastExit: {
                code: u.lastExit.code,
                signal: u.lastExit.signal,
                at: new Date(u.lastExit.at).toISOString(),
              },
            }
          : {}),
      })),
    };
  }

  /** starts the crash-looping ones again with a clean slate (the operator fixed the cause); returns their names */
  retryCrashLooping(): string[] {
    if (this.stopping) return [];
    const looping = [...this.units.values()].filter((u) => u.state === 'crash-looping');
    for (const unit of looping) {
      unit.exits = [];
      this.opts.say(`${unit.spec.name}: starting it again, as asked`);
      void this.restart(unit);
    }
    return looping.map((u) => u.spec.name);
  }

  /** stops everything, group after group (each group at once); nothing is restarted from here on */
  async stop(groups: string[][]): Promise<void> {
    this.stopping = true;
    for (const unit of this.units.values()) clearTimeout(unit.timer);
    const named = new Set(groups.flat());
    const rest = [...this.units.keys()].filter((n) => !named.has(n));
    for (const group of [rest, ...groups]) {
      await Promise.all(
        group.map(async (name) => {
          const unit = this.units.get(name);
          if (!unit) return;
          await unit.starting?.catch(() => undefined);
          await unit.run?.stop();
          this.setState(unit, 'stopped');
        }),
      );
    }
  }

  private watch(unit: Unit, run: Supervisable) {
    unit.run = run;
    this.setState(unit, 'starting');
    const { ready } = unit.spec;
    const startedAfterExit = unit.lastExit?.at;
    const becameReady = ready ? ready(run) : Promise.resolve();
    void becameReady.then(
      () => {
        if (unit.run !== run || unit.state !== 'starting' || this.stopping) return;
        this.setState(unit, 'running');
        if (startedAfterExit !== undefined) {
          this.opts.say(
            `${unit.spec.name} is back (pid ${run.pid}): ready ${Date.now() - startedAfterExit} ms after it exited, restart #${unit.restarts}`,
          );
        }
      },
      () => undefined, // it exited before it was ready: the exit below decides
    );
    void run.exited.then((exit) => {
      if (this.stopping || unit.run !== run) return;
      this.exited(unit, exit);
    });
  }

  private exited(unit: Unit, exit: ExitInfo) {
    const now = Date.now();
    unit.exits.push(now);
    unit.exits = unit.exits.filter((t) => t > now - this.policy.crashLoopWindowMs);
    unit.lastExit = { ...exit, at: now };
    const decision = decideAfterExit(unit.exits, now, this.policy);
    const name = unit.spec.name;
    if (decision.action === 'give-up') {
      this.setState(unit, 'crash-looping');
      const line = `${name} is CRASH-LOOPING: ${decision.recentExits} exits within ${this.policy.crashLoopWindowMs / 1000} s (last: ${describeExit(exit)}). No longer restarting it; the rest keep running. Fix the cause (its output above), then try it again with kill -USR2 ${process.pid} (systemctl reload flightdeck) or a restart of flightdeck.`;
      this.opts.say(`\x1b[1;31m${'!'.repeat(8)} ${line}\x1b[0m`);
      return;
    }
    this.setState(unit, 'backing-off');
    this.opts.say(
      `${name} exited unexpectedly (${describeExit(exit)}); restart #${unit.restarts + 1} in ${decision.delayMs} ms (${decision.recentExits} exit(s) in the last ${this.policy.crashLoopWindowMs / 1000} s)`,
    );
    unit.timer = setTimeout(() => void this.restart(unit), decision.delayMs);
  }

  private async restart(unit: Unit) {
    if (this.stopping) return;
    unit.restarts += 1;
    unit.run = undefined; // the dead run's pid is not shown as this one's
    this.setState(unit, 'starting');
    const starting = unit.spec.start();
    unit.starting = starting;
    try {
      const run = await starting;
      unit.run = run;
      if (this.stopping) return; // stop() awaits `starting`, then stops this run
      this.watch(unit, run);
    } catch (e) {
      if (this.stopping) return;
      this.opts.say(`${unit.spec.name} did not start: ${(e as Error).message.split('\n')[0]}`);
      unit.run = undefined;
      this.exited(unit, { code: null, signal: null });
    } finally {
      unit.starting = undefined;
    }
  }

  private setState(unit: Unit, state: SupervisedProcess['state']) {
    if (unit.state !== state) unit.since = Date.now();
    unit.state = state;
    this.changed();
  }

  private changed() {
    this.opts.onChange?.(this.status());
  }
}
