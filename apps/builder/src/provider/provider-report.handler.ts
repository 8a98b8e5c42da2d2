import { Controller } from '@nestjs/common';
import { type CommandRequest, type Result, ok, reportToProvider } from '@flightdeck/contracts';
import { HandleCommand } from '@flightdeck/messaging';
import { ProviderReports } from './provider-reports';

// Every replica hears it; only the one holding the deployment's live credential acts (handled: true).
@Controller()
export class ProviderReportHandler {
  constructor(private readonly reports: ProviderReports) {}

  @HandleCommand(reportToProvider, { broadcast: true })
  report(req: CommandRequest<typeof reportToProvider>): Result<{ handled: boolean }> {
    return ok({ handled: this.reports.accept(req.deploymentId, req.token, req.report) });
  }
}
