export { AwsEcsProvider, AwsEcsSettings, awsEcsProvider } from './aws-ecs.provider';
