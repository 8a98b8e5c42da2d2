import { Controller, Delete, Get, Put } from '@nestjs/common';
import { ErrorCode, Id, ProjectMember, ProjectMemberList, SetMemberBody, getProject } from '@flightdeck/contracts';
import { CurrentCaller } from '../auth/auth.decorators';
import { ApiBus } from '../http/api-bus';
import { IdParam, ValidBody, ValidParam } from '../http/zod-validation.pipe';
import { ApiRoute } from '../openapi/api-route.decorator';
import type { Caller } from './caller';
import { ProjectAccessService } from './project-access.service';
import { ProjectMembersService } from './project-members.service';

const USER_PARAM = { name: 'userId', schema: Id };

@Controller('projects/:projectId/members')
export class MembersController {
  constructor(
    private readonly members: ProjectMembersService,
    private readonly access: ProjectAccessService,
    private readonly api: ApiBus,
  ) {}

  @Get()
  @ApiRoute({
    summary: "List a project's members and their roles (viewer < deployer < admin < owner)",
    access: 'read',
    ids: ['projectId'],
    responses: [{ status: 200, description: 'the members', name: 'ProjectMemberList', schema: ProjectMemberList }],
    errors: [ErrorCode.ProjectNotFound],
  })
  async list(@IdParam('projectId') projectId: string) {
    return { items: await this.members.list(projectId) };
  }

  @Put(':userId')
  @ApiRoute({
    summary: 'Add a member or change their role (admins; making or unmaking an owner takes an owner)',
    access: 'admin',
    ids: ['projectId'],
    params: [USER_PARAM],
    body: { name: 'SetMemberBody', schema: SetMemberBody },
    responses: [{ status: 200, description: 'the membership', name: 'ProjectMember', schema: ProjectMember }],
    errors: [ErrorCode.ProjectNotFound, ErrorCode.UserNotFound, ErrorCode.MemberLastOwner],
  })
  async set(
    @IdParam('projectId') projectId: string,
    @ValidParam('userId', Id) userId: string,
    @ValidBody(SetMemberBody) body: SetMemberBody,
    @CurrentCaller() caller: Caller,
  ) {
    // a platform admin passes the guard for any id: the project must exist
    await this.api.call(getProject, { projectId });
    return this.members.set(projectId, userId, body.role, await this.access.isOwner(caller, projectId));
  }

  @Delete(':userId')
  @ApiRoute({
    summary: 'Remove a member (admins; removing an owner takes an owner, and the last owner stays)',
    access: 'admin',
    ids: ['projectId'],
    params: [USER_PARAM],
    responses: [{ status: 200, description: 'the removed membership', name: 'ProjectMember', schema: ProjectMember }],
    errors: [ErrorCode.ProjectNotFound, ErrorCode.MemberNotFound, ErrorCode.MemberLastOwner],
  })
  async remove(@IdParam('projectId') projectId: string, @ValidParam('userId', Id) userId: string, @CurrentCaller() caller: Caller) {
    return this.members.remove(projectId, userId, await this.access.isOwner(caller, projectId));
  }
}
