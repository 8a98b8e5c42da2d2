import { Injectable, Logger } from '@nestjs/common';
import { type EdgeRoute, type EdgeRouteKind, listEdgeRoutes } from '@flightdeck/contracts';
import { Bus } from '@flightdeck/messaging';

/** a full read at most this often when a request names a label the table lacks */
const MISS_REFRESH_MS = 250;

// The edge's copy of the route table: Host label → the router of the builder running its release.
// Read whole from the builders at start and every refreshMs (which makes good any change this
// instance missed: the changes come over core NATS), and kept current by each announced change.
@Injectable()
export class EdgeRoutes {
  private readonly logger = new Logger(EdgeRoutes.name);
  // environment labels win over preview labels, as in a builder's own router
  private environments = new Map<string, string>();
  private previews = new Map<string, string>();
  private refreshing?: Promise<boolean>;
  private lastRefresh = 0;

  constructor(private readonly bus: Bus) {}

  /** host:port of the router serving the label */
  address(label: string): string | undefined {
    return this.environments.get(label) ?? this.previews.get(label);
  }

  /** as address(), and for a label the table lacks, one fresh read first (a route this instance has not heard of yet) */
  async resolve(label: string): Promise<string | undefined> {
    const known = this.address(label);
    if (known) return known;
    if (Date.now() - this.lastRefresh >= MISS_REFRESH_MS) await this.refresh();
    return this.address(label);
  }

  get size(): number {
    return this.environments.size + this.previews.size;
  }

  /** replaces the table with the builders' (true), or keeps it when no builder answers (false) */
  refresh(): Promise<boolean> {
    this.refreshing ??= this.read().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  apply(change: { label: string; kind: EdgeRouteKind; address: string | null }): void {
    const table = change.kind === 'environment' ? this.environments : this.previews;
    if (change.address) table.set(change.label, change.address);
    else table.delete(change.label);
  }

  private async read(): Promise<boolean> {
    this.lastRefresh = Date.now();
    const res = await this.bus.request(listEdgeRoutes, {});
    if (!res.ok) {
      this.logger.warn({ err: res.error.message }, 'route table not read; the last one stays');
      return false;
    }
    const environments = new Map<string, string>();
    const previews = new Map<string, string>();
    for (const r of res.data.routes as EdgeRoute[]) (r.kind === 'environment' ? environments : previews).set(r.label, r.address);
    this.environments = environments;
    this.previews = previews;
    return true;
  }
}
