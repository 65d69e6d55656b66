/**
 * The figures chapter 8's prose quotes (`<Measure of="fanout.<name>" />`), each from a run named in
 * ./fanout-run.ts: the widget shows the same numbers at the same settings.
 */
import { bytesText, msText } from './figures.ts';
import { FANOUT_RUNS, pointOf } from './fanout-run.ts';
import type { Cost, HubCost } from './fanout-scenario.ts';

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const packets = (n: number): string => `${int(n)} ${n === 1 ? 'packet' : 'packets'}`;
const both = (c: Cost): number => c.bytesOut + c.bytesIn;
const ms = (v: number | null): string => (v === null ? 'nothing delivered' : msText(v));

/** Bytes of one copy to one subscriber on the wire (what its link carries in). */
const copyBytes = (h: HubCost): number => h.perSubscriber.bytesIn;

export function fanoutFigures() {
  const k = FANOUT_RUNS.thousand();
  const one = pointOf(k, 1);
  const thousand = pointOf(k, 1000);
  const slow = FANOUT_RUNS.thousandSlowHub();
  const q1 = pointOf(FANOUT_RUNS.qos1(), 100);
  const q0 = pointOf(FANOUT_RUNS.defaults(), 100);
  return {
    messages: int(k.messages),
    // The publisher: the same at 1 and at 1,000 subscribers.
    mqttPubPackets1: packets(one.mqtt.publisher.packetsOut + one.mqtt.publisher.packetsIn),
    mqttPubBytes1: bytesText(both(one.mqtt.publisher)),
    mqttPubBytes1000: bytesText(both(thousand.mqtt.publisher)),
    wsPubBytes1000: bytesText(both(thousand.ws.publisher)),
    // The hub, at 1,000 subscribers.
    mqttHubPacketsOut1000: packets(thousand.mqtt.hub.packetsOut),
    mqttHubPacketsIn1000: packets(thousand.mqtt.hub.packetsIn),
    mqttHubBytesOut1000: bytesText(thousand.mqtt.hub.bytesOut),
    wsHubBytesOut1000: bytesText(thousand.ws.hub.bytesOut),
    mqttHubBytes1: bytesText(both(one.mqtt.hub)),
    mqttHubBytes1000: bytesText(both(thousand.mqtt.hub)),
    hubOverPublisher1000: `${int(both(thousand.mqtt.hub) / both(thousand.mqtt.publisher))} times`,
    // One subscriber: one copy in, one ACK out.
    mqttCopyBytes: bytesText(copyBytes(thousand.mqtt)),
    wsCopyBytes: bytesText(copyBytes(thousand.ws)),
    copyDifference: bytesText(copyBytes(thousand.mqtt) - copyBytes(thousand.ws)),
    wsSavedBytes1000: bytesText(thousand.mqtt.hub.bytesOut - thousand.ws.hub.bytesOut),
    // Time: the copies leave the hub's link one after another.
    mqttLast1: ms(one.mqtt.latencyMaxMs),
    wsLast1: ms(one.ws.latencyMaxMs),
    mqttLast1000: ms(thousand.mqtt.latencyMaxMs),
    mqttLast1000Slow: ms(slow.mqtt.latencyMaxMs),
    wsLast1000Slow: ms(slow.ws.latencyMaxMs),
    // QoS 1 at 100 subscribers against QoS 0.
    qos0HubPacketsIn100: packets(q0.mqtt.hub.packetsIn),
    qos1HubPacketsIn100: packets(q1.mqtt.hub.packetsIn),
    qos1HubPacketsOut100: packets(q1.mqtt.hub.packetsOut),
    qos1HubBytes100: bytesText(both(q1.mqtt.hub)),
    qos0HubBytes100: bytesText(both(q0.mqtt.hub)),
  };
}
