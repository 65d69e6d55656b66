/** The ports a scenario means when it names none (schema.ts re-exports them). */

/** Port a tcp-sink listens on and a tcp-sender connects to when the scenario names none (iperf's). */
export const DEFAULT_TCP_PORT = 5001;

/** Ports of an mqtt-broker's MQTT and MQTT-over-WebSocket listeners when `broker` names none (runtime/roles/mqtt-broker.ts). */
export const DEFAULT_MQTT_PORT = 1883;
export const DEFAULT_MQTT_WS_PORT = 8080;
