// Every NATS subject of the platform. `*` tokens are filled per message (usually a deployment id).
export const Subjects = {
  system: {
    statusPing: 'system.status.ping',
  },
  projects: {
    create: 'projects.cmd.create',
    list: 'projects.query.list',
    get: 'projects.query.get',
    update: 'projects.cmd.update',
    // soft delete (with its live environments) and its undo
    delete: 'projects.cmd.delete',
    restore: 'projects.cmd.restore',
  },
  environments: {
    list: 'environments.query.list',
    get: 'environments.query.get',
    // replaces the environment's limits as a whole; {} clears them back to the operator's defaults
    setLimits: 'environments.cmd.set-limits',
    // what a trigger does while the environment already has a deployment in progress
    setConcurrency: 'environments.cmd.set-concurrency',
    create: 'environments.cmd.create',
    // one environment of the project named in the request (getEnvironment answers by id alone)
    getInProject: 'environments.query.get-in-project',
    update: 'environments.cmd.update',
    // soft delete and its undo
    delete: 'environments.cmd.delete',
    restore: 'environments.cmd.restore',
    // every live environment's custom domains, for the edge
    domains: 'environments.query.domains',
    deleted: 'environments.evt.deleted.*',
    restored: 'environments.evt.restored.*',
  },
  variables: {
    set: 'variables.cmd.set',
    delete: 'variables.cmd.delete',
    list: 'variables.query.list',
    // plaintext values: only for the builder running a job
    resolve: 'variables.query.resolve',
    // values checked against their rules (sensitive ones decrypted inside environment-manager only)
    validate: 'variables.query.validate',
    // what a project's repository says it needs, against what the environment has
    detect: 'variables.query.detect',
    // a deployment's pre-flight: the environment's variables against what its source needs
    preflight: 'variables.query.preflight',
    // what a deployment was built and run with (recorded when its variables were resolved), and two compared
    configuration: 'variables.query.configuration',
    configurationDiff: 'variables.query.configuration-diff',
    // project-wide variables, inherited by every environment of the project
    setProject: 'variables.cmd.set-project',
    deleteProject: 'variables.cmd.delete-project',
    listProject: 'variables.query.list-project',
    // a .env body in, a .env text out (sensitive values never leave)
    import: 'variables.cmd.import',
    export: 'variables.query.export',
    // re-seal stored values under the current key of the keyring, a batch at a time
    rotateKey: 'variables.cmd.rotate-key',
  },
  deployments: {
    trigger: 'deployments.cmd.trigger',
    cancel: 'deployments.cmd.cancel',
    rollback: 'deployments.cmd.rollback',
    retry: 'deployments.cmd.retry',
    get: 'deployments.query.get',
    list: 'deployments.query.list',
    progress: 'deployments.query.progress',
    analytics: 'deployments.query.analytics',
    // an environment's pause after rollback (issue 23)
    pause: 'deployments.query.pause',
    resume: 'deployments.cmd.resume',
    // an approval or rejection of a deployment held by required approvals (issue 23)
    decideApproval: 'deployments.cmd.decide-approval',
    statusChanged: 'deployments.evt.status.*',
    cancelRequested: 'deployments.evt.cancel-requested.*',
  },
  // git webhooks: the project's webhook secret, owned by environment-manager
  webhooks: {
    rotateSecret: 'webhooks.cmd.rotate-secret',
    setGithubToken: 'webhooks.cmd.set-github-token',
    settings: 'webhooks.query.settings',
    match: 'webhooks.query.match',
  },
  // outgoing hooks (issue 23): their signing secrets, sealed by environment-manager
  hooks: {
    secret: 'hooks.cmd.secret',
  },
  // deployment schedules (cron per environment), owned by the orchestrator
  schedules: {
    set: 'schedules.cmd.set',
    delete: 'schedules.cmd.delete',
    list: 'schedules.query.list',
  },
  jobs: {
    deploy: 'jobs.deploy',
  },
  releases: {
    // an environment's release health, answered by the builder (issue 17 item 3)
    health: 'releases.query.health',
    // promote or abort a running canary, heard by every builder replica
    canary: 'releases.cmd.canary',
    // a custom provider's system reports on its deployment with its short-lived credential: heard by every builder, the one running it acts
    providerReport: 'releases.cmd.provider-report',
    // a provider's status webhook, byte for byte: heard by every builder, the one running a deployment of the environment verifies and applies it
    providerWebhook: 'releases.cmd.provider-webhook',
    // the edge's route table: any builder answers it whole; each change is heard by every edge and builder
    edgeRoutes: 'releases.query.edge-routes',
    edgeRouteChanged: 'releases.evt.edge-route',
  },
  build: {
    logs: 'build.logs.*',
    progress: 'build.progress.*',
    result: 'build.result.*',
    // a running job is alive: core NATS only (no stream keeps them), every few seconds
    heartbeat: 'build.heartbeat.*',
  },
  logs: {
    list: 'logs.query.list',
    search: 'logs.query.search',
    searchProject: 'logs.query.search-project',
    levels: 'logs.query.levels',
    volume: 'logs.query.volume',
    setRetention: 'logs.cmd.set-retention',
    pin: 'logs.cmd.pin',
  },
  // build events of external deployments, as their publishers send them: the project id in the
  // subject is what a publisher's NATS permissions pin; the orchestrator checks the deployment is
  // that project's and external, then applies them like the builder's own
  external: {
    logs: 'external.*.build.logs.*',
    progress: 'external.*.build.progress.*',
    result: 'external.*.build.result.*',
  },
  deadLetter: 'deadletter.*',
} as const;

export type ExternalBuildEventKind = keyof typeof Subjects.external;

// external.<projectId>.build.<kind>.<deploymentId>
export const externalSubject = (kind: ExternalBuildEventKind, projectId: string, deploymentId: string): string =>
  subjectFor(subjectFor(Subjects.external[kind], projectId), deploymentId);

/** external.<projectId>: the prefix of every subject a project's publishers may publish to */
export const externalSubjectPrefix = (projectId: string): string => subjectFor('external.*', projectId);

export const parseExternalSubject = (subject: string): { projectId: string; kind: string; deploymentId: string } | undefined => {
  const m = /^external\.([^.]+)\.build\.([^.]+)\.([^.]+)$/.exec(subject);
  return m ? { projectId: m[1], kind: m[2], deploymentId: m[3] } : undefined;
};

// Fills the `*` token of a per-deployment subject.
export const subjectFor = (pattern: string, token: string): string => {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) throw new Error(`invalid subject token: ${token}`);
  return pattern.replace('*', token);
};

// JetStream streams: names and the subjects they capture. Retention is chosen in libs/messaging.
export const Streams = {
  deployJobs: { name: 'DEPLOY_JOBS', subjects: ['jobs.deploy'] },
  buildLogs: { name: 'BUILD_LOGS', subjects: ['build.logs.*'] },
  buildEvents: { name: 'BUILD_EVENTS', subjects: ['build.progress.*', 'build.result.*'] },
  deploymentEvents: { name: 'DEPLOYMENT_EVENTS', subjects: ['deployments.evt.>'] },
  environmentEvents: { name: 'ENVIRONMENT_EVENTS', subjects: ['environments.evt.>'] },
  deadLetters: { name: 'DEAD_LETTERS', subjects: ['deadletter.>'] },
  externalBuildEvents: { name: 'EXTERNAL_BUILD_EVENTS', subjects: ['external.>'] },
} as const;
export type StreamKey = keyof typeof Streams;
