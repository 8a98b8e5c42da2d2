import type { z } from 'zod';

export interface FieldIssue {
  path: string;
  message: string;
}

// Zod issues as "field: message", with each unknown field named on its own.
export const describeInputIssues = (error: z.ZodError, label?: string): { message: string; fields: FieldIssue[] } => {
  const at = (path: (string | number)[]) => [label, ...path].filter((p) => p !== undefined && p !== '').join('.') || '(body)';
  const fields = error.issues.flatMap((issue): FieldIssue[] =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: at([...issue.path, key]), message: 'unknown field' }))
      : [{ path: at(issue.path), message: issue.message }],
  );
  return { message: fields.map((f) => `${f.path}: ${f.message}`).join('; '), fields };
};
