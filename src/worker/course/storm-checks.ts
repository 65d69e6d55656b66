/**
 * Chapter 11's "check your understanding": each right answer is computed from runs of the chapter's
 * experiment (or from the balancer's own hash), and each wrong choice is what a named misconception
 * predicts (shown when picked).
 */
import { numericQuestion } from './checks.ts';
import { stormRuns, STORM_DEFAULTS as D } from './storm-figures.ts';
import { FAIL_AT_S } from './storm-scenario.ts';
import { rehashedPercent, TRANSFER_CLIENTS } from './storm-hash.ts';
import type { CheckQuestion } from './types.ts';

const r1 = (n: number) => Math.round(n * 10) / 10;

export function stormChecks(): CheckQuestion[] {
  const base = stormRuns.base();
  const power = stormRuns.power();
  const downS = r1(((base.downAtMs ?? Number.NaN) - base.failAtMs) / 1000);
  const powerDownS = r1(((power.downAtMs ?? Number.NaN) - power.failAtMs) / 1000);
  const mapMoved = rehashedPercent('map-based');
  const consistentMoved = rehashedPercent('consistent');
  return [
    numericQuestion(
      'ch11-down',
      `A balancer checks each server with a TCP connect every 2 s and marks it DOWN after 3 failures in a row (HAProxy's defaults). At ${FAIL_AT_S} s a server's process crashes; its port now refuses connections. About how many seconds later does the balancer stop sending new clients to it?`,
      downS,
      [
        { value: 0, slip: 'The balancer is not told of a crash. It finds out only by checking, and it waits for three failed checks in a row so that one lost check does not take a healthy server out.' },
        { value: 2, slip: 'One failed check is not enough: "fall 3" asks for three in a row.' },
        { value: powerDownS, slip: 'That is a server that went silent (power lost): each check then waits 2 s for an answer that never comes. A crashed process\'s port answers at once, with a RST.' },
      ],
      ' s',
      `${downS} s in the default run: the checks at about 2, 4 and 6 s after the last good one were refused, and the third failure marks it DOWN. Meanwhile the balancer still sent reconnecting clients to the dead server (${base.balancerGaveUp} times it gave up on one after 4 refused attempts). A server that lost power instead was marked DOWN after ${powerDownS} s.`,
    ),
    numericQuestion(
      'ch11-peak',
      `${D.clients} clients are spread over ${D.servers} servers by a sticky balancer; one server fails and its ${base.displaced} clients all reconnect after 1 s, with no jitter. How many connection attempts arrive at the balancer in the busiest 100 ms?`,
      base.peakAttempts,
      [
        { value: D.clients, slip: 'Only the failed server\'s clients lose their connection. The balancer does not move established connections to other servers.' },
        { value: Math.round(base.displaced / 10), slip: 'Spread evenly over the second: that is what jitter would do. With no jitter every client waits exactly the same delay, so they arrive together.' },
        { value: 1, slip: 'Without jitter nothing spreads them out: clients that lost their connection at the same moment retry at the same moment.' },
      ],
      '',
      `${base.peakAttempts}: every client of the failed server learned of it within the same few milliseconds and waited exactly 1 s. With jitter 0.5 the busiest 100 ms had ${stormRuns.jitter().peakAttempts}.`,
    ),
    numericQuestion(
      'ch11-rehash',
      `Four servers, ${TRANSFER_CLIENTS.toLocaleString('en-US')} clients, \`balance source\` with HAProxy's default map-based hashing. Server 1 is marked DOWN. Of the clients of servers 2 to 4, what percentage will be sent to a different server the next time they connect?`,
      mapMoved,
      [
        { value: consistentMoved, slip: 'That is consistent hashing (`hash-type consistent`): only the failed server\'s clients move. Map-based takes the hash modulo the number of servers UP, and that number just changed.' },
        { value: 100, slip: 'Some stay: a client whose hash modulo 4 and modulo 3 happen to point at the same survivor keeps its server.' },
        { value: 25, slip: 'A quarter of the servers failed, but map-based hashing reshuffles far more than a quarter of the clients.' },
      ],
      ' %',
      `${mapMoved} %, counted with the balancer's own hash over client ids c1 to c${TRANSFER_CLIENTS}; with consistent hashing ${consistentMoved} %. Their open connections stay where they are: the new mapping only matters when they reconnect, which is when sticky state on the old server is lost to them.`,
    ),
    {
      id: 'ch11-resume',
      prompt: 'The clients keep each message until the server acknowledges it, and send what is unacknowledged again after a reconnect. A server crashes. What can happen to a message a client sent just before the crash?',
      choices: [
        'It is delivered once, or twice if the server received it but its acknowledgement never left.',
        'It is lost: the server that would have acknowledged it is gone.',
        'It is delivered exactly once: TCP retransmits it to the new server.',
        'It waits on the dead server and is delivered when that server comes back.',
      ],
      answer: 0,
      explanation: `Kept until acknowledged, nothing is lost: in the default run ${stormRuns.resume().notDelivered} messages went undelivered with it (${base.notDelivered} without), ${stormRuns.resume().duplicates} duplicates. A message the dead server had received but not acknowledged would be delivered again by the new server, so the receiving application must tolerate duplicates (an id it has seen).`,
      slips: [
        null,
        'The client still has it: it keeps every message until an acknowledgement comes, and sends it again on the new connection.',
        'TCP retransmits only within one connection. The new connection, to another server, starts with nothing of the old one: only the application can resend.',
        'The balancer sends the client to a surviving server; the failed one does not come back in this run, and its memory (including anything it held) is gone.',
      ],
    },
  ];
}
