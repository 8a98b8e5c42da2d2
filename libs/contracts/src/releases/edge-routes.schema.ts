import { z } from 'zod';
import { defineCommand, defineEvent } from '../define';
import { Subjects } from '../subjects';

// The edge's route table (issue 17 item 1). The edge (in the gateway, the public entry) routes a
// Host label to the builder that runs its release; that builder's own router then serves it (its
// static files, its Node process, a canary's split, a drain). Builders own the table: it is their
// schema's environment_routes and releases rows, each with the builder that runs it. The edge asks
// any builder for all of it (at start and every few seconds) and hears each change as it happens.

/** `environment`: <project>-<environment>; `preview`: <project>-<deployment id's first 8> */
export const EdgeRouteKind = z.enum(['environment', 'preview']);
export type EdgeRouteKind = z.infer<typeof EdgeRouteKind>;

export const EdgeRoute = z.object({
  /** the Host label (the part before the apps domain) */
  label: z.string().min(1).max(200),
  kind: EdgeRouteKind,
  /** the builder instance running the release */
  builder: z.string().min(1).max(200),
  /** host:port of that builder's router */
  address: z.string().min(1).max(300),
});
export type EdgeRoute = z.infer<typeof EdgeRoute>;

// Any builder replica answers: the table is read from Postgres, shared by the replicas.
export const listEdgeRoutes = defineCommand({
  subject: Subjects.releases.edgeRoutes,
  request: z.object({}).strict(),
  reply: z.object({ routes: z.array(EdgeRoute) }),
});

// A label now leads to another builder (a deploy or rollback ran there, or its builder died and
// another took its releases over), or to none (address null: the environment was deleted).
// Core NATS: a lost one is made good by the edge's next full read.
export const edgeRouteChanged = defineEvent({
  subject: Subjects.releases.edgeRouteChanged,
  data: z.object({
    label: EdgeRoute.shape.label,
    kind: EdgeRouteKind,
    builder: EdgeRoute.shape.builder.nullable(),
    address: EdgeRoute.shape.address.nullable(),
  }),
  ephemeral: true,
});
