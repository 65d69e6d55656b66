/**
 * Chapter 11: what `balance source` does to the clients of the servers that did not fail, counted
 * with the balancer role's own hash (simulator/runtime/roles/balancer.ts), so the chapter and the
 * simulator cannot disagree.
 */
import { type Backend, pickServer } from '../../../simulator/runtime/roles/balancer.ts';
import { clientIds, serverIds } from './storm-scenario.ts';

/** The transfer question's farm: four servers, 1,000 clients, one server fails. */
export const TRANSFER_SERVERS = 4;
export const TRANSFER_CLIENTS = 1000;

/** Percent of the surviving servers' clients whose next connection `balance source` sends elsewhere once server 1 is DOWN. */
export function rehashedPercent(hashType: 'map-based' | 'consistent', servers = TRANSFER_SERVERS, clients = TRANSFER_CLIENTS): number {
  const all: Backend[] = serverIds(servers).map((id, i) => ({ id, position: i + 1, port: 80, up: true, streak: 0, tunnels: new Set() }));
  const survivors = all.slice(1);
  let stayed = 0;
  let moved = 0;
  for (const c of clientIds(clients)) {
    const before = pickServer('source', hashType, all, c, 0)!;
    if (before === all[0]) continue;
    if (pickServer('source', hashType, survivors, c, 0) === before) stayed++;
    else moved++;
  }
  return Math.round((100 * moved) / (stayed + moved));
}

