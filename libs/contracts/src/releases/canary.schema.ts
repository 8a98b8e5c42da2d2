import { z } from 'zod';
import { defineCommand } from '../define';
import { Id } from '../common.schema';
import { Subjects } from '../subjects';

// A running canary (buildSettings.strategy canary) is acted on where it runs: every builder replica
// hears this (scatter-gather); the one running the deployment's canary answers handled: true.
// promote: every client goes to the new release now (the deployment then succeeds); abort: it is
// rolled back (the deployment fails, the previous release serves everyone).
export const CanaryAction = z.enum(['promote', 'abort']);
export type CanaryAction = z.infer<typeof CanaryAction>;

export const actOnCanary = defineCommand({
  subject: Subjects.releases.canary,
  request: z.object({ deploymentId: Id, action: CanaryAction }).strict(),
  reply: z.object({ handled: z.boolean() }),
  // every replica's answer is waited for this long: a promote answers within it
  timeoutMs: 1_000,
});
