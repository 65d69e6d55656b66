/**
 * Chapter 7's two scenarios: the same device behind the same failure, once holding a WebSocket to
 * a `ws` server (a browser dashboard), once holding an MQTT connection to a broker (mqtt.js and
 * mosquitto). The server side sends an "alert" every ALERT_EVERY_S; nothing else is said unless a
 * heartbeat or keepalive speaks. Both clients reconnect one second after they notice, as mqtt.js
 * (reconnectPeriod 1000) and a reconnecting-websocket app with no jitter do.
 *
 * The failure is on the device's access link only: a NAT that forgets a connection idle for
 * `idleTimeoutS` (simulator/net/middlebox.ts), or an outage from DARK_AT_S to the end of the run.
 */
import type { AliveInput } from './alive-types.ts';

/** Thirty minutes: long enough for TCP to give up on unacknowledged data (tcp_retries2). */
export const RUN_S = 1800;
/** The server side sends one alert every five minutes, from five minutes on (300, 600, ..., 1500 s). */
export const ALERT_EVERY_S = 300;
export const ALERT_BYTES = 40;
/** 'dark': the device's network goes dark two minutes in and never comes back. */
export const DARK_AT_S = 120;
/** The backend publisher's keepalive (its link never fails, so it never matters). */
const BACKEND_KEEPALIVE_S = 60;

export const ALIVE_DEFAULTS: AliveInput = {
  failure: 'nat',
  idleTimeoutS: 120,
  keepaliveS: 60,
  heartbeatS: 0,
  browserHeartbeat: false,
  latencyMs: 25,
  lossPct: 0,
  seed: 1,
};

/** Not in the widget's input: the questions run the same scenario with no alerts at all. */
export interface ScenarioOptions {
  alerts?: boolean;
}

/** The device's access link: the failure and the loss. */
function deviceLink(input: AliveInput): Record<string, unknown> {
  const link: Record<string, unknown> = { lossPct: input.lossPct };
  if (input.failure === 'nat') link.idleTimeoutS = input.idleTimeoutS;
  else link.outages = [{ atS: DARK_AT_S, forS: RUN_S - DARK_AT_S }];
  return link;
}

function common(input: AliveInput, title: string) {
  return {
    schema: 'wirelab/scenario@1',
    title,
    seed: input.seed,
    durationS: RUN_S,
    defaults: { link: { latencyMs: input.latencyMs } },
  };
}

/** A browser dashboard holding a WebSocket to a `ws` server that pushes an alert every five minutes. */
export function wsScenario(input: AliveInput, options: ScenarioOptions = {}): Record<string, unknown> {
  const server: Record<string, unknown> = options.alerts === false ? {} : { push: [{ payloadBytes: ALERT_BYTES, everyMs: ALERT_EVERY_S * 1000, startS: ALERT_EVERY_S }] };
  if (input.heartbeatS > 0) server.heartbeatS = input.heartbeatS;
  const browser: Record<string, unknown> = { reconnect: { initialDelayS: 1, jitter: 0 } };
  if (input.browserHeartbeat && input.heartbeatS > 0) browser.heartbeatS = input.heartbeatS;
  return {
    ...common(input, 'Chapter 7: a WebSocket through a silent failure'),
    nodes: [
      { id: 'server', role: 'ws-server', ws: server },
      { id: 'browser', role: 'ws-client', link: deviceLink(input), ws: browser },
    ],
  };
}

/** A device subscribed to alerts through a broker; a backend with a perfect link publishes them. */
export function mqttScenario(input: AliveInput, options: ScenarioOptions = {}): Record<string, unknown> {
  return {
    ...common(input, 'Chapter 7: an MQTT connection through a silent failure'),
    nodes: [
      { id: 'broker', role: 'mqtt-broker' },
      {
        id: 'backend', role: 'mqtt-client', mqtt: { keepaliveS: BACKEND_KEEPALIVE_S },
        publish: options.alerts === false ? [] : [{ topic: 'alerts', qos: 0, payloadBytes: ALERT_BYTES, everyMs: ALERT_EVERY_S * 1000, startS: ALERT_EVERY_S }],
      },
      { id: 'device', role: 'mqtt-client', link: deviceLink(input), mqtt: { keepaliveS: input.keepaliveS }, subscribe: [{ topic: 'alerts', qos: 0 }] },
    ],
  };
}

/** When the alerts are sent, ms. */
export function alertTimesMs(): number[] {
  const out: number[] = [];
  for (let t = ALERT_EVERY_S; t < RUN_S; t += ALERT_EVERY_S) out.push(t * 1000);
  return out;
}
