import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ProfileServiceStack } from '../../infra/lib/profile-service-stack.js';
import { readSettings } from '../../infra/lib/settings.js';

/** The feature flags and settings of cdk.json: tests synthesize what `cdk synth` does. */
const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> };

export interface Synthesized {
  stack: ProfileServiceStack;
  template: Template;
  /** The raw template, for walks the assertions API does not offer. */
  json: { Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; DependsOn?: string | string[]; DeletionPolicy?: string; UpdateReplacePolicy?: string }> };
}

/**
 * Synthesizes the stack with `context` on top of cdk.json's. Lambda bundling
 * (esbuild) is skipped unless `bundle` is set: `aws:cdk:bundling-stacks`
 * names the stacks to bundle, and an empty list bundles none. Without an
 * `outdir` (the caller's to remove) the cloud assembly goes to a temporary
 * directory removed once the template is read.
 */
export function synth(context: Record<string, unknown> = {}, options: { bundle?: boolean; outdir?: string } = {}): Synthesized {
  const outdir = options.outdir ?? mkdtempSync(join(tmpdir(), 'profile-service-cdk-'));
  try {
    return synthInto(outdir, context, options.bundle ?? false);
  } finally {
    if (!options.outdir) rmSync(outdir, { recursive: true, force: true });
  }
}

function synthInto(outdir: string, context: Record<string, unknown>, bundle: boolean): Synthesized {
  const app = new App({
    outdir,
    context: {
      ...cdkJson.context,
      imageTag: 'test-tag',
      ...(bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...context,
    },
  });
  const settings = readSettings((key) => app.node.tryGetContext(key));
  const stack = new ProfileServiceStack(app, 'ProfileService', { settings });
  const template = Template.fromStack(stack);
  return { stack, template, json: template.toJSON() as Synthesized['json'] };
}
