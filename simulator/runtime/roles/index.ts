/**
 * The role registry: scenario role name -> RoleFactory (see ../api.ts).
 *
 * To add a role: write `simulator/runtime/roles/<name>.ts` exporting a `RoleFactory`, import it
 * here and add one line to `roleRegistry`. A role named by a scenario but missing here makes
 * `runScenario` fail with `role "<name>" is not yet supported`.
 */
import type { NodeOfRole, RoleName } from '../../scenarios/schema.ts';
import type { RoleFactory } from '../api.ts';
import { balancer } from './balancer.ts';
import { mqttBroker } from './mqtt-broker.ts';
import { mqttClient } from './mqtt-client.ts';
import { tcpSender } from './tcp-sender.ts';
import { tcpSink } from './tcp-sink.ts';
import { wsClient } from './ws-client.ts';
import { wsServer } from './ws-server.ts';

/** Each role's factory takes its own node type, as the scenario schema infers it. */
export const roleRegistry: Readonly<{ [R in RoleName]: RoleFactory<NodeOfRole<R>> }> = {
  'mqtt-broker': mqttBroker,
  'mqtt-client': mqttClient,
  'tcp-sender': tcpSender,
  'tcp-sink': tcpSink,
  'ws-client': wsClient,
  'ws-server': wsServer,
  balancer,
};
