/**
 * The two brokers a byte-script conformance test compares: Debian's mosquitto and the engine
 * broker behind real sockets, started before the describe's tests and stopped after them.
 */
import { afterAll, beforeAll } from 'vitest';
import { startRealMqttBroker, type RealMqttBroker, type RealMqttBrokerOptions } from '../../simulator/adapters/mqtt-broker.ts';
import { startMosquitto, type RunningMosquitto } from './mosquitto.ts';

export interface BrokerPair {
  /** mosquitto's port, once the describe's tests run. */
  readonly theirs: number;
  /** The engine broker's port. */
  readonly ours: number;
}

/** Call inside a describe: mosquitto with `config` lines (and `binary`), ours with `options`. */
export function brokerPair(config = '', options: RealMqttBrokerOptions = {}, binary?: string): BrokerPair {
  let mosquitto: RunningMosquitto | undefined;
  let engine: RealMqttBroker | undefined;
  beforeAll(async () => {
    mosquitto = await startMosquitto(config, binary);
    engine = await startRealMqttBroker(options);
  });
  afterAll(async () => {
    await mosquitto?.stop();
    await engine?.close();
  });
  return {
    get theirs() {
      if (!mosquitto) throw new Error('brokerPair: mosquitto is not started (use the pair inside a test)');
      return mosquitto.port;
    },
    get ours() {
      if (!engine) throw new Error('brokerPair: the engine broker is not started (use the pair inside a test)');
      return engine.port;
    },
  };
}
