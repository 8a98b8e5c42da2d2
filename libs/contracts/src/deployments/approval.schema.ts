import { z } from 'zod';
import { defineCommand } from '../define';
import { Subjects } from '../subjects';
import { Actor, Id } from '../common.schema';
import { ProjectRole } from '../access/access.schema';
import { Deployment } from './deployment.schema';

/** the body of POST /deployments/:deploymentId/approve and …/reject */
export const ApprovalBody = z.object({ comment: z.string().max(2000).optional() }).strict();
export type ApprovalBody = z.infer<typeof ApprovalBody>;

// The gateway knows the caller's role on the project (members are its own); the orchestrator checks
// it against the rule the deployment was held by, counts the approvals and releases or cancels it.
export const DecideApprovalRequest = ApprovalBody.extend({
  deploymentId: Id,
  actor: Actor,
  role: ProjectRole,
  decision: z.enum(['approved', 'rejected']),
}).strict();
export type DecideApprovalRequest = z.infer<typeof DecideApprovalRequest>;

export const decideApproval = defineCommand({
  subject: Subjects.deployments.decideApproval,
  request: DecideApprovalRequest,
  reply: Deployment,
  timeoutMs: 10_000,
});
