/**
 * Byte inspection for widgets: WebSocket frames (RFC 6455 section 5.2) and MQTT packets, encoded
 * and described by the protocol engines themselves. Bad bytes give `{ ok: false, error }` with
 * the engine's message, never an exception across the worker boundary.
 */
import { FrameParser } from '../../simulator/protocols/websocket/parser.ts';
import { encodeFrame, Opcode } from '../../simulator/protocols/websocket/frame.ts';
import { describeFrame } from '../../simulator/protocols/websocket/describe.ts';
import { describePackets } from '../../simulator/protocols/mqtt/inspect.ts';
import type { Inspected, MqttPacketDescription, WsFrameDescription, WsFrameRequest } from './api.ts';


function failure(error: unknown): { ok: false; error: string } {
  return { ok: false, error: error instanceof Error ? error.message : String(error) };
}

/** Encodes one frame with the engine's encoder and describes it field by field. */
export function wsEncodeFrame(request: WsFrameRequest): Inspected<{ bytes: Uint8Array; description: WsFrameDescription }> {
  try {
    const opcode = typeof request.opcode === 'number' ? request.opcode : (Opcode as Record<string, number>)[request.opcode];
    if (opcode === undefined) return { ok: false, error: `unknown opcode "${String(request.opcode)}"` };
    const payload = typeof request.payload === 'string' ? new TextEncoder().encode(request.payload) : request.payload;
    const bytes = encodeFrame({ opcode, payload, fin: request.fin ?? true, rsv1: request.rsv1 ?? false, ...(request.maskKey ? { maskKey: request.maskKey } : {}) });
    const described = wsDescribeFrames(bytes);
    if (!described.ok) return described;
    return { ok: true, value: { bytes, description: described.value[0]! } };
  } catch (error) {
    return failure(error);
  }
}

/** Parses whole frames from `bytes` (either direction) and describes each. */
export function wsDescribeFrames(bytes: Uint8Array): Inspected<WsFrameDescription[]> {
  try {
    const parser = new FrameParser({ allowRsv1: true });
    parser.push(bytes);
    const out: WsFrameDescription[] = [];
    for (let frame = parser.next(); frame; frame = parser.next()) out.push(describeFrame(frame, frame.frameBytes));
    if (parser.bufferedBytes > 0) return { ok: false, error: `${parser.bufferedBytes} byte(s) after the last whole frame: the frame is incomplete` };
    return { ok: true, value: out };
  } catch (error) {
    return failure(error);
  }
}

/** Describes every MQTT packet in `bytes` (whole packets; a CONNECT sets the version after it). */
export function mqttDescribePackets(bytes: Uint8Array, version: '3.1.1' | '5' = '3.1.1'): Inspected<MqttPacketDescription[]> {
  try {
    return { ok: true, value: describePackets(bytes, version) };
  } catch (error) {
    return failure(error);
  }
}
