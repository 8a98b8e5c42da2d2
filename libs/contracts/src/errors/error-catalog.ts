import { z } from 'zod';
import { ErrorCode } from './error-codes';

// How bad an error is, and what a user can do about it: `critical` needs a person (the code or the
// configuration is wrong), `recoverable` is fixed by a change the user makes and a new deployment,
// `temporary` may pass by itself (retrying the same thing can work).
export const ErrorSeverity = z.enum(['critical', 'recoverable', 'temporary']);
export type ErrorSeverity = z.infer<typeof ErrorSeverity>;

export const SuggestedAction = z.enum(['retry', 'check-variables', 'check-build', 'check-source', 'reconnect-provider', 'check-status', 'manual']);
export type SuggestedAction = z.infer<typeof SuggestedAction>;

export const ErrorClass = z.object({
  severity: ErrorSeverity,
  /** what happened, for a person reading a dashboard or the CLI */
  userMessage: z.string(),
  actions: z.array(SuggestedAction),
});
export type ErrorClass = z.infer<typeof ErrorClass>;

const c = (severity: ErrorSeverity, userMessage: string, ...actions: SuggestedAction[]): ErrorClass => ({ severity, userMessage, actions });

// Every code, classified. A Record: a new code does not compile until someone classifies it here.
export const ERROR_CATALOG: Record<ErrorCode, ErrorClass> = {
  [ErrorCode.InvalidInput]: c('recoverable', 'The request was not valid; the message says which field.', 'manual'),
  [ErrorCode.InvalidMessage]: c('critical', 'Two services of the platform did not understand each other; an operator should look at their versions.', 'check-status'),
  [ErrorCode.Unauthenticated]: c('recoverable', 'The token is missing or not valid.', 'manual'),
  [ErrorCode.InsufficientPermissions]: c('recoverable', 'This token may not do that.', 'manual'),
  [ErrorCode.UserNotFound]: c('recoverable', 'There is no such user.', 'manual'),
  [ErrorCode.UserNameTaken]: c('recoverable', 'Another user has that name; choose another.', 'manual'),
  [ErrorCode.TokenNotFound]: c('recoverable', 'There is no such token among yours.', 'manual'),
  [ErrorCode.MemberNotFound]: c('recoverable', 'That user is not a member of this project.', 'manual'),
  [ErrorCode.MemberLastOwner]: c('recoverable', 'A project keeps at least one owner; make another member owner first.', 'manual'),
  [ErrorCode.ServiceUnavailable]: c('temporary', 'A part of the platform was not reachable; it usually comes back within seconds.', 'retry', 'check-status'),
  [ErrorCode.InternalError]: c('critical', 'The platform failed unexpectedly; an operator should look at its logs.', 'check-status', 'retry'),
  [ErrorCode.ProjectNotFound]: c('recoverable', 'There is no such project.', 'manual'),
  [ErrorCode.ProjectNameTaken]: c('recoverable', 'Another project has that name; choose another.', 'manual'),
  [ErrorCode.EnvironmentNotFound]: c('recoverable', 'There is no such environment in this project.', 'manual'),
  [ErrorCode.EnvironmentDomainTaken]: c('recoverable', 'Another environment already serves that domain; remove it there first.', 'manual'),
  [ErrorCode.EnvironmentNameTaken]: c('recoverable', 'Another environment of this project has that name; choose another or rename that one first.', 'manual'),
  [ErrorCode.EnvironmentIsDefault]: c('recoverable', "The project's default environment cannot be deleted; make another environment the default first.", 'manual'),
  [ErrorCode.EnvironmentDefaultRequired]: c('recoverable', 'A project always has one default environment; make another environment the default instead.', 'manual'),
  [ErrorCode.VariableNotFound]: c('recoverable', 'There is no such variable in this environment.', 'check-variables'),
  [ErrorCode.VariableInvalidRule]: c('recoverable', 'The validation rule cannot be used; the message says which part.', 'manual'),
  [ErrorCode.DetectionSourceUnavailable]: c('temporary', "The project's repository could not be read to detect its variables.", 'check-source', 'retry'),
  [ErrorCode.VariableImportMalformed]: c('recoverable', 'Some lines of the .env body could not be read, so nothing was imported; the report names each line. Fix them, or import with partial=true to apply the others.', 'manual'),
  [ErrorCode.SecretUndecryptable]: c('critical', 'A stored sensitive value opens with none of the configured secret keys: a key was removed before rotation finished, or the stored value was altered.', 'manual', 'check-variables'),
  [ErrorCode.VariableInvalidValue]: c('recoverable', 'A variable value holds characters that cannot reach a process.', 'check-variables'),
  [ErrorCode.DeploymentNotFound]: c('recoverable', 'There is no such deployment.', 'manual'),
  [ErrorCode.BuildInterrupted]: c('temporary', 'The builder running this deployment stopped before it ended; the platform sends it to another builder while attempts remain.', 'retry', 'check-status'),
  [ErrorCode.DeploymentAlreadyRunning]: c('temporary', 'The environment already has a deployment in progress.', 'retry', 'manual'),
  [ErrorCode.DeploymentQueueFull]: c('temporary', 'The environment already has the most deployments that may wait in its queue.', 'retry', 'manual'),
  [ErrorCode.DeploymentInvalidSourceRef]: c('recoverable', 'The branch, tag or commit does not exist in the repository.', 'check-source'),
  [ErrorCode.DeploymentSourceUnavailable]: c('temporary', 'The repository could not be reached or cloned.', 'retry', 'check-source'),
  [ErrorCode.DeploymentProviderError]: c('temporary', 'The provider that runs releases did not answer as expected.', 'retry', 'reconnect-provider'),
  [ErrorCode.DeploymentBuildFailed]: c('recoverable', 'The install or build step failed; its log shows why.', 'check-build', 'check-variables'),
  [ErrorCode.DeploymentDeployFailed]: c('recoverable', 'The new release did not start or did not become healthy; the previous one keeps serving.', 'check-build', 'check-variables'),
  [ErrorCode.DeploymentTimeout]: c('temporary', 'The deployment took longer than its time limit.', 'retry', 'check-build'),
  [ErrorCode.DeploymentCanceled]: c('recoverable', 'The deployment was canceled.', 'retry'),
  [ErrorCode.DeploymentInvalidState]: c('recoverable', 'The deployment is not in a state that allows this.', 'manual'),
  [ErrorCode.DeploymentNoRollbackTarget]: c('recoverable', 'There is no earlier release to roll back to.', 'manual'),
  [ErrorCode.DeploymentRefNotAllowed]: c('recoverable', "This environment only deploys from the branches and tags its allowedRefs names; deploy one of those, or change the environment's allowedRefs.", 'check-source', 'manual'),
  [ErrorCode.DeploymentApprovalNotAllowed]: c('recoverable', "Approving or rejecting this deployment takes a higher role on the project than yours; ask a member with the environment's required role.", 'manual'),
  [ErrorCode.DeploymentApprovalByAuthor]: c('recoverable', 'This environment forbids approving a deployment you triggered yourself; ask another member.', 'manual'),
  [ErrorCode.DeploymentNotAwaitingApproval]: c('recoverable', 'The deployment is not awaiting approval (any more): it was released, rejected, expired or ended.', 'manual'),
  [ErrorCode.EnvironmentFrozen]: c('temporary', 'A freeze window of this environment covers now and refuses triggers; deploy after it ends, or an admin triggers with force.', 'retry', 'manual'),
  [ErrorCode.EnvironmentInvalidProtection]: c('recoverable', "The environment's protection rules name a cron expression or time zone that cannot be read; nothing was changed.", 'manual'),
  [ErrorCode.DeploymentTestsRequired]: c('recoverable', "This environment only releases builds whose tests passed, and this build would run none; set the environment's testCommand (buildSettings) or deploy without skipBuild.", 'check-build', 'manual'),
  [ErrorCode.EnvironmentPaused]: c('recoverable', 'Deployments to this environment are paused since a rollback; resume the environment, or trigger with force to deploy anyway.', 'manual'),
  [ErrorCode.PublisherWrongDeployment]: c('recoverable', "This credential reports on one deployment only, and that is not this one; use the credential sent with this deployment's request.", 'manual'),
  [ErrorCode.PublisherCredentialInvalid]: c('recoverable', 'The publisher credential is not valid: its deployment ended, it expired, or it was never issued. Nothing was recorded.', 'check-status'),
  [ErrorCode.DeploymentInvalidConfiguration]: c('recoverable', 'Required variables are missing or hold values that fail their rules; the deployment names each one. Nothing was built.', 'check-variables'),
  [ErrorCode.RateLimited]: c('temporary', 'Too many deployments were triggered; wait for the time the answer names.', 'retry'),
  [ErrorCode.ScheduleInvalidCron]: c('recoverable', 'The schedule\'s cron expression or time zone is not valid; nothing was changed.', 'manual'),
  [ErrorCode.ScheduleNotFound]: c('recoverable', 'This environment has no deployment schedule.', 'manual'),
  [ErrorCode.NotFound]: c('recoverable', 'There is no such route.', 'manual'),
  [ErrorCode.PayloadTooLarge]: c('recoverable', 'The request body is larger than this route takes.', 'manual'),
  [ErrorCode.UnsupportedMediaType]: c('recoverable', 'This route takes a JSON body: send it with Content-Type: application/json.', 'manual'),
  [ErrorCode.HookNotFound]: c('recoverable', 'There is no such hook or delivery in this project.', 'manual'),
  [ErrorCode.HookUrlRefused]: c('recoverable', 'The hook URL points at a private or loopback address, which this installation does not allow.', 'manual'),
  [ErrorCode.HookDeliveryPending]: c('temporary', 'This delivery is still being tried; it can be sent again once it is delivered or failed.', 'retry'),
  [ErrorCode.PublisherNotFound]: c('recoverable', 'There is no such publisher.', 'manual'),
  [ErrorCode.PublisherUnsupported]: c('critical', 'This installation does not manage NATS users for publishers.', 'manual'),
  [ErrorCode.LogSearchRangeTooLarge]: c('recoverable', 'A log search spans too many days; narrow from and to.', 'manual'),
  [ErrorCode.WebhookInvalidSignature]: c('recoverable', "The webhook's signature does not match the project's webhook secret: set the secret shown at creation in the repository's webhook.", 'manual'),
  [ErrorCode.WebhookUnknownRepository]: c('recoverable', "No project with a webhook secret has this repository: check the project's repository URL and create its webhook secret.", 'manual'),
  [ErrorCode.WebhookUnknownProvider]: c('recoverable', "The environment's provider is another one: point the provider's webhook at /hooks/providers/<the environment's provider>/<environment id>.", 'manual'),
  [ErrorCode.WebhookProviderUnsupported]: c('recoverable', 'This provider sends no status webhooks (vercel, netlify and custom do); its deployments are followed by polling.', 'manual'),
  [ErrorCode.WebhookUnsupportedEvent]: c('recoverable', 'This webhook event is not acted on (push and pull_request are); it was ignored.', 'manual'),
  [ErrorCode.LogSearchTooBroad]: c('recoverable', 'The log search matched too much to answer in time; add a longer word or narrow from and to.', 'manual'),
};

/** an unknown code (a newer service's) is treated as critical */
export const classifyError = (code: string): ErrorClass =>
  (ERROR_CATALOG as Record<string, ErrorClass | undefined>)[code] ?? c('critical', 'An unknown error.', 'manual');
