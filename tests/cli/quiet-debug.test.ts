/**
 * simulator/cli/quiet-debug.ts: the CLI hands mqtt-packet a `debug` that is off and does nothing,
 * unless DEBUG asks for logs. Checked in a fresh process each time (it changes the module cache).
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const child = new URL('./fixtures/quiet-debug-child.ts', import.meta.url).pathname;

function run(env: Record<string, string>): Record<string, unknown> {
  const { DEBUG: _unused, ...rest } = process.env;
  const stdout = execFileSync(process.execPath, ['--import', 'tsx', child], { cwd: root, env: { ...rest, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return JSON.parse(stdout) as Record<string, unknown>;
}

describe('quietDebug', () => {
  it("gives mqtt-packet a logger that does nothing, and the codec's bytes are unchanged", () => {
    const out = run({});
    // 0x32 PUBLISH QoS 1, remaining length 9: topic length 3 "a/b", packet id 10, payload "hi".
    expect(out).toEqual({ swapped: true, mqttPacketGotQuiet: true, again: false, hex: '32090003612f62000a6869', topic: 'a/b' });
  });

  it('changes nothing when DEBUG is set (someone wants the logs)', () => {
    const out = run({ DEBUG: 'mqtt-packet:*' });
    expect(out['swapped']).toBe(false);
    expect(out['mqttPacketGotQuiet']).toBe(false);
    expect(out['topic']).toBe('a/b');
  });
});
