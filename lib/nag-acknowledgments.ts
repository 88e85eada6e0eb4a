import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Every cdk-nag AwsSolutions finding we accept, each with the reason it is right for this stack.
 * Anything not acknowledged here fails the infra tests (test/infra/nag.test.ts) and the synth.
 */
export function acknowledgeNagFindings(stack: IConstruct, secretNames: readonly string[], terminalQueues: readonly IConstruct[]): void {
  const acknowledge = (id: string, reason: string) => Validations.of(stack).acknowledge({ id, reason });

  acknowledge(
    'AwsSolutions-IAM5[Resource::*]',
    'X-Ray PutTraceSegments/PutTelemetryRecords and the Step Functions log delivery actions (logs:CreateLogDelivery, DescribeResourcePolicies…) support no resource-level permissions; those are the only wildcard resources granted.',
  );
  for (const name of secretNames) {
    acknowledge(
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${name}-??????]`,
      'A secret referenced by name is granted with the "-??????" suffix that Secrets Manager appends to its ARN; it matches that one secret.',
    );
  }
  acknowledge(
    'AwsSolutions-APIG2',
    'The ingest function validates each webhook: it must verify the provider signature on the raw body and answer 400/401/413 precisely, which API Gateway request validation cannot do.',
  );
  acknowledge(
    'AwsSolutions-APIG3',
    'Unsigned requests are rejected by the ingest function before anything is enqueued and stage throttling bounds the volume; a WAF web ACL is left to the account-level Firewall Manager policy so the stack does not impose its fixed cost.',
  );
  acknowledge('AwsSolutions-APIG4', 'SaaS webhooks cannot sign with IAM or present tokens; each request is authenticated by its provider signature.');
  acknowledge('AwsSolutions-COG4', 'SaaS webhooks cannot present Cognito tokens; each request is authenticated by its provider signature.');
  acknowledge(
    'AwsSolutions-L1',
    'The functions target nodejs22.x on purpose: the bundles are built (esbuild target node22) and tested for it; moving runtime is a deliberate change.',
  );
  acknowledge(
    'AwsSolutions-APIG6',
    'Execution logging needs the account-wide API Gateway CloudWatch role, which platform teams usually own; per-stage access logs (APIG1) and the ingest function logs record every request and its outcome.',
  );
  for (const queue of terminalQueues) {
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'A dead-letter queue that is not an SQS redrive target (EventBridge rule targets’ DeadLetterConfig, or the ingest’s rejected events), which cdk-nag does not recognise as DLQ use.',
    });
  }
}
