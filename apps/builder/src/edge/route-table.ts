import { Injectable } from '@nestjs/common';
import type { RoutedRelease } from './routed-release';

// Host label (the part before .localhost) → release. Labels are looked up whole, never split:
// project names may contain '-', so "<project>-<environment>" cannot be parsed back. A switch is
// one Map write, so a request sees the old release or the new one, never a mix.
@Injectable()
export class RouteTable {
  // environment labels win over preview labels should a project's environment be named like the
  // first 8 characters of one of its deployment ids
  private readonly environments = new Map<string, RoutedRelease>();
  private readonly previews = new Map<string, RoutedRelease>();

  lookup(label: string): RoutedRelease | undefined {
    return this.environments.get(label) ?? this.previews.get(label);
  }

  environment(label: string): RoutedRelease | undefined {
    return this.environments.get(label);
  }

  setEnvironment(label: string, release: RoutedRelease): void {
    this.environments.set(label, release);
  }

  /** the environment no longer serves (it was deleted): answers the release it served */
  removeEnvironment(label: string): RoutedRelease | undefined {
    const release = this.environments.get(label);
    this.environments.delete(label);
    return release;
  }

  setPreview(label: string, release: RoutedRelease): void {
    this.previews.set(label, release);
  }

  /** a release some environment serves right now */
  isCurrent(releaseId: string): boolean {
    for (const r of this.environments.values()) if (r.id === releaseId) return true;
    return false;
  }

  /** drops every preview label that points at the release (it is being removed from disk) */
  removeRelease(releaseId: string): void {
    for (const [label, r] of this.previews) if (r.id === releaseId) this.previews.delete(label);
  }

  clear(): void {
    this.environments.clear();
    this.previews.clear();
  }
}
