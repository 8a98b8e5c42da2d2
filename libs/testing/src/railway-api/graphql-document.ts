// Just enough GraphQL for the Railway fake (no GraphQL library among our dependencies): one
// operation's root fields, their arguments (variables or literals) and nested selection sets, and
// answers projected onto what was selected, with GraphQL's own error for a field a type lacks.

export interface Selection {
  name: string;
  args: Record<string, unknown>;
  selections?: Selection[];
}

export interface Operation {
  kind: 'query' | 'mutation';
  fields: Selection[];
}

const TOKEN = /\$?[A-Za-z_][A-Za-z0-9_]*|"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|[{}():!\[\]=@]/g;

export class GraphQLError extends Error {}

export function parseOperation(source: string, variables: Record<string, unknown> = {}): Operation {
  const tokens = source.replace(/#[^\n]*/g, '').match(TOKEN) ?? [];
  let i = 0;
  const peek = () => tokens[i];
  const next = () => {
    if (i >= tokens.length) throw new GraphQLError('Syntax Error: Unexpected <EOF>.');
    return tokens[i++];
  };
  const expect = (t: string) => {
    const got = next();
    if (got !== t) throw new GraphQLError(`Syntax Error: Expected "${t}", found "${got}".`);
  };
  const value = (): unknown => {
    const t = next();
    if (t.startsWith('$')) {
      const name = t.slice(1);
      if (!(name in variables)) throw new GraphQLError(`Variable "$${name}" of required type was not provided.`);
      return variables[name];
    }
    if (t.startsWith('"')) return JSON.parse(t) as unknown;
    if (t === 'true' || t === 'false') return t === 'true';
    if (t === 'null') return null;
    if (/^-?\d/.test(t)) return Number(t);
    if (t === '{') {
      const obj: Record<string, unknown> = {};
      while (peek() !== '}') {
        const key = next();
        expect(':');
        obj[key] = value();
      }
      expect('}');
      return obj;
    }
    return t; // an enum value
  };
  const selectionSet = (): Selection[] => {
    expect('{');
    const out: Selection[] = [];
    while (peek() !== '}') {
      const name = next();
      const args: Record<string, unknown> = {};
      if (peek() === '(') {
        next();
        while (peek() !== ')') {
          const arg = next();
          expect(':');
          args[arg] = value();
        }
        expect(')');
      }
      out.push({ name, args, ...(peek() === '{' ? { selections: selectionSet() } : {}) });
    }
    expect('}');
    return out;
  };
  let kind: Operation['kind'] = 'query';
  if (peek() === 'query' || peek() === 'mutation') {
    kind = next() as Operation['kind'];
    if (peek() !== '(' && peek() !== '{') next(); // the operation's name
    if (peek() === '(') {
      let depth = 0;
      do {
        const t = next();
        if (t === '(') depth++;
        if (t === ')') depth--;
      } while (depth > 0);
    }
  }
  const fields = selectionSet();
  if (i !== tokens.length) throw new GraphQLError(`Syntax Error: Unexpected "${peek()}".`);
  return { kind, fields };
}

/** the answer reduced to the selection; a field the object lacks is GraphQL's validation error */
export function project(value: unknown, selections: Selection[] | undefined, typeName: string): unknown {
  if (value === null || value === undefined || !selections) return value ?? null;
  if (Array.isArray(value)) return value.map((v) => project(v, selections, typeName));
  const obj = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const s of selections) {
    if (!(s.name in obj)) throw new GraphQLError(`Cannot query field "${s.name}" on type "${typeName}".`);
    out[s.name] = project(obj[s.name], s.selections, s.name);
  }
  return out;
}
