import { getProjectAnalytics } from './analytics/deployment-analytics.schema';
import { buildFinished, buildHeartbeat, buildProgressed } from './builds/build-events.schema';
import { deployJobQueued } from './builds/deploy-job.schema';
import type { CommandDefinition, EventDefinition } from './define';
import {
  cancelDeployment,
  getDeployment,
  listDeployments,
  rollbackDeployment,
  retryDeployment,
  getDeploymentProgress,
  triggerDeployment,
} from './deployments/deployment-commands.schema';
import { deploymentCancelRequested, deploymentStatusChanged } from './deployments/deployment-events.schema';
import { deleteDeploymentSchedule, listDeploymentSchedules, setDeploymentSchedule } from './schedules/deployment-schedule.schema';
import { getEnvironmentPause, resumeEnvironment } from './deployments/environment-pause.schema';
import { decideApproval } from './deployments/approval.schema';
import { getEnvironmentHealth } from './releases/environment-health.schema';
import { actOnCanary } from './releases/canary.schema';
import { reportToProvider } from './releases/provider-report.schema';
import { receiveProviderWebhook } from './releases/provider-webhook.schema';
import { edgeRouteChanged, listEdgeRoutes } from './releases/edge-routes.schema';
import {
  countLogLevels,
  getLogVolume,
  listLogLines,
  logLinesPublished,
  pinLogLines,
  searchLogLines,
  searchProjectLogLines,
  setLogRetention,
} from './logs/log-line.schema';
import {
  createProject,
  getEnvironment,
  getProject,
  listEnvironments,
  listProjects,
  setEnvironmentConcurrency,
  setEnvironmentLimits,
} from './projects/project.schema';
import {
  createEnvironment,
  deleteEnvironment,
  environmentDeleted,
  environmentRestored,
  getProjectEnvironment,
  restoreEnvironment,
  updateEnvironment,
  listEnvironmentDomains,
} from './projects/environment-commands.schema';
import { deleteProject, restoreProject, updateProject } from './projects/project-commands.schema';
import { deleteVariable, listVariables, resolveVariables, setVariable } from './projects/variable.schema';
import {
  deleteProjectVariable,
  exportVariables,
  importVariables,
  listProjectVariables,
  rotateSecretKey,
  setProjectVariable,
} from './projects/project-variable.schema';
import { checkDeploymentConfiguration } from './projects/preflight.schema';
import { diffDeploymentConfigurations, getDeploymentConfiguration } from './projects/deployment-configuration.schema';
import { validateVariables } from './projects/variable-validation.schema';
import { detectVariables } from './projects/detected-variable.schema';
import { hookSecret } from './hooks/hook.schema';
import { getWebhookSettings, matchWebhookProjects, rotateWebhookSecret, setGithubToken } from './webhooks/webhook.schema';
import type { StreamKey } from './subjects';
import { type ServiceName, pingServices } from './system/service-status.schema';

// Who may do what on the bus: per service, the commands it answers and sends, the facts it
// publishes and reads. libs/messaging derives each service's nats-server permissions from this
// (publish/subscribe allow lists, replies through allow_responses, its own inbox prefix), so a
// service that starts using a subject must be declared here first, or the server refuses it.

/** the durable consumer names, one per consuming service, shared by all its replicas */
export const Durables = {
  deployJobs: 'builder',
  buildEvents: 'deployment-orchestrator-build-events',
  logBatches: 'log-ingest-lines',
  // which project and environment each deployment belongs to, for project-wide log search
  logDeployments: 'log-ingest-deployments',
  externalBuildEvents: 'deployment-orchestrator-external-events',
  deploymentMetrics: 'deployment-orchestrator-metrics',
  environmentQueue: 'deployment-orchestrator-queue',
  // the builder: a deleted environment's URL stops serving, a restored one's serves again
  environmentReleases: 'builder-environments',
  // the orchestrator: a deleted environment's deployments in progress stop
  environmentDeletions: 'deployment-orchestrator-environments',
  // the gateway: outgoing hooks, a delivery row per subscribed hook for each status event
  gatewayHooks: 'gateway-hooks',
} as const;

/** where a consumer parks a message it cannot handle */
export const deadLetterSubject = (durable: string) => `deadletter.${durable}`;

export interface DurableConsumerAccess {
  stream: StreamKey;
  durable: string;
  /** the consumer's filter subject, when it reads only part of the stream */
  filterSubject?: string;
}

export interface OrderedConsumerAccess {
  stream: StreamKey;
  /** the event it follows; its `*` token is the per-consumer filter (one deployment) */
  event: EventDefinition;
}

export interface ServiceBusAccess {
  /** commands and queries it answers (a queue group: one replica answers) */
  handles: readonly CommandDefinition[];
  /** commands it answers on every replica (no queue group), e.g. the status ping */
  broadcasts: readonly CommandDefinition[];
  /** commands and queries it sends (request/reply, or scatter-gather) */
  requests: readonly CommandDefinition[];
  /** facts it publishes to JetStream (through its outbox or directly) */
  publishes: readonly EventDefinition[];
  /** facts it hears over core NATS on every replica (no JetStream consumer) */
  listens: readonly EventDefinition[];
  /** durable pull consumers it creates, reads and acks; bad messages go to deadletter.<durable> */
  consumes: readonly DurableConsumerAccess[];
  /** ordered (ephemeral, unacked) consumers it creates per followed item */
  follows: readonly OrderedConsumerAccess[];
  /** streams it reads single messages from (last message of a subject) */
  readsMessages: readonly StreamKey[];
}

const none = [] as const;

export const BusAccess: Record<ServiceName, ServiceBusAccess> = {
  gateway: {
    handles: none,
    broadcasts: [pingServices],
    requests: [
      pingServices,
      createProject,
      listProjects,
      getProject,
      // which project an /environments/:environmentId route touches, for the caller's rights
      getEnvironment,
      // an environment's release health, from the builder
      getEnvironmentHealth,
      // the edge: which builder runs each label's release, and the environments' custom domains
      listEdgeRoutes,
      listEnvironmentDomains,
      // promote or abort a running canary: every builder hears it, the one running it acts
      actOnCanary,
      // a custom provider's report with its publisher credential: the builder running the deployment acts
      reportToProvider,
      // a provider's status webhook, byte for byte: the builder running a deployment of the environment holds its secret
      receiveProviderWebhook,
      updateProject,
      deleteProject,
      restoreProject,
      listEnvironments,
      createEnvironment,
      getProjectEnvironment,
      updateEnvironment,
      deleteEnvironment,
      restoreEnvironment,
      setEnvironmentLimits,
      setEnvironmentConcurrency,
      setVariable,
      listVariables,
      deleteVariable,
      setProjectVariable,
      listProjectVariables,
      deleteProjectVariable,
      importVariables,
      exportVariables,
      rotateSecretKey,
      validateVariables,
      detectVariables,
      getDeploymentConfiguration,
      diffDeploymentConfigurations,
      triggerDeployment,
      getDeployment,
      listDeployments,
      cancelDeployment,
      rollbackDeployment,
      retryDeployment,
      getDeploymentProgress,
      getProjectAnalytics,
      setDeploymentSchedule,
      listDeploymentSchedules,
      deleteDeploymentSchedule,
      getEnvironmentPause,
      resumeEnvironment,
      decideApproval,
      listLogLines,
      searchLogLines,
      searchProjectLogLines,
      countLogLevels,
      getLogVolume,
      setLogRetention,
      pinLogLines,
      rotateWebhookSecret,
      setGithubToken,
      getWebhookSettings,
      matchWebhookProjects,
      hookSecret,
    ],
    publishes: none,
    // the edge: a label moved to another builder
    listens: [edgeRouteChanged],
    // outgoing hooks: every status event, by one durable consumer shared by the replicas
    consumes: [{ stream: 'deploymentEvents', durable: Durables.gatewayHooks, filterSubject: 'deployments.evt.status.>' }],
    follows: [
      { stream: 'buildLogs', event: logLinesPublished },
      { stream: 'deploymentEvents', event: deploymentStatusChanged },
    ],
    readsMessages: none,
  },
  'deployment-orchestrator': {
    handles: [
      triggerDeployment,
      getDeployment,
      listDeployments,
      cancelDeployment,
      rollbackDeployment,
      retryDeployment,
      getDeploymentProgress,
      getProjectAnalytics,
      setDeploymentSchedule,
      listDeploymentSchedules,
      deleteDeploymentSchedule,
      getEnvironmentPause,
      resumeEnvironment,
      decideApproval,
    ],
    broadcasts: [pingServices],
    requests: [getProject, getEnvironment, listEnvironments, checkDeploymentConfiguration],
    // external publishers' log lines are forwarded to build.logs.<id> once checked
    publishes: [deploymentStatusChanged, deploymentCancelRequested, deployJobQueued, logLinesPublished],
    // every replica hears builders' heartbeats
    listens: [buildHeartbeat],
    consumes: [
      { stream: 'buildEvents', durable: Durables.buildEvents },
      { stream: 'externalBuildEvents', durable: Durables.externalBuildEvents },
      // its own status events, for its metrics
      { stream: 'deploymentEvents', durable: Durables.deploymentMetrics, filterSubject: 'deployments.evt.status.>' },
      // and to start the next waiting deployment once one has ended, and the pre-flight of one that entered `validating`
      { stream: 'deploymentEvents', durable: Durables.environmentQueue, filterSubject: 'deployments.evt.status.>' },
      // a deleted environment's deployments in progress are canceled
      { stream: 'environmentEvents', durable: Durables.environmentDeletions, filterSubject: 'environments.evt.deleted.*' },
    ],
    follows: none,
    readsMessages: none,
  },
  builder: {
    handles: [getEnvironmentHealth, listEdgeRoutes],
    broadcasts: [pingServices, actOnCanary, reportToProvider, receiveProviderWebhook],
    // getDeployment: a running job checks on its heartbeat that its deployment still wants it;
    // getEnvironment: a job reads its environment's resource limits;
    // listLogLines: where a release's runtime log continues once the stream no longer holds its lines
    requests: [resolveVariables, getDeployment, getEnvironment, listLogLines],
    publishes: [buildProgressed, buildFinished, logLinesPublished, buildHeartbeat, edgeRouteChanged],
    // a label it served moved to another builder: its release there drains and stops
    listens: [deploymentCancelRequested, edgeRouteChanged],
    consumes: [
      { stream: 'deployJobs', durable: Durables.deployJobs },
      { stream: 'environmentEvents', durable: Durables.environmentReleases },
    ],
    follows: none,
    // the stale-job sweeper reads a dead build's last log line to continue its seq
    readsMessages: ['buildLogs'],
  },
  'log-ingest': {
    handles: [listLogLines, searchLogLines, searchProjectLogLines, countLogLevels, getLogVolume, setLogRetention, pinLogLines],
    broadcasts: [pingServices],
    requests: none,
    publishes: none,
    listens: none,
    consumes: [
      { stream: 'buildLogs', durable: Durables.logBatches },
      { stream: 'deploymentEvents', durable: Durables.logDeployments, filterSubject: 'deployments.evt.status.>' },
    ],
    follows: none,
    readsMessages: none,
  },
  'environment-manager': {
    handles: [
      createProject,
      listProjects,
      getProject,
      updateProject,
      deleteProject,
      restoreProject,
      listEnvironments,
      getEnvironment,
      createEnvironment,
      getProjectEnvironment,
      updateEnvironment,
      deleteEnvironment,
      restoreEnvironment,
      listEnvironmentDomains,
      setEnvironmentLimits,
      setEnvironmentConcurrency,
      setVariable,
      listVariables,
      deleteVariable,
      setProjectVariable,
      listProjectVariables,
      deleteProjectVariable,
      importVariables,
      exportVariables,
      rotateSecretKey,
      resolveVariables,
      validateVariables,
      detectVariables,
      checkDeploymentConfiguration,
      getDeploymentConfiguration,
      diffDeploymentConfigurations,
      rotateWebhookSecret,
      setGithubToken,
      getWebhookSettings,
      matchWebhookProjects,
      hookSecret,
    ],
    broadcasts: [pingServices],
    requests: [getDeployment],
    // through its outbox; the builder stops a deleted environment's release and serves a restored one's
    publishes: [environmentDeleted, environmentRestored],
    listens: none,
    consumes: none,
    follows: none,
    readsMessages: none,
  },
};

/** the inbox prefix a service's replies arrive under: its own, so no one else can read them */
export const inboxPrefixOf = (service: string) => `_INBOX_${service}`;
