/**
 * The figures chapter 10's first half quotes (`<Measure of="serverLoad.<name>" />`), each from a
 * run named in ./serverload-run.ts: the widget shows the same numbers at the same settings.
 */
import { bytesText } from './figures.ts';
import { loadAt, SERVERLOAD_RUNS } from './serverload-run.ts';
import type { HubLoad } from './serverload-scenario.ts';

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const dec = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: 1 });
/** Window totals per reading the consumer received (every reading is one message in and out of the hub). */
export const perReceived = (h: HubLoad, total: number): number => (h.received === 0 ? 0 : total / h.received);

export function serverLoadFigures() {
  const run = SERVERLOAD_RUNS.defaults();
  const hundred = loadAt(run, 100);
  const thousand = loadAt(run, 1000);
  const slow = SERVERLOAD_RUNS.slow();
  const q0 = SERVERLOAD_RUNS.qos0();
  const m = thousand.mqtt;
  return {
    // Connections: one per device (and the dashboard's), whatever the rate.
    mqttTcp1000: int(m.tcpConnections.mean),
    wsTcp1000: int(thousand.ws.tcpConnections.mean),
    // The WebSocket server writes nothing back: nothing queued, no timer armed.
    wsSendQueue1000: bytesText(thousand.ws.sendQueueBytes.peak),
    wsTimers1000: int(thousand.ws.retransmitTimers.peak + thousand.ws.delayedAckTimers.peak),
    wsRetransmit1000: int(thousand.ws.retransmitTimers.peak),
    wsDelayedAckMean1000: dec(thousand.ws.delayedAckTimers.mean),
    // MQTT QoS 1 at 100 devices/s, two ways: 100 devices every second, 1,000 every 10 s.
    mqttTimers100: dec(hundred.mqtt.retransmitTimers.mean),
    mqttTimersSlow: dec(slow.retransmitTimers.mean),
    mqttScoreboard100: dec(hundred.mqtt.scoreboardSegments.mean),
    mqttScoreboardSlow: dec(slow.scoreboardSegments.mean),
    mqttSendQueue100: bytesText(Math.round(hundred.mqtt.sendQueueBytes.mean)),
    mqttSendQueueSlow: bytesText(Math.round(slow.sendQueueBytes.mean)),
    mqttInflight100: dec(hundred.mqtt.inflightMessages.mean),
    mqttTcp100: int(hundred.mqtt.tcpConnections.mean),
    mqttTcpSlow: int(slow.tcpConnections.mean),
    brokerTimers: int(m.appTimers.peak),
    // Per reading at 100 devices (nothing held back).
    wsPackets100: dec(perReceived(hundred.ws, hundred.ws.packetsIn + hundred.ws.packetsOut)),
    mqttPackets100: dec(perReceived(hundred.mqtt, hundred.mqtt.packetsIn + hundred.mqtt.packetsOut)),
    wsBytes100: bytesText(Math.round(perReceived(hundred.ws, hundred.ws.bytesIn + hundred.ws.bytesOut))),
    mqttBytes100: bytesText(Math.round(perReceived(hundred.mqtt, hundred.mqtt.bytesIn + hundred.mqtt.bytesOut))),
    // One dashboard at QoS 1 against 1,000 readings a second.
    sent1000: int(m.sent),
    received1000: int(m.received),
    wsReceived1000: int(thousand.ws.received),
    inflightPeak1000: int(m.inflightMessages.peak),
    queuedPeak1000: int(m.queuedMessages.peak),
    dropped1000: int(m.dropped),
    sendQueue1000: bytesText(Math.round(m.sendQueueBytes.mean)),
    // The same at QoS 0.
    q0Received1000: int(q0.received),
    q0Sent1000: int(q0.sent),
    q0SendQueue1000: bytesText(Math.round(q0.sendQueueBytes.mean)),
    q0Timers1000: dec(q0.retransmitTimers.mean),
  };
}
