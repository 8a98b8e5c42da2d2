import type { RoutedRelease } from './routed-release';

export interface Upstream {
  host: string;
  port: number;
}

// Where a Node release answers: the provider starts its process when none runs (a preview of an
// earlier release, or the current release after a crash) and resolves once it is healthy.
export interface EdgeUpstreams {
  upstreamFor(release: RoutedRelease): Promise<Upstream>;
}

/** the release is not started for requests (it is crash-looping): the edge says so */
export class UpstreamRefusedError extends Error {}

export const EDGE_UPSTREAMS = Symbol('EDGE_UPSTREAMS');
