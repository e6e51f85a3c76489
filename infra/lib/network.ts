import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';

export interface NetworkProps {
  natGateways: number;
}

/**
 * Two availability zones: public subnets (load balancer, NAT), private
 * subnets with egress (ECS tasks, Lambda functions, RDS Proxy) and isolated
 * subnets (the database: no route to or from the internet). One security
 * group per kind of database client, so the proxy admits exactly those.
 */
export class Network extends Construct {
  readonly vpc: ec2.Vpc;
  /** The API service, the migration task and the operations tasks. */
  readonly tasksSecurityGroup: ec2.SecurityGroup;
  /** The three Lambda handlers. */
  readonly functionsSecurityGroup: ec2.SecurityGroup;
  /** Where the tasks, functions and RDS Proxy run. */
  readonly privateSubnetType = ec2.SubnetType.PRIVATE_WITH_EGRESS;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: props.natGateways,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
        { name: 'database', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      // S3 traffic (media, ECR image layers) stays off the NAT gateways.
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
    });
    this.tasksSecurityGroup = new ec2.SecurityGroup(this, 'Tasks', { vpc: this.vpc, description: 'Profile Service ECS tasks (API, migrations, operations)' });
    this.functionsSecurityGroup = new ec2.SecurityGroup(this, 'Functions', { vpc: this.vpc, description: 'Profile Service Lambda handlers' });
  }
}
