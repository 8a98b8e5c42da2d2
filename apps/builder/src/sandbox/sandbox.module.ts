import { Module } from '@nestjs/common';
import { Sandboxes } from './sandboxes';

// One Sandboxes per builder: the build pipeline and the release provider both run through it.
@Module({ providers: [Sandboxes], exports: [Sandboxes] })
export class SandboxModule {}
