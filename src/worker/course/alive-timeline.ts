/**
 * Chapter 7's timeline: what each end sent and saw, read from one run's trace. Four lanes, two per
 * protocol (server and device); a NAT's or a dark network's drops are put on the lane of the end
 * that sent the packet, with what it was.
 */
import type { TraceRecord } from '../../../simulator/core/trace.ts';
import type { AliveEvent, AliveEventKind, SideId } from './alive-types.ts';

const SIDES = {
  websocket: { server: 'ws-server', browser: 'ws-browser' },
  mqtt: { broker: 'mqtt-broker', device: 'mqtt-device' },
} as const;

function sideOf(protocol: 'websocket' | 'mqtt', node: string): SideId | undefined {
  return (SIDES[protocol] as Record<string, SideId>)[node];
}

const WS_KIND: Record<string, AliveEventKind | undefined> = { ping: 'ping', pong: 'pong', text: 'message', binary: 'message', close: 'close-frame' };
const MQTT_KIND: Record<string, AliveEventKind | undefined> = {
  pingreq: 'pingreq', pingresp: 'pingresp', publish: 'message', disconnect: 'disconnect', connect: 'connect', connack: 'connect',
};

/** The device's connections are the only ones a lane shows (the broker's link to the backend is left out). */
const onDeviceConn = (conn: string | undefined, device: string) => conn !== undefined && conn.startsWith(`${device}:`);

export function timelineEvents(trace: TraceRecord[], protocol: 'websocket' | 'mqtt'): AliveEvent[] {
  const device = protocol === 'websocket' ? 'browser' : 'device';
  const out: AliveEvent[] = [];
  const push = (side: SideId | undefined, t: number, kind: AliveEventKind, dir: AliveEvent['dir'], text: string) => {
    if (side) out.push({ side, tMs: t / 1000, kind, dir, text });
  };
  for (const r of trace) {
    switch (r.kind) {
      case 'ws-frame': {
        const kind = WS_KIND[r.opcode];
        if (!kind || !onDeviceConn(r.conn, device)) break;
        const what = kind === 'close-frame' ? `Close frame${r.closeCode !== undefined ? ` ${r.closeCode}` : ''}` : kind === 'message' ? 'alert (text frame)' : r.opcode;
        push(sideOf(protocol, r.node), r.t, kind, r.dir === 'send' ? 'sent' : 'received', what);
        break;
      }
      case 'mqtt-packet': {
        const kind = MQTT_KIND[r.type];
        if (!kind || !onDeviceConn(r.conn, device)) break;
        const what = r.type === 'publish' ? 'PUBLISH (alert)' : r.type.toUpperCase();
        push(sideOf(protocol, r.node), r.t, kind, r.dir === 'send' ? 'sent' : 'received', what);
        break;
      }
      case 'link-drop': {
        if (!onDeviceConn(r.conn, device) || (r.reason !== 'idle-timeout' && r.reason !== 'outage')) break;
        const from = r.link.split('->')[0]!;
        const sender = from === device ? device : protocol === 'websocket' ? 'server' : 'broker';
        const text = r.reason === 'idle-timeout' ? `NAT dropped a ${r.bytes}-byte packet (mapping forgotten)` : `dark network dropped a ${r.bytes}-byte packet`;
        push(sideOf(protocol, sender), r.t, r.reason === 'idle-timeout' ? 'nat-drop' : 'outage-drop', 'lost', text);
        break;
      }
      case 'tcp-retransmit':
        if (onDeviceConn(r.conn, device)) push(sideOf(protocol, r.node), r.t, 'retransmit', 'sent', `TCP retransmission (${r.cause})`);
        break;
      case 'ws-event':
        if (r.event === 'open' && onDeviceConn(r.conn, device)) push(sideOf(protocol, r.node), r.t, 'connect', 'note', 'WebSocket open');
        if (r.event === 'closed' && onDeviceConn(r.conn, device)) push(sideOf(protocol, r.node), r.t, 'closed', 'note', `closed: code ${r.code ?? 1006}${r.detail === 'clean' ? '' : ' (no Close frame)'}`);
        break;
      case 'mqtt-event':
        if (r.node === 'broker' && r.clientId === 'device' && (r.event === 'keepalive-timeout' || r.event === 'connection-lost' || r.event === 'client-disconnected'))
          push('mqtt-broker', r.t, 'detected', 'note', r.event === 'keepalive-timeout' ? 'keepalive timeout: closes the connection' : r.event);
        if (r.node === 'device' && r.event.startsWith('disconnected:')) push('mqtt-device', r.t, 'detected', 'note', r.event.replace('disconnected:', 'disconnected: '));
        break;
      default:
        break;
    }
  }
  return out;
}
