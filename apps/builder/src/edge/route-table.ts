import { Injectable } from '@nestjs/common';
import type { RoutedRelease } from './routed-release';

/** a new release taking `percent` % of an environment's clients (the rest stay on the current one) */
export interface CanaryRoute {
  release: RoutedRelease;
  percent: number;
}

// Host label (the part before .localhost) → release. Labels are looked up whole, never split:
// project names may contain '-', so "<project>-<environment>" cannot be parsed back. A switch is
// one Map write, so a request sees the old release or the new one, never a mix.
@Injectable()
export class RouteTable {
  // environment labels win over preview labels should a project's environment be named like the
  // first 8 characters of one of its deployment ids
  private readonly environments = new Map<string, RoutedRelease>();
  private readonly previews = new Map<string, RoutedRelease>();
  private readonly canaries = new Map<string, CanaryRoute>();

  lookup(label: string): RoutedRelease | undefined {
    return this.environments.get(label) ?? this.previews.get(label);
  }

  environment(label: string): RoutedRelease | undefined {
    return this.environments.get(label);
  }

  /** the switch also ends a canary of the environment (promoted: it is now the release) */
  setEnvironment(label: string, release: RoutedRelease): void {
    this.environments.set(label, release);
    this.canaries.delete(label);
  }

  canary(label: string): CanaryRoute | undefined {
    return this.canaries.get(label);
  }

  setCanary(label: string, release: RoutedRelease, percent: number): void {
    this.canaries.set(label, { release, percent });
  }

  /** the canary is rolled back: every client goes to the environment's release again */
  removeCanary(label: string): void {
    this.canaries.delete(label);
  }

  /** the environment no longer serves (it was deleted): answers the release it served */
  removeEnvironment(label: string): RoutedRelease | undefined {
    const release = this.environments.get(label);
    this.environments.delete(label);
    this.canaries.delete(label);
    return release;
  }

  setPreview(label: string, release: RoutedRelease): void {
    this.previews.set(label, release);
  }

  /** a release some environment serves right now, a canary's included */
  isCurrent(releaseId: string): boolean {
    for (const r of this.environments.values()) if (r.id === releaseId) return true;
    for (const c of this.canaries.values()) if (c.release.id === releaseId) return true;
    return false;
  }

  /** drops every preview label that points at the release (it is being removed from disk) */
  removeRelease(releaseId: string): void {
    for (const [label, r] of this.previews) if (r.id === releaseId) this.previews.delete(label);
  }

  clear(): void {
    this.environments.clear();
    this.previews.clear();
    this.canaries.clear();
  }
}
