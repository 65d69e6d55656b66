/** docs/FIDELITY.md and the table on the site's "How we know" page, from one run's results. Pure. */
import type { LinkCheck } from './testbed/verify.ts';
import { markdownTable, type Row } from './table.ts';

export interface Report {
  date: string;
  scope: 'quick' | 'full';
  runs: number;
  /** Real runs at once (each on its own link). */
  jobs: number;
  minutes: number;
  kernel: string;
  /** /proc/loadavg's 1-minute figure at the start and the end: the machine's other work skews latencies. */
  load: { start: number; end: number; cores: number };
  congestion: string;
  simCongestion: string;
  versions: { node: string; ws: string; mqtt: string; mosquittoDebian: string; mosquittoBuilt: string };
  link: LinkCheck;
  rows: Row[];
  notes: Record<string, Record<string, (number | string)[]>>;
}

export const BEGIN = '{/* fidelity:begin (written by npm run fidelity -- --write) */}';
export const END = '{/* fidelity:end */}';

/** Replaces what lies between the BEGIN and END markers of `text` with `table`. */
export function replaceBetween(text: string, table: string): string {
  const a = text.indexOf(BEGIN);
  const b = text.indexOf(END);
  if (a < 0 || b < a) throw new Error('the page has no fidelity:begin/fidelity:end markers');
  return `${text.slice(0, a + BEGIN.length)}\n\n${table}\n\n${text.slice(b)}`;
}

/** `findings`: fidelity/FINDINGS.md, what the runs showed in words (kept by hand, read by --write). */
export function renderReport(r: Report, findings = ''): { doc: string; table: string } {
  const l = r.link;
  const header = [
    `Measured ${r.date.slice(0, 10)} (${r.scope} grid, ${r.runs} runs per case, ${r.jobs} at once, ${r.minutes.toFixed(1)} minutes), Linux ${r.kernel},`,
    `congestion control ${r.congestion} in both namespaces (simulator: ${r.simCongestion}); Node ${r.versions.node}, ws ${r.versions.ws},`,
    `mqtt.js ${r.versions.mqtt}, mosquitto ${r.versions.mosquittoDebian} (Debian 12) and ${r.versions.mosquittoBuilt} (built from Debian 13's source).`,
    `Load average ${r.load.start} at the start and ${r.load.end} at the end on ${r.load.cores} cores: the real latencies include waiting for a CPU.`,
  ].join('\n');
  const linkCheck = [
    `Link check: ping round trip min/avg/max ${l.pingRttMs.min}/${l.pingRttMs.avg}/${l.pingRttMs.max} ms over ${l.pingRttMs.count} pings`,
    `for ${l.delayMs} ms one way; ${l.lossPct} % Bernoulli loss gave ${l.lossMeasuredPct.ab} % (a to b) and ${l.lossMeasuredPct.ba} % (b to a)`,
    `of about ${l.lossPackets} packets each way, by the forwarder's own counters.`,
  ].join('\n');
  const table = `${header}\n\n${linkCheck}\n\n${markdownTable(r.rows)}\n\n\\* the simulated median lies outside the real runs' range.`;
  const noteLines = Object.entries(r.notes).map(
    ([id, n]) => `- ${id}: ${Object.entries(n).map(([k, v]) => `${k} ${v.join(', ')}`).join('; ')}`,
  );
  const doc = [
    '# Fidelity: the simulator beside real stacks',
    '',
    'Written by `npm run fidelity -- --full --write` (fidelity/README.md says what each case runs and',
    'how each figure is measured). Real: mqtt.js, ws and mosquitto in two network namespaces joined by',
    'an emulated link (fidelity/link/fwd.c); simulated: the same case as a wirelab scenario. Each real',
    'cell is the median over the runs with the range in brackets.',
    '',
    table,
    '',
    ...(findings ? [findings.trim(), ''] : []),
    '## Per run, from the broker log and the peers',
    '',
    'qos2Quota: PUBRECs mosquitto sent with reason 151 (quota exceeded: the QoS 2 PUBLISH was dropped);',
    'queueDropNotices: "Outgoing messages are being dropped"; brokerTimeouts: "exceeded timeout";',
    'pubPingreqs/subPingreqs: PINGREQs mqtt.js sent.',
    '',
    ...noteLines,
    '',
  ].join('\n');
  return { doc, table };
}
