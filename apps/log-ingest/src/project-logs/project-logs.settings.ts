export const PROJECT_LOGS_SETTINGS = Symbol('PROJECT_LOGS_SETTINGS');

export interface ProjectLogsSettings {
  /** the operator's retention (LOG_INGEST_RETENTION_DAYS): a project without its own keeps lines this long */
  retentionDays: number;
}
