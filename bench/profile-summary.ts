/**
 * Summarises a V8 `.cpuprofile` (as written by `npm run bench:me -- --cpu-prof DIR`):
 * self time by package / source area, the top functions by self time, and
 * the top frames by inclusive time.
 *
 *   npx tsx bench/profile-summary.ts DIR/app-….cpuprofile [--top 25]
 */
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const REPO_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** Where a frame's code lives: a package, an area of this repo, Node itself, or a V8 pseudo-frame. */
function areaOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules !== -1) {
    const parts = url.slice(modules + '/node_modules/'.length).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  if (url.startsWith('node:')) return 'node core';
  if (url.startsWith('file://')) {
    const path = relative(REPO_ROOT, fileURLToPath(url));
    const parts = path.split('/');
    return parts.length > 2 ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  return url;
}

function labelOf(frame: CallFrame): string {
  const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
  if (frame.url === '') return name;
  let where = frame.url;
  if (where.startsWith('file://')) where = relative(REPO_ROOT, fileURLToPath(where));
  return `${name}  ${where}:${frame.lineNumber + 1}`;
}

function main(): void {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' } } });
  const file = positionals[0];
  if (file === undefined) {
    console.error('usage: npx tsx bench/profile-summary.ts FILE.cpuprofile [--top N]');
    process.exit(2);
  }
  const top = Number(values.top);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;

  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  // Sample i lasted until sample i+1: timeDeltas[i+1] (µs).
  const self = new Map<number, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const us = profile.timeDeltas[i + 1] ?? 0;
    const id = profile.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + us);
    total += us;
  }

  const areaSelf = new Map<string, number>();
  const functionSelf = new Map<string, number>();
  for (const [id, us] of self) {
    const frame = byId.get(id)!.callFrame;
    areaSelf.set(areaOf(frame), (areaSelf.get(areaOf(frame)) ?? 0) + us);
    functionSelf.set(labelOf(frame), (functionSelf.get(labelOf(frame)) ?? 0) + us);
  }

  // Inclusive: each frame label counted once per sample, however deep the recursion.
  const inclusive = new Map<string, number>();
  for (const [id, us] of self) {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const label = labelOf(byId.get(at)!.callFrame);
      if (label === '(root)' || seen.has(label)) continue;
      seen.add(label);
      inclusive.set(label, (inclusive.get(label) ?? 0) + us);
    }
  }

  const idle = areaSelf.get('(idle)') ?? 0;
  const busy = total - idle;
  const pct = (us: number) => `${((100 * us) / busy).toFixed(1).padStart(5)} %`;
  const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(7)} ms`;
  const print = (title: string, entries: Map<string, number>, limit: number) => {
    console.log(`\n${title}`);
    for (const [label, us] of [...entries].filter(([l]) => l !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, limit)) {
      console.log(`  ${pct(us)} ${ms(us)}  ${label}`);
    }
  };

  console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy (${((100 * idle) / total).toFixed(1)} % idle); percentages are of busy time`);
  print('self time by area', areaSelf, top);
  print('self time by function', functionSelf, top);
  print('inclusive time by frame', inclusive, top);
}

main();
