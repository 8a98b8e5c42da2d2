export * from './fake-railway-api';
export { parseOperation, project, type Operation, type Selection } from './graphql-document';
