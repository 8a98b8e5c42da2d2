export type Check = { ok: true } | { ok: false; reason: string };

const fine: Check = { ok: true };
const refuse = (reason: string): Check => ({ ok: false, reason });

// What the builder can clone: an https:// URL, a file:/// URL or an absolute local path. Refused
// here, at creation, so a bad URL is a 400 naming the field rather than a failed build later.
export function checkRepositoryUrl(value: string): Check {
  if (/[\x00-\x1f\x7f]/.test(value)) return refuse('must not contain control characters');
  // a local directory may well have spaces in its name; a URL may not
  if (value.startsWith('/')) return fine;
  if (/\s/.test(value)) return refuse('must not contain whitespace');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return refuse('must be an https:// URL, a file:/// URL or an absolute local path');
  }
  if (url.protocol === 'file:') {
    // file://host/... names another machine: only the local form is meaningful to the builder
    return value.startsWith('file:///') ? fine : refuse('a file URL must be file:///<absolute path>');
  }
  if (url.protocol !== 'https:') {
    return refuse(`the ${url.protocol.replace(/:$/, '')} scheme is not supported (https://, file:/// or an absolute local path)`);
  }
  if (!url.hostname) return refuse('an https URL must name a host');
  // the URL is shown in every read of the project: a token in it would be a secret in plaintext
  if (url.username || url.password) return refuse('must not contain credentials');
  return fine;
}

const REF_CHARS = /^[A-Za-z0-9._/+-]+$/;

// A branch or tag name git cannot read as an option or a revision expression.
export function checkBranchName(value: string): Check {
  if (!REF_CHARS.test(value)) return refuse('letters, digits and . _ / + - only');
  if (value.startsWith('-') || value.startsWith('/') || value.endsWith('/') || value.endsWith('.lock')) {
    return refuse('is not a valid branch name');
  }
  if (value.includes('..') || value.includes('//')) return refuse('is not a valid branch name');
  return fine;
}
