import { z } from 'zod';
import { defineCommand } from '../define';
import { Subjects } from '../subjects';
import { Id } from '../common.schema';
import { Project, ProjectName, TriggersPerMinute } from './project.schema';

/** the body of PATCH /projects/:projectId; what it leaves out is kept */
export const UpdateProjectBody = z
  .object({
    name: ProjectName.optional(),
    repositoryUrl: z.string().min(1).max(2000).optional(),
    defaultBranch: z.string().min(1).max(200).optional(),
    /** the project's own trigger rate limit; null: back to the operator's default */
    triggersPerMinute: TriggersPerMinute.nullable().optional(),
  })
  .strict();
export type UpdateProjectBody = z.infer<typeof UpdateProjectBody>;

export const UpdateProjectRequest = UpdateProjectBody.extend({ projectId: Id }).strict();
export type UpdateProjectRequest = z.infer<typeof UpdateProjectRequest>;

export const updateProject = defineCommand({
  subject: Subjects.projects.update,
  request: UpdateProjectRequest,
  reply: Project,
});

// Soft delete: the project and its live environments leave every list and lookup (each environment
// published as environments.evt.deleted); its name is free meanwhile. The answer carries deletedAt.
export const deleteProject = defineCommand({
  subject: Subjects.projects.delete,
  request: z.object({ projectId: Id }).strict(),
  reply: Project,
});

// Brings back the project with the environments deleted with it (not those deleted before), unless a
// live project took its name meanwhile. Restoring a live one answers it unchanged.
export const restoreProject = defineCommand({
  subject: Subjects.projects.restore,
  request: z.object({ projectId: Id }).strict(),
  reply: Project,
});
