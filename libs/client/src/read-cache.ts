/** seed 000's read cache: a deployment or a list page is answered from memory for this long */
export const DEFAULT_CACHE_TTL_MS = 30_000;

export interface ReadCacheOptions {
  ttlMs?: number;
  /** the clock, for tests */
  now?: () => number;
}

interface Entry {
  value: unknown;
  expiresAt: number;
  projectId: string | undefined;
  deploymentId: string | undefined;
}

/**
 * Successful reads of deployments (getDeployment, listDeployments), kept for a TTL. A status event
 * of a deployment this client receives (any subscription), and any change this client makes
 * (trigger, cancel, retry, rollback), drop that deployment's entry and every list page of its
 * project, so a reader that also listens is never behind by more than the event's travel.
 */
export class ReadCache {
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(opts: ReadCacheOptions = {}) {
    this.ttlMs = opts.ttlMs ?? DEFAULT_CACHE_TTL_MS;
    this.now = opts.now ?? Date.now;
  }

  get<T>(key: string): T | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value as T;
  }

  set(key: string, value: unknown, scope: { projectId?: string; deploymentId?: string }): void {
    this.entries.set(key, {
      value,
      expiresAt: this.now() + this.ttlMs,
      projectId: scope.projectId,
      deploymentId: scope.deploymentId,
    });
  }

  /** a deployment changed: its own entry and its project's list pages go */
  invalidateDeployment(deploymentId: string, projectId?: string): void {
    for (const [key, e] of this.entries) {
      if (
        e.deploymentId === deploymentId ||
        (projectId !== undefined && e.projectId === projectId && e.deploymentId === undefined)
      )
        this.entries.delete(key);
    }
  }

  /** a project got a new deployment: its list pages go */
  invalidateProject(projectId: string): void {
    for (const [key, e] of this.entries)
      if (e.projectId === projectId && e.deploymentId === undefined) this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
