import { Controller, Get, Post } from '@nestjs/common';
import type { z } from 'zod';
import {
  CreateProjectRequest,
  ErrorCode,
  Project,
  createProject,
  getProject,
  listOf,
  listProjects,
} from '@flightdeck/contracts';
import { ApiBus } from '../http/api-bus';
import { IdParam, ValidBody } from '../http/zod-validation.pipe';
import { ApiRoute } from '../openapi/api-route.decorator';

@Controller('projects')
export class ProjectsController {
  constructor(private readonly api: ApiBus) {}

  @Post()
  @ApiRoute({
    summary: 'Create a project from a git repository (it gets a production environment)',
    body: { name: 'CreateProjectRequest', schema: CreateProjectRequest },
    responses: [{ status: 201, description: 'created', name: 'Project', schema: Project }],
    errors: [ErrorCode.ProjectNameTaken],
  })
  create(@ValidBody(CreateProjectRequest) body: z.infer<typeof CreateProjectRequest>) {
    return this.api.call(createProject, body);
  }

  @Get()
  @ApiRoute({
    summary: 'List projects',
    responses: [{ status: 200, description: 'all projects', name: 'ProjectList', schema: listOf(Project) }],
  })
  list() {
    return this.api.call(listProjects, {});
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
}
