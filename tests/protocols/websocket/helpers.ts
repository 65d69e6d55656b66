import { Rng, randomBytesFrom } from '../../../simulator/core/rng.ts';
import { WsConnection, type WsConnectionOptions, type WsEvent } from '../../../simulator/protocols/websocket/index.ts';

export function drain(conn: WsConnection): WsEvent[] {
  const out: WsEvent[] = [];
  for (let e = conn.nextEvent(); e; e = conn.nextEvent()) out.push(e);
  return out;
}

/** A client and a server engine joined by a perfect in-memory link; time moves only by hand. */
export class Pair {
  client: WsConnection;
  server: WsConnection;
  clientEvents: WsEvent[] = [];
  serverEvents: WsEvent[] = [];
  /** Bytes each side put on the wire. */
  wire = { client: 0, server: 0 };
  now = 0;

  constructor(client: Partial<WsConnectionOptions> = {}, server: Partial<WsConnectionOptions> = {}, seed = 1) {
    this.client = new WsConnection({ role: 'client', random: randomBytesFrom(Rng.stream(seed, 'client')), host: 'server:80', ...client });
    this.server = new WsConnection({ role: 'server', random: randomBytesFrom(Rng.stream(seed, 'server')), ...server });
  }

  /** Moves bytes both ways until nothing is left to move. */
  pump(): void {
    for (;;) {
      const c = this.client.dataToSend();
      const s = this.server.dataToSend();
      if (!c && !s) break;
      if (c) {
        this.wire.client += c.length;
        this.server.receiveData(c, this.now);
      }
      if (s) {
        this.wire.server += s.length;
        this.client.receiveData(s, this.now);
      }
    }
    this.clientEvents.push(...drain(this.client));
    this.serverEvents.push(...drain(this.server));
  }

  open(): this {
    this.client.start(this.now);
    this.pump();
    return this;
  }
}

export function types(events: WsEvent[]): string[] {
  return events.map((e) => (e.type === 'frame' ? `frame:${e.frame.dir}:${e.frame.opcode}` : e.type));
}
