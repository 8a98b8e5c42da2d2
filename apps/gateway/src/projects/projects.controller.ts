import { Controller, Delete, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { z } from 'zod';
import {
  CreateProjectRequest,
  ErrorCode,
  Project,
  UpdateProjectBody,
  createProject,
  deleteProject,
  getProject,
  listOf,
  listProjects,
  restoreProject,
  updateProject,
} from '@flightdeck/contracts';
import type { Caller } from '../access/caller';
import { ProjectAccessService } from '../access/project-access.service';
import { ProjectMembersService } from '../access/project-members.service';
import { CurrentCaller } from '../auth/auth.decorators';
import { ApiBus } from '../http/api-bus';
import { IdParam, ValidBody, ValidQuery } from '../http/zod-validation.pipe';
import { ApiRoute } from '../openapi/api-route.decorator';

// ?deleted=true lists the soft-deleted projects instead, to find one to restore
const ProjectListQuery = z
  .object({ deleted: z.enum(['true', 'false']).transform((v) => v === 'true').optional() })
  .strict();

@Controller('projects')
export class ProjectsController {
  constructor(
    private readonly api: ApiBus,
    private readonly access: ProjectAccessService,
    private readonly members: ProjectMembersService,
  ) {}

  @Post()
  @ApiRoute({
    summary: 'Create a project from a git repository (it gets a production environment); its creator becomes its owner',
    access: 'any-caller-admin-scope',
    body: { name: 'CreateProjectRequest', schema: CreateProjectRequest },
    responses: [{ status: 201, description: 'created', name: 'Project', schema: Project }],
    errors: [ErrorCode.ProjectNameTaken],
  })
  async create(@ValidBody(CreateProjectRequest) body: z.infer<typeof CreateProjectRequest>, @CurrentCaller() caller: Caller) {
    const project = await this.api.call(createProject, body);
    if (caller.kind === 'user') await this.members.addOwner(project.id, caller.user.id);
    return project;
  }

  @Get()
  @ApiRoute({
    summary: 'List the live projects the caller is a member of, all of them for platform admins (?deleted=true: the soft-deleted ones)',
    access: 'any-caller',
    query: ProjectListQuery,
    responses: [{ status: 200, description: 'the projects', name: 'ProjectList', schema: listOf(Project) }],
  })
  async list(@ValidQuery(ProjectListQuery) query: z.infer<typeof ProjectListQuery>, @CurrentCaller() caller: Caller) {
    const [all, visible] = await Promise.all([this.api.call(listProjects, query.deleted ? { deleted: true } : {}), this.access.visibleProjects(caller)]);
    return visible ? { items: all.items.filter((p) => visible.has(p.id)) } : all;
  }

  @Get(':projectId')
  @ApiRoute({
    summary: 'Get a project',
    ids: ['projectId'],
    responses: [{ status: 200, description: 'the project', name: 'Project', schema: Project }],
    errors: [ErrorCode.ProjectNotFound],
  })
  get(@IdParam('projectId') projectId: string) {
    return this.api.call(getProject, { projectId });
  }

  @Patch(':projectId')
  @ApiRoute({
    summary: 'Rename a project or change its repository or default branch (what the body leaves out is kept)',
    ids: ['projectId'],
    body: { name: 'UpdateProjectBody', schema: UpdateProjectBody },
    responses: [{ status: 200, description: 'the project as changed', name: 'Project', schema: Project }],
    errors: [ErrorCode.ProjectNotFound, ErrorCode.ProjectNameTaken],
  })
  update(@IdParam('projectId') projectId: string, @ValidBody(UpdateProjectBody) body: UpdateProjectBody) {
    return this.api.call(updateProject, { ...body, projectId });
  }

  @Delete(':projectId')
  @ApiRoute({
    summary: 'Soft-delete a project with its environments: gone from lists and triggers, its history kept, restorable; its name is free meanwhile',
    access: 'owner',
    ids: ['projectId'],
    responses: [{ status: 200, description: 'the deleted project, with deletedAt', name: 'Project', schema: Project }],
    errors: [ErrorCode.ProjectNotFound],
  })
  delete(@IdParam('projectId') projectId: string) {
    return this.api.call(deleteProject, { projectId });
  }

  @Post(':projectId/restore')
  @HttpCode(200)
  @ApiRoute({
    summary: 'Restore a soft-deleted project with the environments deleted with it, unless a project took its name meanwhile',
    access: 'owner',
    ids: ['projectId'],
    responses: [{ status: 200, description: 'the project, live again', name: 'Project', schema: Project }],
    errors: [ErrorCode.ProjectNotFound, ErrorCode.ProjectNameTaken],
  })
  restore(@IdParam('projectId') projectId: string) {
    return this.api.call(restoreProject, { projectId });
  }
}
