/**
 * bin/typescript.mjs: the CLI loads its TypeScript through Node's own transform where Node has one
 * (>= 22.15), else tsx. Both must give the same program: the same result bytes for the same
 * scenario, nothing extra on stderr (Node's "experimental" warning is kept off the CLI's output).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const SCENARIO = join(root, 'scenarios/examples/mqtt-qos.json');

function cli(loader: 'node' | 'tsx', args: string[]) {
  const env = { ...process.env, WIRELAB_TS_LOADER: loader === 'tsx' ? 'tsx' : '' };
  return spawnSync(process.execPath, [join(root, 'bin/wirelab.mjs'), ...args], { encoding: 'utf8', env, maxBuffer: 64 << 20 });
}

describe('the CLI loads its TypeScript through Node or tsx, with the same result', () => {
  it('uses Node\'s own transform where Node has module.registerHooks and stripTypeScriptTypes', () => {
    const probe = spawnSync(process.execPath, ['--input-type=module', '-e', `import { typescriptLoader } from ${JSON.stringify(join(root, 'bin/typescript.mjs'))}; console.log(typescriptLoader);`], {
      encoding: 'utf8',
      env: { ...process.env, WIRELAB_TS_LOADER: '' },
    });
    const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
    expect(probe.stdout.trim()).toBe(major > 22 || (major === 22 && minor >= 15) ? 'node' : 'tsx');
  });

  it('writes byte-identical results and traces and a clean stderr with either loader', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wirelab-loader-'));
    try {
      const node = cli('node', ['run', SCENARIO, '--trace', join(dir, 'node.csv')]);
      const tsx = cli('tsx', ['run', SCENARIO, '--trace', join(dir, 'tsx.csv')]);
      expect(node.status).toBe(0);
      expect(tsx.status).toBe(0);
      expect(node.stderr).toBe('');
      expect(tsx.stderr).toBe('');
      expect(node.stdout).toBe(tsx.stdout);
      const trace = readFileSync(join(dir, 'node.csv'), 'utf8');
      expect(trace.split('\n').length).toBeGreaterThan(7000); // every record of the run (7,776)
      expect(trace).toBe(readFileSync(join(dir, 'tsx.csv'), 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('reports a scenario error the same way with either loader', () => {
    const node = cli('node', ['run', join(root, 'does-not-exist.json')]);
    const tsx = cli('tsx', ['run', join(root, 'does-not-exist.json')]);
    expect(node.status).toBe(2);
    expect({ status: node.status, stdout: node.stdout, stderr: node.stderr }).toEqual({ status: tsx.status, stdout: tsx.stdout, stderr: tsx.stderr });
  }, 60_000);
});
