import { isAbsolute } from 'node:path';
import { ErrorCode } from '@flightdeck/contracts';
import { StepFailedError } from '../build/step-errors';

export interface RepositorySource {
  /** what git clones */
  cloneUrl: string;
  /** safe to show: credentials removed */
  display: string;
  /** user name and password in the URL, masked in every log line like a sensitive variable */
  credentials: string[];
}

// https, file:// and local paths; anything else (ssh, ext::, options disguised as URLs) is refused
// before git sees it.
export function parseRepositoryUrl(raw: string): RepositorySource {
  const value = raw.trim();
  const refuse = (why: string) =>
    new StepFailedError(ErrorCode.DeploymentSourceUnavailable, 'clone', `repository ${JSON.stringify(value)} cannot be cloned: ${why}`);
  if (!value || /[\0\r\n]/.test(value)) throw refuse('empty or contains control characters');
  if (isAbsolute(value)) return { cloneUrl: value, display: value, credentials: [] };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw refuse('not an https:// or file:// URL, nor an absolute path');
  }
  if (url.protocol === 'file:') return { cloneUrl: value, display: value, credentials: [] };
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw refuse(`the ${url.protocol} scheme is not supported (https, file or a local path)`);
  const credentials = [url.username, url.password].map((c) => decodeURIComponent(c)).filter(Boolean);
  const bare = new URL(url.href);
  bare.username = '';
  bare.password = '';
  return { cloneUrl: url.href, display: bare.href, credentials };
}

const REF_CHARS = /^[A-Za-z0-9._/@+-]+$/;

// A branch, tag, commit sha or full ref name; nothing that git could read as an option or a
// revision expression.
export function isAcceptableRef(ref: string): boolean {
  return ref.length > 0 && ref.length <= 255 && REF_CHARS.test(ref) && !ref.startsWith('-') && !ref.includes('..') && !ref.includes('@{');
}
