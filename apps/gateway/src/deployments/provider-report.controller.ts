import { Controller, Headers, HttpCode, Post, Req } from '@nestjs/common';
import { z } from 'zod';
import { ErrorCode, ProviderReport, deploymentIdOfPublisherToken, reportToProvider } from '@flightdeck/contracts';
import { type AuthenticatedRequest, Public } from '../auth/auth.decorators';
import { ApiBus } from '../http/api-bus';
import { ApiException } from '../http/api.exception';
import { IdParam, ValidBody } from '../http/zod-validation.pipe';
import { ApiRoute } from '../openapi/api-route.decorator';

const ReportReceipt = z.object({ accepted: z.literal(true) });

// A custom provider's system reports on the deployment it was sent (issue 21 item 7), authenticated
// by the short-lived credential that came with the request (publisher.token), not by an API token.
// The credential names its deployment: used for another one it is refused here (403); else every
// builder hears the report and the one running the deployment, which holds the credential's hash,
// takes it. None taking it: the deployment's provider call has ended, the credential expired, or
// it was never issued (401). The token is never logged nor audited.
@Controller('deployments/:deploymentId/provider-report')
@Public()
export class ProviderReportController {
  constructor(private readonly api: ApiBus) {}

  @Post()
  @HttpCode(202)
  @ApiRoute({
    summary:
      "A custom provider's report on its deployment, with the publisher credential sent in the deployment's request (Authorization: Bearer fdp_...): log lines for the deployment's log, or its result with the URL it serves it at. Accepted while the deployment's provider call runs",
    headers: [{ name: 'Authorization', description: 'Bearer <publisher.token from the deployment.deploy or deployment.rollback request>' }],
    body: { name: 'ProviderReport', schema: ProviderReport },
    responses: [{ status: 202, description: 'taken by the builder running the deployment', name: 'ProviderReportReceipt', schema: ReportReceipt }],
    errors: [ErrorCode.PublisherCredentialInvalid, ErrorCode.PublisherWrongDeployment],
  })
  async report(
    @Req() req: AuthenticatedRequest,
    @IdParam('deploymentId') deploymentId: string,
    @Headers('authorization') authorization: string | undefined,
    @ValidBody(ProviderReport) report: ProviderReport,
  ): Promise<z.infer<typeof ReportReceipt>> {
    req.audit = { route: 'POST /api/v1/deployments/:deploymentId/provider-report', params: { deploymentId } };
    const token = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1] ?? '';
    const issuedFor = deploymentIdOfPublisherToken(token);
    if (!issuedFor) throw ApiException.from({ code: ErrorCode.PublisherCredentialInvalid, message: 'a publisher credential (Authorization: Bearer fdp_...) is required' });
    if (issuedFor !== deploymentId) {
      throw ApiException.from({
        code: ErrorCode.PublisherWrongDeployment,
        message: `this publisher credential reports on deployment ${issuedFor} only, not on ${deploymentId}`,
        details: { deploymentId: issuedFor },
      });
    }
    const replies = await this.api.bus.requestAll(reportToProvider, { deploymentId, token, report });
    if (!replies.some((r) => r.handled)) {
      throw ApiException.from({
        code: ErrorCode.PublisherCredentialInvalid,
        message: `the publisher credential of deployment ${deploymentId} is not valid: its provider call has ended, it expired, or it was never issued`,
      });
    }
    return { accepted: true };
  }
}
