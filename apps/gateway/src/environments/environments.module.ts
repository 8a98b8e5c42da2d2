import { Module } from '@nestjs/common';
import { EnvironmentsController } from './environments.controller';
import { VariablesController } from './variables.controller';

@Module({ controllers: [EnvironmentsController, VariablesController] })
export class EnvironmentsModule {}
