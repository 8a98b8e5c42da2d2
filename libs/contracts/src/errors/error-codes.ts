export const ErrorCode = {
  InvalidInput: 'validation/invalid-input',
  InvalidMessage: 'validation/invalid-message',
  Unauthenticated: 'auth/unauthenticated',
  ServiceUnavailable: 'service/unavailable',
  InternalError: 'service/internal-error',
  ProjectNotFound: 'project/not-found',
  ProjectNameTaken: 'project/name-taken',
  EnvironmentNotFound: 'deployment/environment-not-found',
  // another live environment of the project has that name (on create, rename or restore)
  EnvironmentNameTaken: 'environment/name-taken',
  // a custom domain another environment (of any project) serves
  EnvironmentDomainTaken: 'environment/domain-taken',
  // the project's default environment cannot be deleted: make another one the default first
  EnvironmentIsDefault: 'environment/is-default',
  // un-defaulting the project's only default: make another one the default instead
  EnvironmentDefaultRequired: 'environment/default-required',
  VariableNotFound: 'variable/not-found',
  VariableInvalidValue: 'variable/invalid-value',
  // a validation rule that cannot work (a pattern that does not compile, min over max)
  VariableInvalidRule: 'variable/invalid-rule',
  // a .env body with lines that cannot be read, imported without `partial`: nothing was changed
  VariableImportMalformed: 'variable/import-malformed',
  // a stored value opens with no key of the keyring (a key removed too early, or the value altered)
  SecretUndecryptable: 'secret/undecryptable',
  // the project's repository could not be read for detection (unreachable, too big, too slow)
  DetectionSourceUnavailable: 'detection/source-unavailable',
  DeploymentNotFound: 'deployment/not-found',
  DeploymentAlreadyRunning: 'deployment/already-running',
  // the builder running the attempt stopped (crash, kill, shutdown): another attempt is sent while attempts remain
  BuildInterrupted: 'build/interrupted',
  // the environment's queue (policy `queue`) holds MAX_QUEUED waiting deployments already
  DeploymentQueueFull: 'deployment/queue-full',
  DeploymentInvalidSourceRef: 'deployment/invalid-source-ref',
  DeploymentSourceUnavailable: 'deployment/source-unavailable',
  DeploymentProviderError: 'deployment/provider-error',
  DeploymentBuildFailed: 'deployment/build-failed',
  DeploymentDeployFailed: 'deployment/deploy-failed',
  DeploymentTimeout: 'deployment/timeout',
  DeploymentCanceled: 'deployment/canceled',
  DeploymentInvalidState: 'deployment/invalid-state',
  DeploymentNoRollbackTarget: 'deployment/no-rollback-target',
  // the environment's allowedRefs has no pattern matching the trigger's ref (nothing was created)
  DeploymentRefNotAllowed: 'deployment/ref-not-allowed',
  // a rollback paused the environment's deployments: automatic ones are refused, manual ones need force (or a resume)
  EnvironmentPaused: 'deployment/environment-paused',
  // required approvals (issue 23): the approver's role is below the rule's minimum
  DeploymentApprovalNotAllowed: 'deployment/approval-not-allowed',
  // required approvals with forbidAuthor: the trigger's author may not approve their own deployment
  DeploymentApprovalByAuthor: 'deployment/approval-by-author',
  // an approval or rejection of a deployment that is not awaiting approval (any more)
  DeploymentNotAwaitingApproval: 'deployment/not-awaiting-approval',
  // a freeze window with behaviour refuse covers now: nothing was created (an admin may force)
  EnvironmentFrozen: 'deployment/environment-frozen',
  // an environment's protection rules name a cron expression or time zone that cannot be read
  EnvironmentInvalidProtection: 'environment/invalid-protection',
  // the environment requires passing tests (protection requireTestsPassed) and the build would run none (no testCommand, or skipBuild)
  DeploymentTestsRequired: 'deployment/tests-required',
  // the pre-flight found required variables missing or values failing their rules (details: every problem by key)
  DeploymentInvalidConfiguration: 'deployment/invalid-configuration',
  // a custom provider's publisher credential used for a deployment other than its own
  PublisherWrongDeployment: 'publisher/wrong-deployment',
  // a publisher credential that is not (or no longer) valid: its deployment ended, it expired, or it is not one we issued
  PublisherCredentialInvalid: 'publisher/credential-invalid',
  InsufficientPermissions: 'deployment/insufficient-permissions',
  UserNotFound: 'user/not-found',
  UserNameTaken: 'user/name-taken',
  TokenNotFound: 'token/not-found',
  MemberNotFound: 'member/not-found',
  // a project keeps at least one owner: make another member owner first
  MemberLastOwner: 'member/last-owner',
  RateLimited: 'deployment/rate-limited',
  // a schedule's cron expression (or its time zone) cannot be read, or never fires
  ScheduleInvalidCron: 'schedule/invalid-cron',
  ScheduleNotFound: 'schedule/not-found',
  NotFound: 'http/not-found',
  // a body over the size the route takes (1 MiB of JSON)
  PayloadTooLarge: 'http/payload-too-large',
  // a JSON route sent a body that is not application/json
  UnsupportedMediaType: 'http/unsupported-media-type',
  PublisherNotFound: 'publisher/not-found',
  // this gateway does not manage the NATS server's users (the operator does)
  PublisherUnsupported: 'publisher/unsupported',
  // a log search over more days than it may span, or one that would read too much to answer in time
  LogSearchRangeTooLarge: 'logs/range-too-large',
  LogSearchTooBroad: 'logs/search-too-broad',
  // a webhook delivery whose X-Hub-Signature-256 is missing or signed with no secret of a project of its repository
  WebhookInvalidSignature: 'webhook/invalid-signature',
  // no live project with a webhook secret has the delivery's repository
  WebhookUnknownRepository: 'webhook/unknown-repository',
  // a signed delivery of an event (or action) the platform does not act on: answered 202, ignored
  WebhookUnsupportedEvent: 'webhook/unsupported-event',
  // a provider status webhook (POST /hooks/providers/:provider/:environmentId) for a provider the environment is not configured with
  WebhookUnknownProvider: 'webhook/unknown-provider',
  // a provider status webhook for a provider that sends none (only vercel, netlify and custom do)
  WebhookProviderUnsupported: 'webhook/provider-unsupported',
  // outgoing hooks (issue 23): no such hook or delivery in the project
  HookNotFound: 'hook/not-found',
  // a hook URL whose host is loopback, private, link-local or otherwise not public (the platform is no SSRF proxy)
  HookUrlRefused: 'hook/url-refused',
  // a redelivery of a delivery still being tried (it is sent again by itself)
  HookDeliveryPending: 'hook/delivery-pending',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export const ALL_ERROR_CODES = Object.values(ErrorCode) as readonly ErrorCode[];
