import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng, randomBytesFrom } from '../../../simulator/core/rng.ts';
import { MqttBrokerFront } from '../../../simulator/protocols/mqtt/broker-ws.ts';
import { encodePacket, PacketParser, type MqttPacket } from '../../../simulator/protocols/mqtt/codec.ts';
import { WsConnection } from '../../../simulator/protocols/websocket/connection.ts';

/** A WebSocket client engine joined to the front by a lossless in-memory pipe. */
class WsMqttClient {
  readonly ws: WsConnection;
  readonly parser = new PacketParser(4);
  readonly packets: MqttPacket[] = [];
  closeCodes: number[] = [];
  tcpClosed = false;

  constructor(readonly front: MqttBrokerFront, readonly connId: string, seed = 1) {
    this.ws = new WsConnection({ role: 'client', random: randomBytesFrom(Rng.stream(seed, connId)), protocols: ['mqtt'], host: 'broker', path: '/mqtt' });
    front.openConnection(connId, 0, 'websocket');
    this.ws.start(0);
    this.pump();
  }

  sendMqtt(packet: MqttPacket, split = false): void {
    const bytes = encodePacket(packet, 4);
    if (split) {
      this.ws.sendBinary(bytes.subarray(0, 3), 0);
      this.ws.sendBinary(bytes.subarray(3), 0);
    } else this.ws.sendBinary(bytes, 0);
    this.pump();
  }

  pump(): void {
    for (let moved = true; moved; ) {
      moved = false;
      for (let b = this.ws.dataToSend(); b !== undefined; b = this.ws.dataToSend()) {
        this.front.receiveData(this.connId, b, 0);
        moved = true;
      }
      for (let out = this.front.nextOutput(); out !== undefined; out = this.front.nextOutput()) {
        if (out.connId !== this.connId) continue;
        if ('close' in out) {
          this.tcpClosed = true;
          this.ws.connectionLost(0);
        } else this.ws.receiveData(out.bytes, 0);
        moved = true;
      }
      for (let ev = this.ws.nextEvent(); ev !== undefined; ev = this.ws.nextEvent()) {
        if (ev.type === 'message') this.packets.push(...this.parser.push(ev.message.data));
        if (ev.type === 'close-received') this.closeCodes.push(ev.code);
      }
    }
  }
}

const connect = (clientId: string): MqttPacket => ({ cmd: 'connect', clientId, clean: true, keepalive: 0, protocolVersion: 4 });

describe('MQTT over WebSocket in front of the broker', () => {
  it('handshakes with subprotocol mqtt and carries packets split across binary frames [MQTT-6.0.0-2]', () => {
    const front = new MqttBrokerFront();
    const c = new WsMqttClient(front, 'w1');
    expect(c.ws.state).toBe('OPEN');
    expect(c.ws.protocol).toBe('mqtt');
    c.sendMqtt(connect('browser'), true);
    c.sendMqtt({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'a/#', qos: 1 }] });
    c.sendMqtt({ cmd: 'publish', topic: 'a/b', payload: new TextEncoder().encode('hi'), qos: 1, messageId: 4, dup: false, retain: false });
    expect(c.packets.map((p) => p.cmd)).toEqual(['connack', 'suback', 'publish', 'puback']);
    expect(front.broker.counters.connectionsAccepted).toBe(1);
  });

  it('closes with 1003 on a text frame [MQTT-6.0.0-1]', () => {
    const front = new MqttBrokerFront();
    const c = new WsMqttClient(front, 'w1');
    c.ws.sendText('CONNECT please', 0);
    c.pump();
    expect(c.closeCodes).toEqual([1003]);
    expect(c.packets).toEqual([]);
  });

  it('answers DISCONNECT by closing the WebSocket with 1000, and publishes the will on a lost connection', () => {
    const front = new MqttBrokerFront();
    const watcher = new WsMqttClient(front, 'w1');
    watcher.sendMqtt(connect('watcher'));
    watcher.sendMqtt({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'will/#', qos: 0 }] });
    const polite = new WsMqttClient(front, 'w2');
    polite.sendMqtt({ ...connect('polite'), will: { topic: 'will/polite', payload: new Uint8Array([1]) } } as MqttPacket);
    polite.sendMqtt({ cmd: 'disconnect' });
    expect(polite.closeCodes).toEqual([1000]);
    expect(polite.tcpClosed).toBe(true);
    const rude = new WsMqttClient(front, 'w3');
    rude.sendMqtt({ ...connect('rude'), will: { topic: 'will/rude', payload: new Uint8Array([2]) } } as MqttPacket);
    front.connectionLost('w3', 0);
    watcher.pump();
    expect(watcher.packets.filter((p) => p.cmd === 'publish').map((p) => p.cmd === 'publish' && p.topic)).toEqual(['will/rude']);
  });

  it('random bytes on a WebSocket connection never throw and TCP clients keep working', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.uint8Array({ maxLength: 200 }), (handshakeFirst, garbage) => {
        const front = new MqttBrokerFront();
        front.openConnection('t', 0, 'tcp');
        front.receiveData('t', encodePacket(connect('tcp-client'), 4), 0);
        if (handshakeFirst) {
          const c = new WsMqttClient(front, 'w');
          c.ws.sendBinary(garbage, 0);
          c.pump();
        } else {
          front.openConnection('w', 0, 'websocket');
          front.receiveData('w', garbage, 0);
        }
        while (front.nextOutput() !== undefined);
        front.receiveData('t', encodePacket({ cmd: 'pingreq' }, 4), 0);
        const out = front.nextOutput();
        expect(out && 'bytes' in out ? Buffer.from(out.bytes).toString('hex') : 'none').toBe('d000');
      }),
      { numRuns: 300 },
    );
  });
});
