/**
 * Chapter 6's "check your understanding": each right answer is computed by running the chapter's
 * schedule (or a change of it the prompt names), and each wrong choice is what a named
 * misconception predicts (shown when picked).
 */
import { numericQuestion } from './checks.ts';
import { figureRuns, withOutages } from './offline-figures.ts';
import { courseOffline } from './offline-run.ts';
import { OFFLINE_DEFAULTS as D } from './offline-types.ts';
import type { CheckQuestion } from './types.ts';

const round2 = (x: number) => Math.round(x * 100) / 100;

export function offlineChecks(): CheckQuestion[] {
  const start = figureRuns.start();
  // Transfer of the worked example: the same outage, keepalive 5 s.
  const fast = courseOffline({ ...D, keepaliveS: 5 });
  const fastWill = fast.mqtt.wills.find((w) => w.device === 'thermo');
  if (fastWill === undefined) throw new Error('chapter 6: no will with keepalive 5 s');
  const heard = fastWill.lastHeardMs / 1000;
  const outAt = D.outages.find((o) => o.device === 'thermo')!.atS;

  // Only the phone away, for 40 s: which of the thermostat's readings come back?
  const away = { atS: 10, forS: 40 };
  const longAway = courseOffline({ ...D, outages: [{ device: 'phone', ...away, kind: 'off' }] });
  const during = (f: { sentMs: number }) => f.sentMs >= away.atS * 1000 && f.sentMs < (away.atS + away.forS) * 1000;
  const thermoAway = (fates: typeof longAway.mqtt.fates) => fates.filter((f) => f.publisher === 'thermo' && f.subscriber === 'phone' && f.label.startsWith('thermo #') && during(f));
  const mqttAway = thermoAway(longAway.mqtt.fates);
  const mqttKept = mqttAway.filter((f) => f.outcome === 'queued').map((f) => f.sentMs);
  const oldestKept = mqttKept.length > 0 && mqttKept.every((t, i) => t === mqttAway[i]!.sentMs);
  const wsKept = thermoAway(longAway.ws.fates).filter((f) => f.outcome === 'queued').length;
  const wsReplayed = longAway.ws.fates.filter((f) => f.subscriber === 'phone' && f.outcome === 'queued').length;
  const back = longAway.mqtt.online.find((o) => o.device === 'phone' && o.fromMs >= (away.atS + away.forS) * 1000)?.fromMs ?? Number.NaN;
  const staleS = Math.round((back - Math.max(...mqttKept)) / 1000);

  const doorAway = start.mqtt.fates.filter((f) => f.publisher === 'door' && f.subscriber === 'phone' && f.outcome === 'qos0-not-queued').length;
  const doorGot = start.mqtt.fates.filter((f) => f.publisher === 'door' && f.subscriber === 'phone' && (f.outcome === 'queued')).length;
  const offWills = figureRuns.thermoOff().mqtt.wills.length;
  const wsTablet = start.ws.counts.tablet;

  return [
    numericQuestion(
      'ch6-will-keepalive-5',
      `The same schedule with a keepalive of ${fast.input.keepaliveS} s instead of ${D.keepaliveS} s. The thermostat's network is lost at ${outAt} s; the last packet the broker heard from it arrived at ${round2(heard)} s. At what time does mosquitto publish its will?`,
      round2(fastWill.atMs / 1000),
      [
        { value: round2(heard + fast.input.keepaliveS), slip: 'One keepalive of silence. The broker allows one and a half, to leave the client time to ping.' },
        { value: round2(heard + 1.5 * fast.input.keepaliveS), slip: 'Exactly 1.5 x keepalive after the last packet. That is the specification\'s bound; mosquitto counts whole seconds and acts when the due second is over.' },
        { value: round2(outAt + 1.5 * fast.input.keepaliveS), slip: 'Counting from the moment the network was lost. The broker cannot see that moment; it counts from the last packet it received.' },
      ],
      ' s',
      `${round2(fastWill.atMs / 1000)} s: the last packet came in second ${Math.floor(heard)}, keepalive ${fast.input.keepaliveS} x 3 / 2 = ${Math.floor((fast.input.keepaliveS * 3) / 2)} whole seconds, so it is due in second ${Math.floor(heard) + Math.floor((fast.input.keepaliveS * 3) / 2)}, and mosquitto acts when that second is over.`,
    ),
    {
      id: 'ch6-queue-which',
      prompt: `Only the phone goes away this time, switched off from ${away.atS} s for ${away.forS} s, with its kept session and mosquitto's queue of ${D.maxQueued}. The thermostat publishes a QoS 1 reading every 2 s meanwhile. Which of those readings does the phone get when it comes back?`,
      choices: [
        `The ${mqttKept.length} oldest: mosquitto drops each new message once the queue is full`,
        `The ${mqttKept.length} newest: the queue keeps the freshest`,
        `All ${mqttAway.length}: a kept session keeps everything`,
        'None: a device that is offline misses everything',
      ],
      answer: oldestKept ? 0 : 1,
      explanation: `mosquitto got ${mqttAway.length} readings for the absent phone, queued the first ${mqttKept.length} and dropped the rest at the bound: the newest reading it gets is ${staleS} s old when it comes back, and the recent ones are gone. The WebSocket server's replay buffer here does the opposite (it pushes the oldest out): it replayed the newest ${wsReplayed} messages of the door and the thermostat together, ${wsKept} of them the thermostat's.`,
      slips: [
        null,
        "The queue as a ring buffer that keeps the newest. mosquitto's queue refuses the new message when it is full; a replay buffer you build yourself can choose to keep the newest.",
        'A kept session as unbounded. It is bounded by max_queued_messages (and max_queued_bytes).',
        "Offline as lost. QoS 1 and 2 messages wait in a kept session up to the bound.",
      ],
    },
    numericQuestion(
      'ch6-qos0-door',
      `In the starting schedule the door sensor publishes at QoS 0, and the phone subscribed to everything at QoS 1 with a kept session. How many of the ${doorAway + doorGot} door messages published while the phone was switched off does it get when it comes back?`,
      doorGot,
      [
        { value: doorAway + doorGot, slip: 'The subscription\'s QoS 1 raises the messages to QoS 1. The broker sends each message at the lower of the two QoS levels: QoS 0 stays QoS 0.' },
        { value: Math.min(D.maxQueued, doorAway + doorGot), slip: 'QoS 0 is queued like QoS 1, up to max_queued_messages. mosquitto does not queue QoS 0 for an absent client unless queue_qos0_messages is set.' },
      ],
      '',
      `${doorGot}: mosquitto keeps only QoS 1 and 2 messages for an absent client by default (queue_qos0_messages false), and each message goes out at the lower of the publisher's and the subscriber's QoS.`,
    ),
    {
      id: 'ch6-clean-disconnect-will',
      prompt: `Instead of losing its network at ${outAt} s, the thermostat is switched off cleanly: its client sends DISCONNECT. What do the subscribers of home/thermo/status see?`,
      choices: [
        'Nothing: a clean DISCONNECT discards the will',
        'The will, at once, since the broker knows the device is gone',
        `The will, ${1.5 * D.keepaliveS} s or so later, when the keepalive runs out`,
      ],
      answer: offWills === 0 ? 0 : 1,
      explanation: `The run published ${offWills} will${offWills === 1 ? '' : 's'}. The will is for an ungraceful end [MQTT-3.14.4-3]; a device that wants its "offline" seen after a clean disconnect publishes it itself, retained, before the DISCONNECT (MQTT 5 can also ask for the will with reason code 0x04).`,
      slips: [
        null,
        'The will as a goodbye for every disconnect. It is only for connections that end without DISCONNECT (or with MQTT 5 reason 0x04).',
        'The broker waiting for the keepalive after a DISCONNECT. A DISCONNECT ends the connection at once, and the will with it.',
      ],
    },
    {
      id: 'ch6-ws-late-joiner',
      prompt: 'A WebSocket server relays every message to the clients it knows, keeps a replay buffer per client and pings them. A tablet connects for the first time at 40 s. What gives it the current temperature at once?',
      choices: [
        'Nothing, unless the application stores the last value per topic and sends it to a new client',
        "The server's replay buffer",
        'TCP, which delivers what was sent before',
      ],
      answer: wsTablet.retained === 0 && wsTablet.beforeJoin > 0 ? 0 : 1,
      explanation: `In the starting schedule the WebSocket tablet received nothing of the ${wsTablet.beforeJoin} messages sent before it connected: a replay buffer is per client and starts when the server first sees the client. MQTT's retained message (one per topic, the last one) is exactly that "last value" store, built into the broker.`,
      slips: [
        null,
        'The replay buffer as a shared history. It holds what each known client missed, and a new client has missed nothing the server knows of.',
        'TCP as a store. TCP delivers only what is sent on the connection, after it opens.',
      ],
    },
  ];
}
