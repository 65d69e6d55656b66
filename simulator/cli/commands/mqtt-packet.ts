/**
 * `wirelab packet PROTOCOL TYPE [options]`: builds one packet with the real encoder and prints its
 * bytes and every field with its byte range, as JSON. Only `mqtt` so far (add protocols to
 * `packetBuilders`).
 *
 * `wirelab packet mqtt TYPE [--version 3.1.1|5] [--qos N] [--topic T] [--payload-bytes N]
 *  [--client-id ID] [--keepalive S] [--username U --password P] [--packet-id N] [--retain] [--dup]
 *  [--reason-code N] [--session-present] [--no-clean]`
 */
import { choiceOption, integerOption, parseOptions } from '../args.ts';
import { CliError } from '../io.ts';
import { LocalProtocolError } from '../../core/errors.ts';
import { encodePacket, type MqttPacket, type QoS } from '../../protocols/mqtt/codec.ts';
import { describePacket } from '../../protocols/mqtt/inspect.ts';
import { LIMITS } from '../../scenarios/limits.ts';
import type { Command } from './types.ts';

export const MQTT_PACKET_TYPES = [
  'connect', 'connack', 'publish', 'puback', 'pubrec', 'pubrel', 'pubcomp',
  'subscribe', 'suback', 'unsubscribe', 'unsuback', 'pingreq', 'pingresp', 'disconnect',
] as const;
type MqttType = (typeof MQTT_PACKET_TYPES)[number];

const MQTT_USAGE = `usage: wirelab packet mqtt TYPE [options]

TYPE: ${MQTT_PACKET_TYPES.join(', ')}

Builds the packet with mqtt-packet (the encoder the simulator uses) and prints JSON: hex, bytes,
the fixed header bits, the remaining length, the variable header, the MQTT 5 properties, the
payload, and every field with its byte range [start, end).

options:
  --version 3.1.1|5     protocol version (default 3.1.1)
  --qos N               QoS of a PUBLISH or SUBSCRIBE, granted QoS of a SUBACK (default 0; 1 for subscribe)
  --topic T             topic name or filter (default sensors/temp/1)
  --payload-bytes N     PUBLISH payload size, zero bytes (default 20)
  --client-id ID        CONNECT client identifier (default wirelab)
  --keepalive S         CONNECT keepalive, seconds (default 60)
  --username U          CONNECT user name
  --password P          CONNECT password (needs --username in 3.1.1)
  --packet-id N         packet identifier, 1-65535 (default 1)
  --retain              PUBLISH retain flag
  --dup                 PUBLISH DUP flag (QoS 1 or 2 only, [MQTT-3.3.1-2])
  --reason-code N       CONNACK return/reason code, MQTT 5 ack or DISCONNECT reason code (default 0)
  --session-present     CONNACK session present flag
  --no-clean            CONNECT with clean session / clean start 0`;

function buildMqtt(type: MqttType, v: Record<string, string | boolean | undefined>): MqttPacket {
  const str = (k: string) => v[k] as string | undefined;
  const qosText = str('qos');
  const qos = integerOption('qos', qosText) ?? (type === 'subscribe' || type === 'suback' ? 1 : 0);
  if (qos > 2) throw new CliError(`--qos: expected 0, 1 or 2, got ${qos}`);
  const packetId = integerOption('packet-id', str('packet-id'), 1) ?? 1;
  if (packetId > 65535) throw new CliError(`--packet-id: expected 1-65535, got ${packetId}`);
  const topic = str('topic') ?? 'sensors/temp/1';
  const reasonCode = integerOption('reason-code', str('reason-code'));
  if (reasonCode !== undefined && reasonCode > 255) throw new CliError(`--reason-code: expected 0-255, got ${reasonCode}`);
  const keepalive = integerOption('keepalive', str('keepalive')) ?? 60;
  if (keepalive > 65535) throw new CliError(`--keepalive: expected 0-65535, got ${keepalive}`);
  const payloadBytes = integerOption('payload-bytes', str('payload-bytes')) ?? 20;
  if (payloadBytes > LIMITS.printedPayloadBytes) throw new CliError(`--payload-bytes: expected at most ${LIMITS.printedPayloadBytes} [limit printedPayloadBytes: every byte is printed], got ${payloadBytes}`);
  if (v.dup && (type !== 'publish' || qos === 0)) throw new CliError('--dup: only a QoS 1 or 2 PUBLISH may have DUP set [MQTT-3.3.1-2]');
  const ack = (cmd: 'puback' | 'pubrec' | 'pubrel' | 'pubcomp'): MqttPacket =>
    (reasonCode === undefined ? { cmd, messageId: packetId } : { cmd, messageId: packetId, reasonCode }) as MqttPacket;
  switch (type) {
    case 'connect': {
      const p: MqttPacket = { cmd: 'connect', clientId: str('client-id') ?? 'wirelab', keepalive, clean: !v['no-clean'] };
      if (str('username') !== undefined) p.username = str('username');
      if (str('password') !== undefined) p.password = Uint8Array.from(Buffer.from(str('password')!, 'utf8'));
      return p;
    }
    case 'connack':
      return { cmd: 'connack', sessionPresent: !!v['session-present'], returnCode: reasonCode ?? 0, reasonCode: reasonCode ?? 0 };
    case 'publish': {
      const p: MqttPacket = { cmd: 'publish', topic, qos: qos as QoS, dup: !!v.dup, retain: !!v.retain, payload: new Uint8Array(payloadBytes) };
      if (qos > 0) p.messageId = packetId;
      return p;
    }
    case 'puback': case 'pubrec': case 'pubrel': case 'pubcomp':
      return ack(type);
    case 'subscribe':
      return { cmd: 'subscribe', messageId: packetId, subscriptions: [{ topic, qos: qos as QoS }] };
    case 'suback':
      return { cmd: 'suback', messageId: packetId, granted: [reasonCode ?? qos] };
    case 'unsubscribe':
      return { cmd: 'unsubscribe', messageId: packetId, unsubscriptions: [topic] };
    case 'unsuback':
      return { cmd: 'unsuback', messageId: packetId, granted: [reasonCode ?? 0] };
    case 'pingreq':
      return { cmd: 'pingreq' };
    case 'pingresp':
      return { cmd: 'pingresp' };
    case 'disconnect':
      return reasonCode === undefined ? { cmd: 'disconnect' } : { cmd: 'disconnect', reasonCode };
  }
}

export const mqttPacketBuilder: Command = {
  summary: 'MQTT 3.1.1 / 5 control packets',
  usage: MQTT_USAGE,
  async run(args, io) {
    const { values, positionals } = parseOptions(
      args,
      {
        version: { type: 'string' }, qos: { type: 'string' }, topic: { type: 'string' }, 'payload-bytes': { type: 'string' },
        'client-id': { type: 'string' }, keepalive: { type: 'string' }, username: { type: 'string' }, password: { type: 'string' },
        'packet-id': { type: 'string' }, retain: { type: 'boolean' }, dup: { type: 'boolean' }, 'reason-code': { type: 'string' },
        'session-present': { type: 'boolean' }, 'no-clean': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
      MQTT_USAGE,
    );
    if (values.help) {
      io.stdout.write(`${MQTT_USAGE}\n`);
      return 0;
    }
    const [typeName, ...extra] = positionals;
    if (typeName === undefined) throw new CliError(`expected a packet TYPE\n${MQTT_USAGE}`);
    if (extra.length > 0) throw new CliError(`unexpected argument "${extra[0]}"\n${MQTT_USAGE}`);
    const type = choiceOption('TYPE', typeName.toLowerCase(), MQTT_PACKET_TYPES, 'connect');
    const version = choiceOption('version', values.version, ['3.1.1', '5'] as const, '3.1.1');
    if (values.password !== undefined && values.username === undefined && version === '3.1.1') {
      throw new CliError('--password needs --username in MQTT 3.1.1 [MQTT-3.1.2-22]');
    }
    const packet = buildMqtt(type, values);
    let bytes: Uint8Array;
    try {
      bytes = encodePacket(packet, version);
    } catch (error) {
      if (error instanceof LocalProtocolError) throw new CliError(error.message);
      throw error;
    }
    const d = describePacket(bytes, version);
    const out = {
      hex: d.hex, bytes: d.bytes, type: d.type, version: d.version,
      fixedHeader: d.fixedHeader, remainingLength: d.remainingLength, variableHeader: d.variableHeader,
      ...(d.properties !== undefined ? { properties: d.properties } : {}),
      ...(d.payload !== undefined ? { payload: d.payload } : {}),
      fields: d.fields,
    };
    io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  },
};

const packetBuilders: Record<string, Command> = { mqtt: mqttPacketBuilder };

const PACKET_USAGE = `usage: wirelab packet PROTOCOL TYPE [options]

protocols:
${Object.entries(packetBuilders).map(([n, c]) => `  ${n.padEnd(8)} ${c.summary}`).join('\n')}`;

export const packetCommand: Command = {
  summary: 'build one packet and show its bytes field by field',
  usage: PACKET_USAGE,
  async run(args, io) {
    const [protocol, ...rest] = args;
    if (protocol === '--help' || protocol === '-h') {
      io.stdout.write(`${PACKET_USAGE}\n`);
      return 0;
    }
    if (protocol === undefined) throw new CliError(`expected a protocol\n${PACKET_USAGE}`);
    // Own keys only: `packet constructor` found Object.prototype's (an internal error; the CLI fuzz target).
    const builder = Object.hasOwn(packetBuilders, protocol) ? packetBuilders[protocol] : undefined;
    if (builder === undefined) throw new CliError(`unknown protocol "${protocol}"\n${PACKET_USAGE}`);
    return builder.run(rest, io);
  },
};
