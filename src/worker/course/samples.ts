/**
 * The sample contents the course's widgets put in frames and packets: a topic name of a chosen
 * length and a payload of a chosen size. Deterministic, so a permalink shows the same bytes.
 */

const encoder = new TextEncoder();

/** The topic chapter 3 starts from (14 characters). */
export const SAMPLE_TOPIC = 'sensors/temp/1';

/**
 * A valid MQTT topic name of exactly `length` characters (no wildcards, no leading `$`, no empty
 * last level): the sample topic cut or extended with more levels.
 */
export function topicOfLength(length: number): string {
  const n = Math.max(1, Math.floor(length));
  if (n === SAMPLE_TOPIC.length) return SAMPLE_TOPIC;
  const source = 'site-1/building-b/floor-3/room-12/sensors/temperature/probe-1/'.repeat(Math.ceil(n / 60) + 1);
  let topic = source.slice(0, n);
  if (topic.endsWith('/')) topic = `${topic.slice(0, -1)}x`;
  return topic;
}

/** `n` bytes of readable text (a temperature reading, repeated), as an application would send. */
export function samplePayload(n: number): Uint8Array {
  const unit = encoder.encode('{"t":21.5} ');
  const out = new Uint8Array(Math.max(0, Math.floor(n)));
  for (let i = 0; i < out.length; i++) out[i] = unit[i % unit.length]!;
  return out;
}
