import { z } from 'zod';

export const Id = z.string().uuid();
export const IsoDate = z.string().datetime({ offset: true });

/** the largest value a Postgres `integer` holds: every integer a request carries is bounded by its column */
export const PG_INT_MAX = 2_147_483_647;
/** a count or position a client sends (offset, afterSeq): what an `integer` column can hold */
export const PgCount = z.coerce.number().int().min(0).max(PG_INT_MAX);

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: PgCount.default(0),
});

export const pageOf = <T extends z.ZodTypeAny>(item: T) =>
  z.object({
    items: z.array(item),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
    hasMore: z.boolean(),
  });

export const listOf = <T extends z.ZodTypeAny>(item: T) => z.object({ items: z.array(item) });

// Who asked: carried on commands so the owner can record and (later) authorize it.
export const Actor = z.object({ id: z.string().min(1), kind: z.enum(['user', 'token', 'system']) });
export type Actor = z.infer<typeof Actor>;
