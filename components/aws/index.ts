/**
 * The AWS target's public surface: the root component, and the parts it is built from for those
 * who assemble their own (each a component of its own, usable alone).
 */
export { OrthancAws, type OrthancAwsArgs } from "./orthancAws";
export { KmsKey, type KmsKeyArgs } from "./kmsKey";
export { Network, type NetworkArgs, type SecurityGroups } from "./network";
export { RdsPostgres, type RdsPostgresArgs } from "./rdsPostgres";
export { DicomBucket, type DicomBucketArgs } from "./dicomBucket";
export { AccessLogBucket, type AccessLogBucketArgs } from "./accessLogBucket";
export { EfsStorage, type EfsStorageArgs } from "./efsStorage";
export { Ingress, type IngressArgs } from "./ingress";
export { EcsService, type EcsServiceArgs } from "./ecsService";
export { Ec2Capacity, type Ec2CapacityArgs } from "./ec2Capacity";
export { Operations, type OperationsArgs } from "./operations";
