import fc from 'fast-check';

// Requests generated from the gateway's OpenAPI document: values its schemas describe, the same
// values bent out of shape, and values no schema would allow (NUL, lone surrogates, numbers past
// any column, dot segments, very long text, wrong types and content types, malformed JSON).

export interface JsonSchema {
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  const?: unknown;
  nullable?: boolean;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number | boolean;
  exclusiveMaximum?: number | boolean;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  $ref?: string;
}

export interface OpenApiParameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: JsonSchema;
}

export interface OpenApiOperation {
  method: string;
  path: string;
  parameters: OpenApiParameter[];
  body?: JsonSchema;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, { parameters?: OpenApiParameter[]; requestBody?: { content?: Record<string, { schema?: JsonSchema }> } }>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

/** every operation of the document, with its body schema resolved */
export const operationsOf = (doc: OpenApiDocument): OpenApiOperation[] =>
  Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => {
      const body = op.requestBody?.content?.['application/json']?.schema;
      return { method: method.toUpperCase(), path, parameters: op.parameters ?? [], body: body && resolve(doc, body) };
    }),
  );

const resolve = (doc: OpenApiDocument, schema: JsonSchema): JsonSchema => {
  if (!schema.$ref) return schema;
  const name = schema.$ref.replace('#/components/schemas/', '');
  const found = doc.components?.schemas?.[name];
  if (!found) throw new Error(`the document refers to ${schema.$ref}, which it does not hold`);
  return found;
};

export interface FuzzRequest {
  method: string;
  /** the path with its parameters filled in, already percent-encoded where it had to be */
  path: string;
  /** the raw query string, without '?' */
  query: string;
  headers: Record<string, string>;
  /** sent as is */
  body?: string;
  caller: 'admin' | 'viewer' | 'none' | 'wrong-token';
  /** what the generator meant to send, for the report */
  note: string;
}

// ---- hostile values -------------------------------------------------------------------------

export const HOSTILE_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\ufeff',
  '\u202e\u0635',
  '../../../etc/passwd',
  '..',
  '.',
  "'; drop table projects; --",
  '%s%n%x',
  '${jndi:ldap://x}',
  '<script>alert(1)</script>',
  '\n\r\t',
  '\\',
  '"',
  'null',
  'true',
  '[]',
  '{}',
  'NaN',
  '-1',
  '1e19',
  '3000000000',
  '__proto__',
  'constructor',
  '😀'.repeat(64),
  'y'.repeat(2_000),
  'x'.repeat(5_000),
  'é'.repeat(70_000),
];

// numbers past what an int4, an int8 or a double's exact range hold, and ones no integer is
export const HOSTILE_NUMBERS = [-1, 0, -0, 1.5, 2 ** 31 - 1, 2 ** 31, 3_000_000_000, 2 ** 53, 2 ** 53 + 2, 1e19, -1e19, 1e308, -(2 ** 63), Number.MIN_VALUE];

// query text a number would be parsed from
export const HOSTILE_NUMBER_TEXT = ['1e19', '-1', '3000000000', 'NaN', '1.5', 'Infinity', '-Infinity', '', '0x10', '1_000', ' 7', '07', '+1', '9'.repeat(400), '1e-400', '-0'];

// already percent-encoded: bytes that are no UTF-8, NUL, dot segments, a broken escape
export const RAW_SEGMENTS = ['%ED%A0%80', '%00', '%C0%AF', '%FF%FE', '%', '%zz', '%2e%2e', '..%2F..%2Fhealth%2Fready', '%2F', 'a%00b', '%E2%80%AE', '%F0%9F%98%80'];

const UNRESERVED = /[A-Za-z0-9\-._~]/;
/** percent-encodes the UTF-8 of `s` (a lone surrogate becomes U+FFFD, as any client's encoder does) */
export const pct = (s: string): string =>
  [...Buffer.from(s, 'utf8')].map((b) => (UNRESERVED.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');

const hostileString = fc.constantFrom(...HOSTILE_STRINGS);
// in a URL every value stays under Node's 16 KiB header limit (past it Node itself answers 431)
const hostileUrlString = fc.constantFrom(...HOSTILE_STRINGS.filter((s) => s.length <= 2_000));
const anyText = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 2, arbitrary: hostileUrlString },
);

// ---- JSON values from a schema ----------------------------------------------------------------

export interface IdPools {
  /** ids that exist, by path parameter name (projectId, environmentId, ...) */
  [name: string]: string[];
}

const typesOf = (s: JsonSchema): string[] => {
  if (s.type) return Array.isArray(s.type) ? s.type : [s.type];
  if (s.enum) return [];
  if (s.properties) return ['object'];
  return [];
};

const stringFor = (s: JsonSchema, ids: string[]): fc.Arbitrary<string> => {
  if (s.format === 'uuid') return fc.oneof(...(ids.length ? [fc.constantFrom(...ids)] : []), fc.uuid());
  const min = s.minLength ?? 0;
  const max = Math.max(min, Math.min(s.maxLength ?? 40, 40));
  const plain = fc.string({ minLength: min, maxLength: max });
  if (s.pattern) {
    let matching: fc.Arbitrary<string> | undefined;
    try {
      matching = fc.stringMatching(new RegExp(s.pattern)).filter((v) => v.length >= min && v.length <= (s.maxLength ?? Infinity));
    } catch {
      /* a pattern fast-check cannot generate from: plain strings only */
    }
    return matching ? fc.oneof({ weight: 4, arbitrary: matching }, { weight: 1, arbitrary: plain }) : plain;
  }
  if (s.format === 'date-time') return fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), plain);
  if (s.format === 'uri' || s.format === 'url') return fc.oneof(fc.webUrl(), plain);
  return plain;
};

const numberFor = (s: JsonSchema, integer: boolean): fc.Arbitrary<number> => {
  const lo = typeof s.minimum === 'number' ? s.minimum : typeof s.exclusiveMinimum === 'number' ? s.exclusiveMinimum + 1 : -1e6;
  const hi = typeof s.maximum === 'number' ? s.maximum : typeof s.exclusiveMaximum === 'number' ? s.exclusiveMaximum - 1 : 1e6;
  const min = Math.max(lo, Number.MIN_SAFE_INTEGER);
  const max = Math.min(hi, Number.MAX_SAFE_INTEGER);
  const inRange = integer ? fc.integer({ min: Math.ceil(min), max: Math.floor(Math.max(min, max)) }) : fc.double({ min, max: Math.max(min, max), noNaN: true });
  return fc.oneof({ weight: 4, arbitrary: inRange }, { weight: 1, arbitrary: fc.constantFrom(min, max, min - 1, max + 1) });
};

/** values `s` allows, mostly; `hostility` in 0..1 is how often a value is swapped for one it does not */
export const valueOf = (s: JsonSchema, pools: IdPools, name = '', depth = 0, hostility = 0.1): fc.Arbitrary<unknown> => {
  const wellFormed = validValueOf(s, pools, name, depth, hostility);
  if (hostility <= 0) return wellFormed;
  const weight = Math.round(hostility * 100);
  return fc.oneof({ weight: 100 - weight, arbitrary: wellFormed }, { weight, arbitrary: hostileValue(depth) });
};

const hostileValue = (depth: number): fc.Arbitrary<unknown> =>
  fc.oneof(
    hostileString,
    fc.constantFrom(...HOSTILE_NUMBERS),
    fc.constantFrom(null, true, false, [], {}, [null], { '': '' }, { __proto__: { admin: true } }, { constructor: { prototype: {} } }),
    depth < 2 ? fc.jsonValue({ maxDepth: 3 }) : fc.constant('deep'),
  );

const validValueOf = (s: JsonSchema, pools: IdPools, name: string, depth: number, hostility: number): fc.Arbitrary<unknown> => {
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum?.length) return fc.constantFrom(...s.enum);
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives?.length) return fc.oneof(...alternatives.map((a) => valueOf(a, pools, name, depth, hostility)));
  if (s.allOf?.length) return valueOf(Object.assign({}, ...s.allOf) as JsonSchema, pools, name, depth, hostility);
  const types = typesOf(s);
  const arbs: fc.Arbitrary<unknown>[] = types.map((t) => {
    switch (t) {
      case 'string':
        return stringFor(s, pools[name] ?? []);
      case 'integer':
        return numberFor(s, true);
      case 'number':
        return numberFor(s, false);
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      case 'array':
        return depth > 4
          ? fc.constant([])
          : fc.array(valueOf(s.items ?? {}, pools, name, depth + 1, hostility), { minLength: s.minItems ?? 0, maxLength: Math.min(s.maxItems ?? 5, 5) });
      case 'object':
        return depth > 4 ? fc.constant({}) : objectOf(s, pools, depth, hostility);
      default:
        return fc.jsonValue({ maxDepth: 2 });
    }
  });
  if (s.nullable) arbs.push(fc.constant(null));
  return arbs.length ? fc.oneof(...arbs) : fc.jsonValue({ maxDepth: 2 });
};

const objectOf = (s: JsonSchema, pools: IdPools, depth: number, hostility: number): fc.Arbitrary<Record<string, unknown>> => {
  const props = s.properties ?? {};
  const required = new Set(s.required ?? []);
  const known = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, valueOf(v, pools, k, depth + 1, hostility)]));
  const record = fc.record(known, { requiredKeys: Object.keys(props).filter((k) => required.has(k)) }) as fc.Arbitrary<Record<string, unknown>>;
  if (s.additionalProperties && typeof s.additionalProperties === 'object') {
    const extra = fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), valueOf(s.additionalProperties, pools, '', depth + 1, hostility), { maxKeys: 4 });
    return fc.tuple(record, extra).map(([a, b]) => ({ ...b, ...a }));
  }
  return record;
};

// ---- bodies ---------------------------------------------------------------------------------

export const MALFORMED_JSON = [
  '{',
  '{"a":',
  '{"a":1,}',
  '[1,2',
  "{'a':1}",
  '{"a":1}garbage',
  'NaN',
  'undefined',
  '1e999',
  '-',
  '"\\ud800"',
  '"\\u0000"',
  '{"a":"\\x00"}',
  '\ufeff{}',
  '{}{}',
  '{"__proto__":{"admin":true}}',
  '{"constructor":{"prototype":{"admin":true}}}',
  '{"a":1,"a":2}',
  'null',
  'true',
  '0',
  '""',
  '[]',
  ' ',
];

export const CONTENT_TYPES = [
  'text/plain',
  'text/x-env',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/json; charset=utf-16',
  'application/json; charset=koi8-r',
  'application/json; charset=nonsense',
  'application/merge-patch+json',
  'application/vnd.api+json',
  'application/json, text/plain',
  'application/octet-stream',
  '*/*',
  'json',
];

const nested = (depth: number, kind: 'array' | 'object') =>
  kind === 'array' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

interface BodyChoice {
  body?: string;
  headers: Record<string, string>;
  note: string;
}

const json = (v: unknown): BodyChoice => ({ body: JSON.stringify(v), headers: { 'content-type': 'application/json' }, note: 'json' });

/** a body its schema allows (mostly: pattern and format checks beyond the schema may still refuse it) */
export const validBodyFor = (op: OpenApiOperation, pools: IdPools): fc.Arbitrary<BodyChoice> =>
  op.body ? valueOf(op.body, pools, '', 0, 0).map((v) => ({ ...json(v), note: 'from schema' })) : fc.constant({ headers: {}, note: 'no body' });

/** a body that is wrong in one way or another */
export const hostileBodyFor = (op: OpenApiOperation, pools: IdPools): fc.Arbitrary<BodyChoice> => {
  const fromSchema = op.body ? valueOf(op.body, pools, '', 0, 0) : fc.constant({});
  const options: fc.WeightedArbitrary<BodyChoice>[] = [
    // a field or two swapped for a value of another type, or a hostile one
    { weight: 30, arbitrary: op.body ? valueOf(op.body, pools, '', 0, 0.3).map((v) => ({ ...json(v), note: 'fields bent' })) : fc.constant(json({})) },
    {
      weight: 12,
      arbitrary: fc
        .tuple(fromSchema, fc.string({ minLength: 1, maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }))
        .map(([v, k, extra]) => ({ ...json(typeof v === 'object' && v !== null && !Array.isArray(v) ? { ...v, [k]: extra } : { [k]: extra }), note: `unknown field ${JSON.stringify(k)}` })),
    },
    { weight: 10, arbitrary: fc.jsonValue().map((v) => ({ ...json(v), note: 'random JSON' })) },
    { weight: 10, arbitrary: fc.constantFrom(...MALFORMED_JSON).map((b) => ({ body: b, headers: { 'content-type': 'application/json' }, note: 'malformed JSON' })) },
    {
      weight: 10,
      arbitrary: fc
        .tuple(fc.constantFrom(...CONTENT_TYPES), fc.oneof(fromSchema.map((v) => JSON.stringify(v ?? {})), fc.constantFrom('a=1&b=2', 'KEY=value\nOTHER="x"', '<a/>', '--x\r\n')))
        .map(([type, b]) => ({ body: b, headers: { 'content-type': type }, note: `content-type ${type}` })),
    },
    // fetch sends a string body as text/plain; a Blob without a type goes without any
    { weight: 3, arbitrary: fromSchema.map((v) => ({ body: JSON.stringify(v ?? {}), headers: { 'content-type': '' }, note: 'empty content-type' })) },
    {
      weight: 5,
      arbitrary: fc
        .tuple(fc.constantFrom(1_000, 20_000, 200_000), fc.constantFrom<'array' | 'object'>('array', 'object'))
        .map(([d, k]) => ({ body: nested(d, k), headers: { 'content-type': 'application/json' }, note: `nested ${d} deep (${k})` })),
    },
    {
      weight: 3,
      arbitrary: fc.constantFrom(900_000, 1_100_000, 3_000_000).map((n) => ({
        body: JSON.stringify({ name: 'x'.repeat(n), value: 'y' }),
        headers: { 'content-type': 'application/json' },
        note: `${n} bytes of text`,
      })),
    },
    {
      weight: 3,
      arbitrary: fc.constantFrom('gzip', 'deflate', 'br', 'x-unknown', 'identity, gzip').map((enc) => ({
        body: '{"name":"x"}',
        headers: { 'content-type': 'application/json', 'content-encoding': enc },
        note: `content-encoding ${enc} (not encoded)`,
      })),
    },
  ];
  return fc.oneof(...options);
};

// ---- whole requests -------------------------------------------------------------------------

const HEADER_TEXT = fc.oneof(
  fc.string({ maxLength: 40 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
  fc.constantFrom('', ' ', 'a'.repeat(4_000), 'é', '\u00ff\u00fe', '-1', '1e19', '../x', 'null', 'Bearer', 'Bearer ', 'Basic YTpi', 'bearer x', `Bearer ${'t'.repeat(3_000)}`, 'bytes=0-1,2-3', '*/*;q=nan'),
);

const validPathValue = (p: OpenApiParameter, pools: IdPools): fc.Arbitrary<string> => {
  const known = pools[p.name] ?? [];
  const fromSchema = valueOf(p.schema ?? { type: 'string' }, pools, p.name, 0, 0).map((v) => pct(String(v)));
  return known.length ? fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...known).map(pct) }, { weight: 1, arbitrary: fromSchema }) : fromSchema;
};

const hostilePathValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 10, arbitrary: fc.uuid().map(pct) },
  { weight: 20, arbitrary: hostileUrlString.map(pct) },
  { weight: 10, arbitrary: fc.constantFrom(...RAW_SEGMENTS) },
  { weight: 10, arbitrary: anyText.map(pct) },
);

const validQueryValue = (p: OpenApiParameter, pools: IdPools): fc.Arbitrary<string> =>
  valueOf(p.schema ?? { type: 'string' }, pools, p.name, 0, 0).map((v) => pct(typeof v === 'object' ? JSON.stringify(v) : String(v)));

const hostileQueryPairs = (p: OpenApiParameter, pools: IdPools): fc.Arbitrary<[string, string][]> => {
  const numeric = typesOf(p.schema ?? {}).some((t) => t === 'integer' || t === 'number');
  const value = fc.oneof(
    { weight: numeric ? 30 : 8, arbitrary: fc.constantFrom(...HOSTILE_NUMBER_TEXT).map(pct) },
    { weight: 15, arbitrary: hostileUrlString.map(pct) },
    { weight: 5, arbitrary: fc.constantFrom(...RAW_SEGMENTS) },
    { weight: 10, arbitrary: anyText.map(pct) },
  );
  const valid = validQueryValue(p, pools);
  const name = pct(p.name);
  return fc.oneof(
    { weight: 60, arbitrary: value.map((v): [string, string][] => [[name, v]]) },
    // the same parameter twice, as an array, as an object: what a query parser makes of them
    { weight: 15, arbitrary: fc.tuple(valid, valid).map(([a, b]): [string, string][] => [[name, a], [name, b]]) },
    { weight: 10, arbitrary: valid.map((v): [string, string][] => [[`${name}[]`, v]]) },
    { weight: 10, arbitrary: valid.map((v): [string, string][] => [[`${name}[a]`, v]]) },
  );
};

const UNKNOWN_QUERY: [string, string][] = [['zzz', '1'], ['__proto__[x]', '1'], ['constructor[prototype][x]', '1'], ['', ''], ['%00', '%00'], ['a[b][c][d][e][f][g]', '1']];

// headers every route reads or could: the correlation id it echoes and passes on the bus, the
// credentials (a malformed Authorization stands in for the caller's), what the caller accepts
const ANY_ROUTE_HEADERS = ['x-correlation-id', 'authorization', 'accept', 'accept-encoding', 'if-none-match', 'range'];

type Mutation = 'none' | 'path' | 'query' | 'header' | 'body';

/**
 * One request to `op`: a well-formed one (existing ids, values its schemas allow), or one with a
 * single part made hostile (a path parameter, a query parameter, a header, the body), so that
 * most of them get past the first check and reach the code behind it.
 */
export const requestFor = (op: OpenApiOperation, pools: IdPools): fc.Arbitrary<FuzzRequest> => {
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const queryParams = op.parameters.filter((p) => p.in === 'query');
  const headerParams = op.parameters.filter((p) => p.in === 'header');
  const hasBody = op.method !== 'GET' && op.method !== 'HEAD';
  const mutations: fc.WeightedArbitrary<Mutation>[] = [
    { weight: 35, arbitrary: fc.constant('none') },
    ...(pathParams.length ? [{ weight: 15, arbitrary: fc.constant<Mutation>('path') }] : []),
    { weight: queryParams.length ? 20 : 3, arbitrary: fc.constant<Mutation>('query') },
    { weight: headerParams.length ? 8 : 3, arbitrary: fc.constant<Mutation>('header') },
    ...(hasBody ? [{ weight: op.body ? 35 : 8, arbitrary: fc.constant<Mutation>('body') }] : []),
  ];
  return fc
    .record({
      mutation: fc.oneof(...mutations),
      path: fc.tuple(...pathParams.map((p) => validPathValue(p, pools))),
      hostilePath: fc.tuple(fc.nat(), hostilePathValue),
      query: fc.tuple(...queryParams.map((p) => fc.option(validQueryValue(p, pools).map((v): [string, string] => [pct(p.name), v]), { freq: p.required ? 10 : 2 }))),
      hostileQuery: queryParams.length
        ? fc.oneof(
            { weight: 5, arbitrary: fc.tuple(fc.nat(), fc.constant(undefined)).chain(([i]) => hostileQueryPairs(queryParams[i % queryParams.length], pools).map((pairs) => ({ i: i % queryParams.length, pairs }))) },
            { weight: 1, arbitrary: fc.constantFrom(...UNKNOWN_QUERY).map((pair) => ({ i: -1, pairs: [pair] })) },
          )
        : fc.constantFrom(...UNKNOWN_QUERY).map((pair) => ({ i: -1, pairs: [pair] })),
      headers: fc.tuple(...headerParams.map((h) => fc.option(fc.stringMatching(/^[A-Za-z0-9-]{1,40}$/).map((v): [string, string] => [h.name, v])))),
      hostileHeader: fc.tuple(fc.nat(), HEADER_TEXT),
      body: hasBody ? validBodyFor(op, pools) : fc.constant<BodyChoice>({ headers: {}, note: 'no body' }),
      hostileBody: hasBody ? hostileBodyFor(op, pools) : fc.constant<BodyChoice>({ headers: {}, note: 'no body' }),
      // mostly the admin, whom no rights check stops: the input is what is under test
      caller: fc.oneof(
        { weight: 16, arbitrary: fc.constant<FuzzRequest['caller']>('admin') },
        { weight: 2, arbitrary: fc.constant<FuzzRequest['caller']>('viewer') },
        { weight: 1, arbitrary: fc.constant<FuzzRequest['caller']>('none') },
        { weight: 1, arbitrary: fc.constant<FuzzRequest['caller']>('wrong-token') },
      ),
    })
    .map((g) => {
      const pathValues = [...g.path];
      if (g.mutation === 'path') pathValues[g.hostilePath[0] % pathValues.length] = g.hostilePath[1];
      const path = pathParams.reduce((acc, p, i) => acc.replace(`{${p.name}}`, pathValues[i]), op.path);
      let pairs: ([string, string] | null)[] = [...g.query];
      if (g.mutation === 'query') {
        if (g.hostileQuery.i >= 0) pairs[g.hostileQuery.i] = null;
        pairs = [...pairs, ...g.hostileQuery.pairs];
      }
      const headers: Record<string, string> = Object.fromEntries(g.headers.filter((h): h is [string, string] => h !== null));
      if (g.mutation === 'header') {
        const names = [...headerParams.map((h) => h.name), ...ANY_ROUTE_HEADERS];
        headers[names[g.hostileHeader[0] % names.length]] = g.hostileHeader[1];
      }
      const body = g.mutation === 'body' ? g.hostileBody : g.body;
      return {
        method: op.method,
        path,
        query: pairs.filter((p): p is [string, string] => p !== null).map(([k, v]) => `${k}=${v}`).join('&'),
        headers: { ...headers, ...body.headers },
        body: body.body,
        caller: g.caller,
        note: `${g.mutation === 'none' ? 'well-formed' : `hostile ${g.mutation}`}; body ${body.note}`,
      };
    });
};
