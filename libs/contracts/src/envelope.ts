import { z } from 'zod';

// Every bus message is wrapped: the version lets a consumer refuse a payload it does not understand.
export const MessageEnvelope = z.object({
  v: z.number().int().positive(),
  id: z.string().min(1),
  type: z.string().min(1),
  at: z.string(),
  correlationId: z.string().optional(),
  data: z.unknown(),
});
export type MessageEnvelope<T = unknown> = Omit<z.infer<typeof MessageEnvelope>, 'data'> & { data: T };
