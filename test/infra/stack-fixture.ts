import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { fileURLToPath } from 'node:url';
import { resolveStage, type Stage } from '../../lib/config/stages';
import { SyncStack, stackName } from '../../lib/sync-stack';

/** Skip esbuild in template tests: they assert on resources, not on bundles (bench/ and synth.test.ts build those). */
const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

export const ECHO_HANDLER = fileURLToPath(new URL('../fixtures/lambda/echo-handler.ts', import.meta.url));

export function syncStack(stage: Stage): { stack: SyncStack; template: Template } {
  const app = new App({ context: NO_BUNDLING });
  const { config } = resolveStage(stage);
  const stack = new SyncStack(app, stackName(stage), { stage, config, env: config.env });
  return { stack, template: Template.fromStack(stack) };
}

export function emptyStack(): Stack {
  return new Stack(new App({ context: NO_BUNDLING }), 'TestStack', { env: { account: '123456789012', region: 'eu-west-1' } });
}
