// Bundles each Lambda handler into one self-contained ESM file in dist/lambda/
// (replacing tsc's unbundled output), so the deployment artefact needs no
// node_modules: dist/lambda/<name>.js exports `handler`. The CDK app bundles
// the same entry points with the same settings (scripts/lambda-bundling.json).
import { chmod } from 'node:fs/promises';
import { build } from 'esbuild';
import settings from './lambda-bundling.json' with { type: 'json' };

await build({
  entryPoints: settings.handlers.map((name) => `src/lambda/${name}.ts`),
  outdir: 'dist/lambda',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  minify: false,
  // pg's optional native binding is never used; the AWS SDK clients ship in
  // the Lambda runtime; @aws-sdk/rds-signer (IAM database auth) is bundled.
  external: settings.external,
  // CommonJS dependencies (pg) call require(); give the ESM bundle one.
  banner: { js: settings.banner },
  logLevel: 'warning',
});
await chmod('dist/cli/main.js', 0o755);
console.log(`bundled ${settings.handlers.length} Lambda handler(s) into dist/lambda/`);
