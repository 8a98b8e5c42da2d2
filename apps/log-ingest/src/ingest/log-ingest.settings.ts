export const LOG_INGEST_SETTINGS = Symbol('LOG_INGEST_SETTINGS');

// How much one transaction may write: bigger batches are faster, smaller ones ack sooner.
export interface LogIngestSettings {
  maxMessagesPerTx: number;
  maxLinesPerTx: number;
}
