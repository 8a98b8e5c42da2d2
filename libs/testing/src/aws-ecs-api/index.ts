export * from './fake-ecs-api';
