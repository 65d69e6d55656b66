/**
 * Chapter 7's "check your understanding": each right answer is computed by runs of the chapter's
 * experiment, and each wrong choice is what a named misconception predicts (shown when picked).
 */
import { numericQuestion } from './checks.ts';
import { deviceConnections, diedAt, runProtocol } from './alive-run.ts';
import { aliveRuns, ALIVE_DEFAULTS as D, LINUX_TCP_KEEPALIVE, sideOf, tcpGiveUpMs, workedExample } from './alive-figures.ts';
import { DARK_AT_S, RUN_S } from './alive-scenario.ts';
import type { AliveInput } from './alive-types.ts';
import type { CheckQuestion } from './types.ts';

/** The transfer question's NAT, seconds, and the keepalives it offers. */
export const TRANSFER_NAT_S = 300;
export const TRANSFER_KEEPALIVES = [120, 240, 360, 600];

/** Connections of the MQTT device that a NAT forgot during the run. */
export function mqttDeaths(input: AliveInput): number {
  const run = runProtocol(input, 'mqtt', { alerts: false });
  return deviceConnections(run.trace, 'device').filter((c) => diedAt(run.trace, c, 'device', input) !== null).length;
}

const r1 = (n: number) => Math.round(n * 10) / 10;

export function aliveChecks(): CheckQuestion[] {
  // Transfer: which keepalive survives a NAT of 300 s (no alerts matter: the question is the mapping).
  const alive = TRANSFER_KEEPALIVES.filter((k) => mqttDeaths({ ...D, idleTimeoutS: TRANSFER_NAT_S, keepaliveS: k }) === 0);
  const longest = Math.max(...alive);
  const longer = Math.min(...TRANSFER_KEEPALIVES.filter((x) => x > longest));
  const longerDeaths = mqttDeaths({ ...D, idleTimeoutS: TRANSFER_NAT_S, keepaliveS: longer });
  const w = workedExample();
  const darkBroker = sideOf(aliveRuns.dark(), 'mqtt-broker');
  const closes = r1((darkBroker.detectedAtMs ?? Number.NaN) / 1000);
  const heard = r1(w.lastHeardMs / 1000);
  const k = D.keepaliveS;
  const giveUpMin = r1(tcpGiveUpMs() / 60_000);
  const retransmits = aliveRuns.base().runs.find((r) => r.protocol === 'websocket')!.retransmits;
  const browserCode = sideOf(aliveRuns.darkBrowser(), 'ws-browser').closeCode;
  return [
    numericQuestion(
      'ch7-nat-keepalive',
      `A carrier NAT forgets a TCP connection after ${TRANSFER_NAT_S} s without a packet. An MQTT device subscribes and then hears nothing for hours. Of ${TRANSFER_KEEPALIVES.join(', ')} s, which is the longest keepalive that keeps its connection alive?`,
      longest,
      TRANSFER_KEEPALIVES.filter((x) => x !== longest).map((x) =>
        x > TRANSFER_NAT_S
          ? { value: x, slip: `Keepalive only has to satisfy the broker, which waits 1.5 × keepalive. The NAT knows nothing about MQTT: it forgets a connection after its own ${TRANSFER_NAT_S} s of silence.` }
          : { value: x, slip: 'This one works, but it is not the longest: every ping costs the device bytes and battery, so the longest interval that still beats the NAT is the one to pick.' },
      ),
      ' s',
      `${longest} s: the PINGREQ every ${longest} s and its PINGRESP cross the NAT before its ${TRANSFER_NAT_S} s run out (simulated with no other traffic for ${RUN_S / 60} minutes: no connection forgotten). With ${longer} s the NAT forgot the connection before the first ping, the device gave up ${longer / 2} s after it, reconnected, and lost the next one the same way: ${longerDeaths} connections forgotten.`,
    ),
    numericQuestion(
      'ch7-broker-closes',
      `An MQTT device with keepalive ${k} s goes dark at ${DARK_AT_S} s. The broker last heard from it at ${heard} s (a ${w.lastPacket}). At what time does the broker close the connection?`,
      closes,
      [
        { value: r1(heard + k), slip: 'The broker waits one keepalive. It waits one and a half ([MQTT-3.1.2-24]), to allow for a PINGREQ sent late.' },
        { value: r1(heard + k / 2), slip: "Half a keepalive is the client's wait for PINGRESP (mqtt.js), not the broker's." },
        { value: r1(DARK_AT_S + 1.5 * k), slip: 'Counting from the moment the network went dark. The broker cannot see that moment; it counts from the last packet it received.' },
        { value: r1(heard + 1.5 * k), slip: "Exactly 1.5 × keepalive after the last packet: the specification's bound. mosquitto counts whole seconds and acts when the second it is due in is over." },
      ],
      ' s',
      `${closes} s: the last packet came in second ${Math.floor(heard)}, 1.5 × ${k} s later is second ${Math.floor(heard) + Math.floor((k * 3) / 2)}, and mosquitto (and the simulated broker) acts when that second is over. The device, whose PINGREQ was lost, gave up at ${r1((w.deviceGaveUpMs ?? Number.NaN) / 1000)} s.`,
    ),
    numericQuestion(
      'ch7-tcp-gives-up',
      `No heartbeat: a server writes an alert into a WebSocket that a NAT has already forgotten. About how many minutes until the server's TCP gives up and the application sees the close?`,
      giveUpMin,
      [
        { value: 0, slip: 'TCP reports a lost peer at once. Nothing comes back to report it: the packets vanish, and TCP can only wait and retransmit.' },
        { value: LINUX_TCP_KEEPALIVE.timeS / 60, slip: "TCP keepalive's 2 hours. Keepalive probes only an idle connection, and only when the application asks for it; unacknowledged data is retried under tcp_retries2 instead." },
        { value: 2, slip: "The longest retransmission timeout (120 s). TCP keeps retrying at that interval; it gives up only after 15 retransmissions." },
      ],
      ' min',
      `About ${giveUpMin} minutes: TCP sent the alert again ${retransmits} times (a tail-loss probe, then once per timeout, the gaps doubling up to 120 s) and gave up after the 15th timeout (tcp_retries2 = 15). The browser, which sent nothing, never noticed.`,
    ),
    {
      id: 'ch7-1006',
      prompt: "A browser app's WebSocket reports close code 1006. What does that tell you?",
      choices: [
        'The connection ended without a Close frame: the code is made up locally, never sent.',
        'The server sent a Close frame with code 1006.',
        'The server is going away, for a restart or a deploy.',
        'One side broke the protocol.',
      ],
      answer: 0,
      explanation: `RFC 6455 section 7.4.1 reserves 1006 for this: no endpoint may send it. In the dark-network run the browser app's own heartbeat ended its connection and reported ${browserCode ?? '—'}, with no Close frame on the wire in either direction.`,
      slips: [
        null,
        '1006 travels in a Close frame. It may never be sent; a Close frame that did arrive would give its own code (1000, 1001, 1011...).',
        "That is 1001 (going away), which a server sends in a Close frame when it shuts down cleanly.",
        'That is 1002 (protocol error), sent in a Close frame by the side that saw the error.',
      ],
    },
  ];
}
