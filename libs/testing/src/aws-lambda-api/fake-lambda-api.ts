import { createHash, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { crc32, inflateRawSync } from 'node:zlib';
import { type ApiFailure, type ApiRoute, FakeHttpApi, type RecordedApiRequest } from '../fake-http-api';

// A local stand-in for the AWS Lambda API (REST, 2015-03-31), for what the aws-lambda provider
// uses, as its API reference documents them: UpdateFunctionCode (PUT .../code, ZipFile base64),
// UpdateFunctionConfiguration (PUT .../configuration), GetFunctionConfiguration (GET
// .../configuration: State, LastUpdateStatus InProgress -> Successful | Failed with
// LastUpdateStatusReason), PublishVersion (POST .../versions), GetAlias / CreateAlias / UpdateAlias.
// An update in progress refuses the next one (409 ResourceConflictException), as Lambda does.
// Errors are JSON {Type, message} with the x-amzn-ErrorType header, every answer has an
// x-amzn-RequestId, and a request must carry a SigV4 Authorization header of a known access key.

export const FAKE_AWS_ACCOUNT = '123456789012';

export interface LambdaUpdateBehaviour {
  /** how many reads of the configuration still say InProgress (1) */
  polls?: number;
  /** the update ends Failed with this LastUpdateStatusReason */
  failReason?: string;
  /** it stays InProgress for good */
  never?: boolean;
}

export interface FakeLambdaVersion {
  version: string;
  description: string;
  codeSha256: string;
  code?: Buffer;
  environment: Record<string, string>;
}

export interface FakeLambdaFunction {
  name: string;
  arn: string;
  environment: Record<string, string>;
  code?: Buffer;
  codeSha256: string;
  revisionId: string;
  lastUpdate: { status: 'Successful' | 'InProgress' | 'Failed'; reason?: string; pollsLeft: number; never: boolean };
  versions: FakeLambdaVersion[];
  aliases: Map<string, { version: string; revisionId: string; description: string }>;
}

/** the files of a zip archive (stored or deflated), read from its local headers */
export function unzip(zip: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  let at = 0;
  while (zip.readUInt32LE(at) === 0x04034b50) {
    const method = zip.readUInt16LE(at + 8);
    const crc = zip.readUInt32LE(at + 14);
    const size = zip.readUInt32LE(at + 18);
    const nameLen = zip.readUInt16LE(at + 26);
    const extraLen = zip.readUInt16LE(at + 28);
    const name = zip.subarray(at + 30, at + 30 + nameLen).toString('utf8');
    const start = at + 30 + nameLen + extraLen;
    const raw = zip.subarray(start, start + size);
    const data = method === 8 ? inflateRawSync(raw) : raw;
    if (crc32(data) >>> 0 !== crc >>> 0) throw new Error(`zip: ${name} fails its CRC-32`);
    if (!name.endsWith('/')) files.set(name, data);
    at = start + size;
  }
  if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error('zip: no central directory after the entries');
  return files;
}

export class FakeLambdaApi extends FakeHttpApi {
  readonly functions = new Map<string, FakeLambdaFunction>();
  /** access keys the fake accepts */
  /** access key id -> secret access key: the requests' signatures are checked with it */
  readonly accessKeys = new Map<string, string>([['AKIAFAKELAMBDA', 'lambda-secret-never-logged']]);
  /** how the next update of a function goes; the test sets it */
  updateBehaviour: (fn: FakeLambdaFunction, kind: 'code' | 'configuration') => LambdaUpdateBehaviour = () => ({});
  protected override requestIdHeader = 'x-amzn-RequestId';

  constructor(readonly region = 'us-east-1') {
    super();
  }

  protected readonly routes: ApiRoute[] = [
    ['PUT', /^\/2015-03-31\/functions\/([^/]+)\/code$/, (r, m, res) => this.withFunction(r, res, m[1], (fn) => this.updateCode(r, res, fn))],
    ['GET', /^\/2015-03-31\/functions\/([^/]+)\/configuration$/, (r, m, res) => this.withFunction(r, res, m[1], (fn) => this.readConfiguration(r, res, fn))],
    ['PUT', /^\/2015-03-31\/functions\/([^/]+)\/configuration$/, (r, m, res) => this.withFunction(r, res, m[1], (fn) => this.updateConfiguration(r, res, fn))],
    ['GET', /^\/2015-03-31\/functions\/([^/]+)\/versions$/, (r, m, res) => this.withFunction(r, res, m[1], (fn) => this.listVersions(r, res, fn))],
    ['POST', /^\/2015-03-31\/functions\/([^/]+)\/versions$/, (r, m, res) => this.withFunction(r, res, m[1], (fn) => this.publishVersion(r, res, fn))],
    ['GET', /^\/2015-03-31\/functions\/([^/]+)\/aliases\/([^/]+)$/, (r, m, res) => this.withFunction(r, res, m[1], (fn) => this.getAlias(r, res, fn, decodeURIComponent(m[2])))],
    ['PUT', /^\/2015-03-31\/functions\/([^/]+)\/aliases\/([^/]+)$/, (r, m, res) => this.withFunction(r, res, m[1], (fn) => this.updateAlias(r, res, fn, decodeURIComponent(m[2])))],
    ['POST', /^\/2015-03-31\/functions\/([^/]+)\/aliases$/, (r, m, res) => this.withFunction(r, res, m[1], (fn) => this.createAlias(r, res, fn))],
  ];

  /** a function as it exists before any deployment (Lambda functions are created by their owners) */
  addFunction(name: string, environment: Record<string, string> = {}): FakeLambdaFunction {
    const fn: FakeLambdaFunction = {
      name,
      arn: `arn:aws:lambda:${this.region}:${FAKE_AWS_ACCOUNT}:function:${name}`,
      environment,
      codeSha256: createHash('sha256').update('').digest('base64'),
      revisionId: randomUUID(),
      lastUpdate: { status: 'Successful', pollsLeft: 0, never: false },
      versions: [],
      aliases: new Map(),
    };
    this.functions.set(name, fn);
    return fn;
  }

  protected authenticate(rec: RecordedApiRequest, res: ServerResponse): boolean {
    return this.checkSigV4(rec, res, this.accessKeys, this.region, 'lambda');
  }

  protected sendError(res: ServerResponse, rec: RecordedApiRequest, f: Omit<ApiFailure, 'path'>): void {
    const type = f.status >= 500 ? 'Service' : 'User';
    this.send(res, rec, f.status, { Type: type, message: f.message }, { 'x-amzn-ErrorType': f.code ?? 'ServiceException', ...f.headers });
  }

  private withFunction(rec: RecordedApiRequest, res: ServerResponse, rawName: string, then: (fn: FakeLambdaFunction) => void): void {
    const name = decodeURIComponent(rawName).replace(/^arn:aws:lambda:[^:]+:\d+:function:/, '');
    const fn = this.functions.get(name);
    if (!fn) return this.sendError(res, rec, { status: 404, code: 'ResourceNotFoundException', message: `Function not found: arn:aws:lambda:${this.region}:${FAKE_AWS_ACCOUNT}:function:${name}` });
    then(fn);
  }

  private busy(rec: RecordedApiRequest, res: ServerResponse, fn: FakeLambdaFunction): boolean {
    if (fn.lastUpdate.status !== 'InProgress') return false;
    this.sendError(res, rec, { status: 409, code: 'ResourceConflictException', message: `The operation cannot be performed at this time. An update is in progress for resource: ${fn.arn}` });
    return true;
  }

  private startUpdate(fn: FakeLambdaFunction, kind: 'code' | 'configuration'): void {
    const b = this.updateBehaviour(fn, kind);
    fn.revisionId = randomUUID();
    fn.lastUpdate = { status: 'InProgress', reason: b.failReason, pollsLeft: b.polls ?? 1, never: b.never ?? false };
  }

  private configuration(fn: FakeLambdaFunction, version = '$LATEST'): Record<string, unknown> {
    const v = fn.versions.find((x) => x.version === version);
    const u = fn.lastUpdate;
    return {
      FunctionName: fn.name,
      FunctionArn: version === '$LATEST' ? fn.arn : `${fn.arn}:${version}`,
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Role: `arn:aws:iam::${FAKE_AWS_ACCOUNT}:role/lambda-exec`,
      CodeSha256: v?.codeSha256 ?? fn.codeSha256,
      CodeSize: (v?.code ?? fn.code)?.length ?? 0,
      Version: version,
      Description: v?.description ?? '',
      Environment: { Variables: v?.environment ?? fn.environment },
      RevisionId: fn.revisionId,
      State: 'Active',
      LastUpdateStatus: v ? 'Successful' : u.status,
      ...(!v && u.status === 'Failed' ? { LastUpdateStatusReason: u.reason, LastUpdateStatusReasonCode: 'InvalidRuntime' } : {}),
      ...(!v && u.status === 'InProgress' ? { LastUpdateStatusReason: 'The function is being created.', LastUpdateStatusReasonCode: 'Creating' } : {}),
      PackageType: 'Zip',
      LastModified: new Date().toISOString().replace('Z', '+0000'),
    };
  }

  private updateCode(rec: RecordedApiRequest, res: ServerResponse, fn: FakeLambdaFunction): void {
    if (this.busy(rec, res, fn)) return;
    const body = (rec.body ?? {}) as { ZipFile?: string };
    if (!body.ZipFile) return this.sendError(res, rec, { status: 400, code: 'InvalidParameterValueException', message: 'Please provide a source for function code.' });
    const zip = Buffer.from(body.ZipFile, 'base64');
    try {
      unzip(zip);
    } catch (e) {
      return this.sendError(res, rec, { status: 400, code: 'InvalidParameterValueException', message: `Could not unzip uploaded file. Please check your file, then try to upload again. (${(e as Error).message})` });
    }
    fn.code = zip;
    fn.codeSha256 = createHash('sha256').update(zip).digest('base64');
    this.startUpdate(fn, 'code');
    this.send(res, rec, 200, this.configuration(fn));
  }

  private readConfiguration(rec: RecordedApiRequest, res: ServerResponse, fn: FakeLambdaFunction): void {
    const u = fn.lastUpdate;
    if (u.status === 'InProgress' && !u.never && --u.pollsLeft <= 0) fn.lastUpdate = { ...u, status: u.reason ? 'Failed' : 'Successful' };
    const qualifier = rec.query.Qualifier ?? '$LATEST';
    if (qualifier !== '$LATEST' && !fn.versions.some((v) => v.version === qualifier)) {
      return this.sendError(res, rec, { status: 404, code: 'ResourceNotFoundException', message: `Function not found: ${fn.arn}:${qualifier}` });
    }
    this.send(res, rec, 200, this.configuration(fn, qualifier));
  }

  private updateConfiguration(rec: RecordedApiRequest, res: ServerResponse, fn: FakeLambdaFunction): void {
    if (this.busy(rec, res, fn)) return;
    const body = (rec.body ?? {}) as { Environment?: { Variables?: Record<string, string> } };
    if (body.Environment) fn.environment = { ...(body.Environment.Variables ?? {}) };
    this.startUpdate(fn, 'configuration');
    this.send(res, rec, 200, this.configuration(fn));
  }

  private publishVersion(rec: RecordedApiRequest, res: ServerResponse, fn: FakeLambdaFunction): void {
    if (this.busy(rec, res, fn)) return;
    const body = (rec.body ?? {}) as { CodeSha256?: string; Description?: string };
    if (body.CodeSha256 && body.CodeSha256 !== fn.codeSha256) {
      return this.sendError(res, rec, { status: 412, code: 'PreconditionFailedException', message: `CodeSHA256 (${body.CodeSha256}) is different from current CodeSHA256 in $LATEST (${fn.codeSha256}). Please try again with the CodeSHA256 in $LATEST.` });
    }
    const last = fn.versions.at(-1);
    // Lambda publishes no new version when neither code nor configuration changed
    const same = last && last.codeSha256 === fn.codeSha256 && JSON.stringify(last.environment) === JSON.stringify(fn.environment);
    const version = same ? last : { version: String(fn.versions.length + 1), description: body.Description ?? '', codeSha256: fn.codeSha256, code: fn.code, environment: { ...fn.environment } };
    if (!same) fn.versions.push(version);
    this.send(res, rec, 201, this.configuration(fn, version.version));
  }

  // ListVersionsByFunction: $LATEST first, then the versions oldest first, MaxItems (50) a page, NextMarker to the next
  private listVersions(rec: RecordedApiRequest, res: ServerResponse, fn: FakeLambdaFunction): void {
    const all = ['$LATEST', ...fn.versions.map((v) => v.version)];
    const from = rec.query.Marker ? all.indexOf(rec.query.Marker) : 0;
    if (from < 0) return this.sendError(res, rec, { status: 400, code: 'InvalidParameterValueException', message: 'Invalid Marker' });
    const size = Math.min(Number(rec.query.MaxItems ?? 50), 10_000);
    const page = all.slice(from, from + size);
    const next = all[from + size];
    this.send(res, rec, 200, { Versions: page.map((v) => this.configuration(fn, v)), ...(next ? { NextMarker: next } : {}) });
  }

  private aliasBody(fn: FakeLambdaFunction, name: string) {
    const a = fn.aliases.get(name)!;
    return { AliasArn: `${fn.arn}:${name}`, Name: name, FunctionVersion: a.version, Description: a.description, RevisionId: a.revisionId };
  }

  private getAlias(rec: RecordedApiRequest, res: ServerResponse, fn: FakeLambdaFunction, name: string): void {
    if (!fn.aliases.has(name)) return this.sendError(res, rec, { status: 404, code: 'ResourceNotFoundException', message: `Cannot find alias arn: ${fn.arn}:${name}` });
    this.send(res, rec, 200, this.aliasBody(fn, name));
  }

  private checkVersion(rec: RecordedApiRequest, res: ServerResponse, fn: FakeLambdaFunction, version: string | undefined): boolean {
    if (version === '$LATEST' || fn.versions.some((v) => v.version === version)) return true;
    this.sendError(res, rec, { status: 404, code: 'ResourceNotFoundException', message: `Function not found: ${fn.arn}:${version}` });
    return false;
  }

  private createAlias(rec: RecordedApiRequest, res: ServerResponse, fn: FakeLambdaFunction): void {
    const body = (rec.body ?? {}) as { Name?: string; FunctionVersion?: string; Description?: string };
    if (!body.Name || !this.checkVersion(rec, res, fn, body.FunctionVersion)) return body.Name ? undefined : this.sendError(res, rec, { status: 400, code: 'ValidationException', message: "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null" });
    if (fn.aliases.has(body.Name)) return this.sendError(res, rec, { status: 409, code: 'ResourceConflictException', message: `Alias already exists: ${fn.arn}:${body.Name}` });
    fn.aliases.set(body.Name, { version: body.FunctionVersion!, revisionId: randomUUID(), description: body.Description ?? '' });
    this.send(res, rec, 201, this.aliasBody(fn, body.Name));
  }

  private updateAlias(rec: RecordedApiRequest, res: ServerResponse, fn: FakeLambdaFunction, name: string): void {
    const a = fn.aliases.get(name);
    if (!a) return this.sendError(res, rec, { status: 404, code: 'ResourceNotFoundException', message: `Alias not found: ${fn.arn}:${name}` });
    const body = (rec.body ?? {}) as { FunctionVersion?: string; Description?: string; RevisionId?: string };
    if (body.RevisionId && body.RevisionId !== a.revisionId) return this.sendError(res, rec, { status: 412, code: 'PreconditionFailedException', message: 'The Revision Id provided does not match the latest Revision Id. Call the GetAlias API to retrieve the latest Revision Id' });
    if (body.FunctionVersion && !this.checkVersion(rec, res, fn, body.FunctionVersion)) return;
    fn.aliases.set(name, { version: body.FunctionVersion ?? a.version, revisionId: randomUUID(), description: body.Description ?? a.description });
    this.send(res, rec, 200, this.aliasBody(fn, name));
  }
}

/** the fake of one region's Lambda endpoint */
export const startFakeLambdaApi = (region = 'us-east-1'): Promise<FakeLambdaApi> => new FakeLambdaApi(region).start();
