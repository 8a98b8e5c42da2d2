// Everything of the public API lives under this path; health and metrics stay at the root.
export const API_PREFIX = 'api/v1';
