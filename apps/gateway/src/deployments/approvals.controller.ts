import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApprovalBody, Deployment, ErrorCode, decideApproval, getDeployment } from '@flightdeck/contracts';
import { ProjectAccessService } from '../access/project-access.service';
import { type Caller, actorOf } from '../access/caller';
import { CurrentCaller } from '../auth/auth.decorators';
import { ApiBus } from '../http/api-bus';
import { IdParam, ValidBody } from '../http/zod-validation.pipe';
import { ApiRoute, type ApiRouteDoc } from '../openapi/api-route.decorator';

const DECISION: Omit<ApiRouteDoc, 'summary'> = {
  ids: ['deploymentId'],
  access: 'deploy',
  body: { name: 'ApprovalBody', schema: ApprovalBody },
  responses: [{ status: 200, description: 'the deployment after the decision', name: 'Deployment', schema: Deployment }],
  errors: [ErrorCode.DeploymentNotFound, ErrorCode.DeploymentApprovalNotAllowed, ErrorCode.DeploymentApprovalByAuthor, ErrorCode.DeploymentNotAwaitingApproval],
};

// Required approvals (issue 23): the gateway knows the caller's role on the project (members are
// its own) and passes it on; the orchestrator checks it against the rule that holds the deployment.
// Every decision is in the audit log (a POST, recorded by the audit trail like every change).
@Controller('deployments/:deploymentId')
export class ApprovalsController {
  constructor(
    private readonly api: ApiBus,
    private readonly access: ProjectAccessService,
  ) {}

  @Post('approve')
  @HttpCode(200)
  @ApiRoute({
    summary:
      "Approve a deployment awaiting approval, with an optional comment: the environment's required count of approvals from members with its minimum role releases it; approving twice changes nothing",
    ...DECISION,
  })
  approve(@IdParam('deploymentId') deploymentId: string, @ValidBody(ApprovalBody) body: ApprovalBody, @CurrentCaller() caller: Caller) {
    return this.decide(deploymentId, body, caller, 'approved');
  }

  @Post('reject')
  @HttpCode(200)
  @ApiRoute({ summary: 'Reject a deployment awaiting approval, with an optional comment: it ends canceled with the reason', ...DECISION })
  reject(@IdParam('deploymentId') deploymentId: string, @ValidBody(ApprovalBody) body: ApprovalBody, @CurrentCaller() caller: Caller) {
    return this.decide(deploymentId, body, caller, 'rejected');
  }

  private async decide(deploymentId: string, body: ApprovalBody, caller: Caller, decision: 'approved' | 'rejected') {
    const { projectId } = await this.api.call(getDeployment, { deploymentId });
    // the route's access check found the caller a deployer at least
    const role = (await this.access.effectiveRole(caller, projectId)) ?? 'viewer';
    return this.api.call(decideApproval, { ...body, deploymentId, actor: actorOf(caller), role, decision });
  }
}
