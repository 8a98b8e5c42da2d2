import { ProviderError } from '../provider-error';
import { DOCKER } from './docker-settings';

const NETWORK = new Set(['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED']);

interface ModemError {
  statusCode?: number;
  json?: unknown;
  code?: string;
  message: string;
}

/** the engine's own {message}, from docker-modem's error ("(HTTP code 404) no such container - No such container: x ") */
export function engineMessage(e: ModemError): string {
  const json = e.json as { message?: unknown } | null | undefined;
  if (json && typeof json === 'object' && typeof json.message === 'string') return json.message;
  return /^\(HTTP code \d+\) [^-]*- (.*?)\s*$/s.exec(e.message)?.[1] ?? e.message;
}

// An Engine API failure as deployment/provider-error: the engine's message kept, 5xx and a connection
// that failed retryable (the caller retries only calls that are safe to repeat), 4xx final.
export function engineError(e: unknown, doing: string, engine: string): ProviderError {
  if (e instanceof ProviderError) return e;
  const err = e as ModemError;
  if (err.statusCode) {
    return new ProviderError(DOCKER, `${doing}: HTTP ${err.statusCode}: ${engineMessage(err)}`, { status: err.statusCode, retryable: err.statusCode >= 500 });
  }
  if (err.code && NETWORK.has(err.code)) {
    return new ProviderError(DOCKER, `${doing}: cannot reach the Docker engine at ${engine} (${err.code})`, { retryable: true });
  }
  return new ProviderError(DOCKER, `${doing}: ${err.message}`);
}
