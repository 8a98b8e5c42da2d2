import { z } from 'zod';

export const Id = z.string().uuid();
export const IsoDate = z.string().datetime({ offset: true });

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).default(0),
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
