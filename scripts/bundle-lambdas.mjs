// Bundles each Lambda handler into one self-contained ESM file in dist/lambda/
// (replacing tsc's unbundled output), so the deployment artefact needs no
// node_modules: dist/lambda/<name>.js exports `handler`.
import { chmod } from 'node:fs/promises';
import { build } from 'esbuild';

const handlers = ['post-confirmation', 'pre-token-generation', 'cognito-events'];

await build({
  entryPoints: handlers.map((name) => `src/lambda/${name}.ts`),
  outdir: 'dist/lambda',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  minify: false,
  // pg's optional native binding is never used; the AWS SDK v3 ships in the Lambda runtime.
  external: ['pg-native', '@aws-sdk/*'],
  // CommonJS dependencies (pg) call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
});
await chmod('dist/cli/main.js', 0o755);
console.log(`bundled ${handlers.length} Lambda handler(s) into dist/lambda/`);
