import { loadLogIngestConfig } from './log-ingest.config';

const env = (over: Record<string, string> = {}) => ({ DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db', ...over });

describe('log-ingest settings', () => {
  it('keeps log lines 30 days unless told otherwise', () => {
    expect(loadLogIngestConfig(env()).LOG_INGEST_RETENTION_DAYS).toBe(30);
    expect(loadLogIngestConfig(env({ LOG_INGEST_RETENTION_DAYS: '7' })).LOG_INGEST_RETENTION_DAYS).toBe(7);
  });

  it('refuses a retention of zero days, or a negative or fractional one', () => {
    for (const v of ['0', '-1', '1.5', 'forever']) expect(() => loadLogIngestConfig(env({ LOG_INGEST_RETENTION_DAYS: v }))).toThrow(/LOG_INGEST_RETENTION_DAYS/);
  });
});
