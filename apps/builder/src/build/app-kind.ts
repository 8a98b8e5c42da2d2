// A Node server (has a `start` script) or a static site (built output dir with index.html, or
// plain HTML at the repository root).
export type AppKind = 'node' | 'static';
