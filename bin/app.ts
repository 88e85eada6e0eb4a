#!/usr/bin/env node
/**
 * The CDK app: `npx cdk synth|deploy -c stage=NAME`. Stage settings live in lib/config/stages.ts.
 * cdk-nag's AwsSolutions checks run on every synth, so a finding fails fast, not in review.
 */
import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { resolveStage } from '../lib/config/stages';
import { SyncStack, stackName } from '../lib/sync-stack';

const app = new App();
const { stage, config } = resolveStage(app.node.tryGetContext('stage'));

const stack = new SyncStack(app, stackName(stage), {
  stage,
  config,
  env: config.env,
  description: `odoo-saas-sync (${stage}): SaaS webhooks to Odoo`,
});
Tags.of(stack).add('project', 'odoo-saas-sync');
Tags.of(stack).add('stage', stage);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
