import { Injectable, Logger } from '@nestjs/common';
import { type EdgeRoute, type EdgeRouteKind, environmentLabel, hostLabel, hostName, listEdgeRoutes, listEnvironmentDomains } from '@flightdeck/contracts';
import { Bus } from '@flightdeck/messaging';

/** a full read at most this often when a request names a label the table lacks */
const MISS_REFRESH_MS = 250;

/** where a request goes: the router, and the label it is for when its Host is a custom domain */
export interface EdgeTarget {
  address: string;
  /** set for a custom domain: the router is told which label it stands for */
  label?: string;
}

// The edge's copy of the route table: Host label → the router of the builder running its release.
// Read whole from the builders at start and every refreshMs (which makes good any change this
// instance missed: the changes come over core NATS), and kept current by each announced change.
@Injectable()
export class EdgeRoutes {
  private readonly logger = new Logger(EdgeRoutes.name);
  // environment labels win over preview labels, as in a builder's own router
  private environments = new Map<string, string>();
  private previews = new Map<string, string>();
  /** custom domain → its environment's label (environment-manager's, read with the table) */
  private domains = new Map<string, string>();
  private refreshing?: Promise<boolean>;
  private lastRefresh = 0;

  constructor(private readonly bus: Bus) {}

  /** host:port of the router serving the label */
  address(label: string): string | undefined {
    return this.environments.get(label) ?? this.previews.get(label);
  }

  /** a Host header's target: a <label>.localhost, or a custom domain; undefined: nothing is served there */
  target(host: string | undefined): EdgeTarget | undefined {
    const label = hostLabel(host);
    if (label) {
      const address = this.address(label);
      return address ? { address } : undefined;
    }
    const domainLabel = this.domains.get(hostName(host) ?? '');
    const address = domainLabel && this.address(domainLabel);
    return address ? { address, label: domainLabel } : undefined;
  }

  /** as target(), and for a Host the table lacks, one fresh read first (a route or domain this instance has not heard of yet) */
  async resolve(host: string | undefined): Promise<EdgeTarget | undefined> {
    const known = this.target(host);
    if (known || !host) return known;
    if (Date.now() - this.lastRefresh >= MISS_REFRESH_MS) await this.refresh();
    return this.target(host);
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
    const [res, domains] = await Promise.all([this.bus.request(listEdgeRoutes, {}), this.bus.request(listEnvironmentDomains, {})]);
    if (domains.ok) this.domains = new Map(domains.data.domains.map((d) => [d.domain, environmentLabel(d.projectName, d.environmentName)]));
    else this.logger.warn({ err: domains.error.message }, 'custom domains not read; the last ones stay');
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
