/** Chapter 7's widget state: the experiment's inputs and the worker's answer, and how its events become chart marks. */
import type { Lane, LaneMark, LaneMarkKind } from '../../../charts/aliveTimeline.ts';
import type { DetectRow } from '../../../charts/aliveDetect.ts';
import { ALIVE_DEFAULTS } from '../../../worker/course/alive-scenario.ts';
import type { AliveEventKind, AliveResult } from '../../../worker/course/alive-types.ts';
import { CourseState } from './courseState.svelte.ts';

export class AliveState extends CourseState<'alive'> {
  constructor() {
    super('alive', ALIVE_DEFAULTS);
  }
}

const MARK: Record<AliveEventKind, LaneMarkKind> = {
  ping: 'keepalive', pong: 'keepalive', pingreq: 'keepalive', pingresp: 'keepalive',
  message: 'message', 'nat-drop': 'lost', 'outage-drop': 'lost', retransmit: 'retransmit', connect: 'connect',
  'close-frame': 'closed', disconnect: 'closed', detected: 'closed', closed: 'closed',
};

const SHORT = { 'ws-server': 'ws server', 'ws-browser': 'browser', 'mqtt-broker': 'broker', 'mqtt-device': 'device' } as const;

export function lanesOf(r: AliveResult): Lane[] {
  const died = (p: 'websocket' | 'mqtt') => r.runs.find((x) => x.protocol === p)?.diedAtMs ?? null;
  return r.sides.map((s) => ({ id: s.side, label: s.label, short: SHORT[s.side], diedAtMs: died(s.protocol) }));
}

export function marksOf(r: AliveResult): LaneMark[] {
  return r.events.map((e) => ({ lane: e.side, tMs: e.tMs, kind: MARK[e.kind], text: `${e.dir === 'note' ? '' : `${e.dir}: `}${e.text}` }));
}

export function detectRows(r: AliveResult): DetectRow[] {
  const died = (p: 'websocket' | 'mqtt') => r.runs.find((x) => x.protocol === p)?.diedAtMs ?? null;
  return r.sides.map((s) => ({ id: s.side, label: s.label, detectMs: s.detectMs, diedAtMs: died(s.protocol), how: s.how }));
}

/** "2 min", "90 s", "off". */
export function secondsText(s: number): string {
  if (s === 0) return 'off';
  return s >= 120 && s % 60 === 0 ? `${s / 60} min` : `${s} s`;
}
