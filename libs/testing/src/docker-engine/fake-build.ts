import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBuildContext } from './build-context';
import { checkDockerfile } from './dockerfile-check';
import { fail, newId, parseJsonParam, progress, withTag } from './engine-http';
import type { FakeDockerEngine, RecordedBuild } from './fake-docker-engine';

// POST /build: the context read, the Dockerfile checked against it (not run), its instructions
// streamed as the classic builder's steps, the image stored with its config and labels.
export async function buildImage(engine: FakeDockerEngine, req: IncomingMessage, res: ServerResponse, q: Record<string, string>, body: Buffer): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://docker');
  const tags = url.searchParams.getAll('t');
  const dockerfilePath = q.dockerfile || 'Dockerfile';
  const context = await readBuildContext(body);
  const record: RecordedBuild = { query: q, tags, dockerfilePath, context, dockerfile: context.text(dockerfilePath) };
  engine.builds.push(record);
  if (record.dockerfile === undefined) {
    record.error = `Cannot locate specified Dockerfile: ${dockerfilePath}`;
    return fail(res, 500, record.error);
  }
  const out = progress(res);
  let checked: ReturnType<typeof checkDockerfile> | undefined;
  let error: string | undefined;
  try {
    checked = checkDockerfile(record.dockerfile, context, parseJsonParam(q.buildargs, {}));
    record.stages = checked.stages;
  } catch (e) {
    error = (e as Error).message;
  }
  const steps = checked?.instructions ?? [];
  steps.forEach((s, i) => {
    out({ stream: `Step ${i + 1}/${steps.length} : ${s.keyword} ${s.args}\n` });
    out({ stream: ` ---> ${randomBytes(6).toString('hex')}\n` });
    if (i === 0 && engine.buildFailure) error = engine.buildFailure;
  });
  engine.buildFailure = undefined;
  if (error || !checked) {
    record.error = error;
    out({ errorDetail: { message: error }, error });
    return void res.end();
  }
  const id = `sha256:${createHash('sha256').update(record.dockerfile + newId()).digest('hex')}`;
  const labels = { ...checked.config.Labels, ...parseJsonParam<Record<string, string>>(q.labels, {}) };
  for (const img of engine.images.values()) img.RepoTags = img.RepoTags.filter((t) => !tags.map(withTag).includes(t));
  engine.images.set(id, { Id: id, RepoTags: tags.map(withTag), Created: Math.floor(Date.now() / 1000), CreatedAt: new Date(), Labels: labels, Config: { ...checked.config, Labels: labels } });
  record.imageId = id;
  out({ aux: { ID: id } });
  out({ stream: `Successfully built ${id.slice(7, 19)}\n` });
  for (const t of tags) out({ stream: `Successfully tagged ${withTag(t)}\n` });
  res.end();
}
