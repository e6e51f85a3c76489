import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as ecsPatterns from 'aws-cdk-lib/aws-ecs-patterns';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Database } from './database.js';

export interface AlarmsProps {
  alarmEmail: string | null;
  alarmTopicArn: string | null;
  /** The two Cognito triggers: they swallow their failures (never blocking a sign-in), so their ERROR logs count too. */
  triggers: { name: string; fn: lambda.Function; logGroup: logs.ILogGroup }[];
  cognitoEvents: lambda.Function;
  deadLetterQueue: sqs.IQueue;
  service: ecsPatterns.ApplicationLoadBalancedFargateService;
  database: Database;
  /** Scheduled operations tasks (media cleanup, reconcile): a non-zero exit is reported to the topic. */
  opsTasks: { cluster: ecs.ICluster; family: string };
}

const FIVE_MINUTES = Duration.minutes(5);

/**
 * The signals that matter, each an alarm to one SNS topic (alarm and OK):
 * trigger errors and throttles (and errors they logged and swallowed),
 * cognito-events errors, dead letters, load-balancer and target 5xx,
 * unhealthy targets, and the database's CPU, connections and free storage;
 * plus scheduled operations tasks that exit non-zero.
 */
export class Alarms extends Construct {
  readonly topic: sns.ITopic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly opsTaskFailures: events.Rule;

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    if (props.alarmTopicArn) {
      this.topic = sns.Topic.fromTopicArn(this, 'Topic', props.alarmTopicArn);
    } else {
      const topic = new sns.Topic(this, 'Topic', { displayName: 'Profile Service alarms', enforceSSL: true });
      if (props.alarmEmail) topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
      this.topic = topic;
    }

    for (const { name, fn, logGroup } of props.triggers) {
      this.alarm(`${name}Errors`, fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }), 1, `${name} trigger failed or timed out (Cognito may have failed the user's request)`);
      this.alarm(`${name}Throttles`, fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }), 1, `${name} trigger throttled (Cognito fails the sign-up or sign-in)`);
      const logged = new logs.MetricFilter(this, `${name}ErrorLogs`, {
        logGroup,
        filterPattern: logs.FilterPattern.stringValue('$.level', '=', 'ERROR'),
        metricNamespace: 'ProfileService',
        metricName: `${name}ErrorLogs`,
        metricValue: '1',
        defaultValue: 0,
      });
      this.alarm(
        `${name}LoggedErrors`,
        logged.metric({ period: FIVE_MINUTES, statistic: 'Sum' }),
        1,
        `${name} trigger logged an error (database unreachable, wrong pool): users are left to just-in-time provisioning`,
      );
    }
    this.alarm('CognitoEventsErrors', props.cognitoEvents.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }), 1, 'cognito-events handler failed (retried, then dead-lettered)');
    this.alarm(
      'DeadLetters',
      props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum' }),
      1,
      'Cognito events in the dead-letter queue: deletions or updates not applied (docs/deploy.md, Troubleshooting)',
    );

    const lb = props.service.loadBalancer.metrics;
    this.alarm('TargetErrors', lb.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: FIVE_MINUTES, statistic: 'Sum' }), 10, 'the API answered 5xx (10 or more in 5 minutes)');
    this.alarm('LoadBalancerErrors', lb.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { period: FIVE_MINUTES, statistic: 'Sum' }), 10, 'the load balancer answered 5xx (no healthy target, timeouts)');
    this.alarm(
      'UnhealthyTargets',
      props.service.targetGroup.metrics.unhealthyHostCount({ period: Duration.minutes(1), statistic: 'Maximum' }),
      1,
      'API tasks failing /readyz (database unreachable or migrations not current)',
      3,
    );

    const db = props.database.metrics;
    this.alarm('DatabaseCpu', withPeriod(db.cpu), 80, 'database CPU above 80% for 15 minutes', 3);
    this.alarm('DatabaseConnections', withPeriod(db.connections), 400, 'more than 400 database connections (RDS Proxy should keep this low)', 3);
    // Not a metric: ECS reports each stopped task; an operations task that exited non-zero
    // (reconcile found more to erase than --max-erasures, media cleanup could not delete) is worth a look.
    this.opsTaskFailures = new events.Rule(this, 'OpsTaskFailed', {
      description: 'Profile Service: a scheduled operations task exited non-zero',
      eventPattern: {
        source: ['aws.ecs'],
        detailType: ['ECS Task State Change'],
        detail: {
          clusterArn: [props.opsTasks.cluster.clusterArn],
          group: [`family:${props.opsTasks.family}`],
          lastStatus: ['STOPPED'],
          containers: { exitCode: [{ 'anything-but': 0 }] },
        },
      },
      targets: [new targets.SnsTopic(this.topic)],
    });
    this.alarm('DatabaseFreeStorage', withPeriod(db.freeStorage), db.freeStorageThresholdBytes, 'database storage running out', 1, cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD);
  }

  private alarm(
    id: string,
    metric: cloudwatch.IMetric,
    threshold: number,
    description: string,
    evaluationPeriods = 1,
    comparisonOperator = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
  ): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric,
      threshold,
      evaluationPeriods,
      comparisonOperator,
      alarmDescription: `Profile Service: ${description}`,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    alarm.addOkAction(new actions.SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}

function withPeriod(metric: cloudwatch.IMetric): cloudwatch.IMetric {
  return metric instanceof cloudwatch.Metric ? metric.with({ period: FIVE_MINUTES }) : metric;
}

