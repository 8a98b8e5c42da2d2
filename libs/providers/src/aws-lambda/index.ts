export { AwsLambdaProvider, AwsLambdaSettings, awsLambdaProvider } from './aws-lambda.provider';
export { zipFiles, zipOfArtifact } from './zip';
