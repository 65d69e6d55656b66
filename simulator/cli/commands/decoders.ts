/**
 * `wirelab decode PROTOCOL ...`: the protocols `decode` knows. Add one line per protocol; the
 * decoder gets the arguments after PROTOCOL (e.g. `decode ws HEX --from client` calls
 * `decoders.ws.run(['HEX', '--from', 'client'], io)`).
 */
import { mqttDecoder } from './mqtt-decode.ts';
import type { Command } from './types.ts';
import { wsDecoder } from './ws-decode.ts';

export const decoders: Record<string, Command> = {
  ws: wsDecoder,
  mqtt: mqttDecoder,
};
