export * from './fake-kube-api';
export { type KubeObject, labelMatcher, fieldMatcher } from './kube-store';
export { statusOf } from './kube-status';
