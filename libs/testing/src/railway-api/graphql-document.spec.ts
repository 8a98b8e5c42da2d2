import { GraphQLError, parseOperation, project } from './graphql-document';

// The Railway fake's small GraphQL reader: what it accepts and refuses decides what the railway
// provider's spec can tell.
describe('the GraphQL reader of the Railway fake', () => {
  it('reads an operation\'s root fields, arguments from variables and literals, and nested selections', () => {
    const op = parseOperation(
      'mutation Deploy($s: String!, $e: String!, $input: DeploymentListInput!) { serviceInstanceDeployV2(serviceId: $s, environmentId: $e, first: 10, latest: true, name: "x") deployments(input: $input) { edges { node { id status } } } }',
      { s: 'svc', e: 'env', input: { serviceId: 'svc' } },
    );
    expect(op.kind).toBe('mutation');
    expect(op.fields).toEqual([
      { name: 'serviceInstanceDeployV2', args: { serviceId: 'svc', environmentId: 'env', first: 10, latest: true, name: 'x' } },
      { name: 'deployments', args: { input: { serviceId: 'svc' } }, selections: [{ name: 'edges', args: {}, selections: [{ name: 'node', args: {}, selections: [{ name: 'id', args: {} }, { name: 'status', args: {} }] }] }] },
    ]);
    expect(parseOperation('{ deployment(id: "d1") { id } }').kind).toBe('query');
  });

  it('refuses what a GraphQL server refuses: a missing variable, broken syntax, a field the type lacks', () => {
    expect(() => parseOperation('query Q($id: String!) { deployment(id: $id) { id } }', {})).toThrow(new GraphQLError('Variable "$id" of required type was not provided.'));
    expect(() => parseOperation('{ deployment(id: "d1") { id }')).toThrow('Syntax Error: Unexpected <EOF>.');
    expect(() => project({ id: 'd1', status: 'SUCCESS' }, [{ name: 'id', args: {} }, { name: 'domain', args: {} }], 'Deployment')).toThrow('Cannot query field "domain" on type "Deployment".');
  });

  it('answers only what was selected, through lists and nulls', () => {
    const value = { edges: [{ node: { id: 'a', status: 'SUCCESS', url: null } }, { node: { id: 'b', status: 'FAILED', url: null } }], pageInfo: { hasNextPage: false } };
    const op = parseOperation('{ deployments { edges { node { id url } } } }');
    expect(project(value, op.fields[0].selections, 'DeploymentConnection')).toEqual({ edges: [{ node: { id: 'a', url: null } }, { node: { id: 'b', url: null } }] });
  });
});
