import { ErrorCode } from '@flightdeck/contracts';

// The one place an error code becomes an HTTP status. A Record, so a new code in the contracts
// does not compile until someone decides its status here.
export const HTTP_STATUS_OF: Record<ErrorCode, number> = {
  [ErrorCode.InvalidInput]: 400,
  [ErrorCode.VariableInvalidValue]: 400,
  [ErrorCode.VariableInvalidRule]: 400,
  [ErrorCode.VariableImportMalformed]: 400,
  // another service could not read our message (wrong version, not an envelope): not the caller's fault
  [ErrorCode.InvalidMessage]: 502,
  [ErrorCode.Unauthenticated]: 401,
  [ErrorCode.InsufficientPermissions]: 403,
  [ErrorCode.UserNotFound]: 404,
  [ErrorCode.TokenNotFound]: 404,
  [ErrorCode.MemberNotFound]: 404,
  [ErrorCode.UserNameTaken]: 409,
  [ErrorCode.MemberLastOwner]: 409,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.PayloadTooLarge]: 413,
  [ErrorCode.UnsupportedMediaType]: 415,
  [ErrorCode.ProjectNotFound]: 404,
  [ErrorCode.EnvironmentNotFound]: 404,
  [ErrorCode.VariableNotFound]: 404,
  [ErrorCode.DeploymentNotFound]: 404,
  [ErrorCode.PublisherNotFound]: 404,
  [ErrorCode.HookNotFound]: 404,
  [ErrorCode.HookUrlRefused]: 400,
  [ErrorCode.HookDeliveryPending]: 409,
  [ErrorCode.ScheduleNotFound]: 404,
  [ErrorCode.ProjectNameTaken]: 409,
  [ErrorCode.EnvironmentNameTaken]: 409,
  [ErrorCode.EnvironmentDomainTaken]: 409,
  [ErrorCode.EnvironmentIsDefault]: 409,
  [ErrorCode.EnvironmentDefaultRequired]: 409,
  [ErrorCode.DeploymentAlreadyRunning]: 409,
  [ErrorCode.DeploymentQueueFull]: 409,
  [ErrorCode.DeploymentInvalidState]: 409,
  [ErrorCode.DeploymentNoRollbackTarget]: 409,
  // refused by the environment's rules, not by the caller's role: 403 with its own code
  [ErrorCode.DeploymentRefNotAllowed]: 403,
  [ErrorCode.EnvironmentPaused]: 409,
  [ErrorCode.DeploymentApprovalNotAllowed]: 403,
  [ErrorCode.DeploymentApprovalByAuthor]: 403,
  [ErrorCode.DeploymentNotAwaitingApproval]: 409,
  [ErrorCode.EnvironmentFrozen]: 409,
  [ErrorCode.EnvironmentInvalidProtection]: 400,
  [ErrorCode.DeploymentTestsRequired]: 422,
  [ErrorCode.DeploymentCanceled]: 409,
  [ErrorCode.DeploymentInvalidSourceRef]: 400,
  // well-formed JSON, but the expression does not parse as cron
  [ErrorCode.ScheduleInvalidCron]: 422,
  // outcomes of a deployment; should a command answer with one, the request itself was understood
  [ErrorCode.DeploymentSourceUnavailable]: 422,
  [ErrorCode.BuildInterrupted]: 422,
  [ErrorCode.DeploymentBuildFailed]: 422,
  [ErrorCode.DeploymentDeployFailed]: 422,
  [ErrorCode.DeploymentInvalidConfiguration]: 422,
  [ErrorCode.PublisherWrongDeployment]: 403,
  [ErrorCode.PublisherCredentialInvalid]: 401,
  [ErrorCode.DeploymentProviderError]: 502,
  // the project's repository did not answer as it should: the gateway's upstream failed, not the request
  // the project's repository or branch cannot be read: the user's to fix, as for a deployment
  [ErrorCode.DetectionSourceUnavailable]: 422,
  [ErrorCode.DeploymentTimeout]: 504,
  [ErrorCode.RateLimited]: 429,
  // a feature this deployment is not set up for, not an outage: retrying will not help
  [ErrorCode.PublisherUnsupported]: 501,
  [ErrorCode.LogSearchRangeTooLarge]: 400,
  // understood, but too costly as asked: the caller narrows it
  [ErrorCode.LogSearchTooBroad]: 422,
  [ErrorCode.WebhookInvalidSignature]: 401,
  [ErrorCode.WebhookUnknownRepository]: 404,
  // not an error to the sender: the delivery was received and left alone
  [ErrorCode.WebhookUnsupportedEvent]: 202,
  [ErrorCode.WebhookUnknownProvider]: 404,
  [ErrorCode.WebhookProviderUnsupported]: 422,
  [ErrorCode.ServiceUnavailable]: 503,
  [ErrorCode.InternalError]: 500,
  [ErrorCode.SecretUndecryptable]: 500,
};

export const httpStatusOf = (code: ErrorCode): number => HTTP_STATUS_OF[code] ?? 500;

// For errors raised by the framework itself (router, body parser), which know only a status.
export const errorCodeOfStatus = (status: number): ErrorCode => {
  switch (status) {
    case 401:
      return ErrorCode.Unauthenticated;
    case 403:
      return ErrorCode.InsufficientPermissions;
    case 404:
    case 405:
      return ErrorCode.NotFound;
    case 413:
      return ErrorCode.PayloadTooLarge;
    case 415:
      return ErrorCode.UnsupportedMediaType;
    case 429:
      return ErrorCode.RateLimited;
    case 503:
      return ErrorCode.ServiceUnavailable;
    default:
      return status >= 400 && status < 500 ? ErrorCode.InvalidInput : ErrorCode.InternalError;
  }
};
