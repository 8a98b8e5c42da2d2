import { cpus, totalmem } from 'node:os';
import type { BuildLimits, ReleaseLimits } from '@flightdeck/contracts';

// What one sandbox may use, resolved from the operator's defaults and an environment's overrides.
export interface ResourceLimits {
  memoryMb: number;
  processes: number;
  /** a CPU quota in cores */
  cpus: number;
}

export interface BuildStepLimits extends ResourceLimits {
  diskMb: number;
  installTimeoutSeconds: number;
  buildTimeoutSeconds: number;
}

export interface HostCapacity {
  memoryMb: number;
  cores: number;
}

export const hostCapacity = (): HostCapacity => ({ memoryMb: Math.floor(totalmem() / 1024 / 1024), cores: cpus().length });

// An environment may raise its limits, but never past what this host can give while the platform
// keeps running: half the memory, every core (as a quota; the platform keeps CPU priority through
// lower shares), and a process count a fork bomb cannot turn into a host-wide outage.
export const MAX_PROCESSES = 8_192;

export interface Resolved<T> {
  limits: T;
  /** the overrides that asked for more than the host gives, as "memoryMb 65536 → 12288" */
  capped: string[];
}

function capped<T extends ResourceLimits>(limits: T, host: HostCapacity): Resolved<T> {
  const ceilings: Partial<Record<keyof ResourceLimits, number>> = {
    memoryMb: Math.max(64, Math.floor(host.memoryMb / 2)),
    cpus: host.cores,
    processes: MAX_PROCESSES,
  };
  const out = { ...limits };
  const notes: string[] = [];
  for (const [key, max] of Object.entries(ceilings) as [keyof ResourceLimits, number][]) {
    if (out[key] > max) {
      notes.push(`${key} ${out[key]} → ${max}`);
      out[key] = max as T[keyof ResourceLimits];
    }
  }
  return { limits: out, capped: notes };
}

export function resolveBuildLimits(defaults: BuildStepLimits, overrides: BuildLimits | undefined, host = hostCapacity()): Resolved<BuildStepLimits> {
  return capped({ ...defaults, ...stripUndefined(overrides) }, host);
}

export function resolveReleaseLimits(defaults: ResourceLimits, overrides: ReleaseLimits | undefined, host = hostCapacity()): Resolved<ResourceLimits> {
  return capped({ ...defaults, ...stripUndefined(overrides) }, host);
}

const stripUndefined = <T extends object>(o: T | undefined): Partial<T> =>
  Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;

export const describeLimits = (l: ResourceLimits) => `${l.memoryMb} MiB memory, ${l.processes} processes, ${l.cpus} CPU`;
