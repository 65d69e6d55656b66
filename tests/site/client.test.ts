/**
 * SimClient's failure handling, with a fake worker made of a MessageChannel: a worker that never
 * answers is stopped as runaway, a worker that fails is reported as crashed, cancel rejects, and
 * the next call starts a fresh worker.
 */
import * as Comlink from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import type { CourseProgress, RunProgress, SimApi } from '../../src/worker/api.ts';
import { SimClient, SimError } from '../../src/worker/client.ts';

interface FakeWorker extends EventTarget {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  terminate(): void;
  terminated: boolean;
}

const channels: MessageChannel[] = [];
afterEach(() => {
  for (const c of channels.splice(0)) {
    c.port1.close();
    c.port2.close();
  }
});

/** A worker whose other end runs `api` (or nothing at all, when `api` is null). */
function fakeWorker(api: Partial<SimApi> | null): FakeWorker {
  const channel = new MessageChannel();
  channels.push(channel);
  if (api) Comlink.expose(api, channel.port2 as unknown as Comlink.Endpoint);
  const target = new EventTarget() as FakeWorker;
  target.terminated = false;
  target.postMessage = (message, transfer) => channel.port1.postMessage(message, transfer ?? []);
  channel.port1.addEventListener('message', (e) => target.dispatchEvent(new MessageEvent('message', { data: (e as MessageEvent).data })));
  channel.port1.start();
  target.terminate = () => {
    target.terminated = true;
    channel.port1.close();
  };
  return target;
}

const snapshot = { runId: 1, scenario: {}, seed: 5, appVersion: 't', durationUs: 1, metrics: { flows: [], links: [] }, messages: [], messageStride: 1, trace: [], traceTotal: 0, traceDropped: 0, totals: { flows: 0, links: 0, messages: 0, sent: 0, delivered: 0, lost: 0, inFlight: 0, duplicates: 0, lostBy: {}, packets: 0, dropped: 0, latencyMs: null } };

/** The tests where a call must go on: reports every CADENCE_MS, REPORTS of them, for three times LONG_STALL_MS. */
const CADENCE_MS = 20;
const REPORTS = 60;
const LONG_STALL_MS = 400;

async function failure(promise: Promise<unknown>): Promise<SimError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SimError) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

describe('SimClient', () => {
  it('runs and passes progress through', async () => {
    const worker = fakeWorker({
      run: (_s, _o, onProgress) => {
        onProgress?.({ simTimeUs: 5, endTimeUs: 10, fraction: 0.5 });
        return { ok: true, snapshot };
      },
    });
    const client = new SimClient({ createWorker: () => worker as unknown as Worker });
    const seen: number[] = [];
    await expect(client.run({}, {}, (p) => seen.push(p.fraction))).resolves.toEqual(snapshot);
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual([0.5]);
  });

  it('reports an invalid scenario with its problems', async () => {
    const client = new SimClient({ createWorker: () => fakeWorker({ run: () => ({ ok: false, errors: ['durationS: missing'] }) }) as unknown as Worker });
    const error = await failure(client.run({}));
    expect([error.kind, error.message, error.details]).toEqual(['invalid-scenario', 'The scenario is not valid.', ['durationS: missing']]);
  });

  it('turns a thrown simulation error into a readable message', async () => {
    const budget = Object.assign(new Error('ran 50000000 events by t=3000000 µs'), { name: 'EventBudgetExceeded' });
    const client = new SimClient({ createWorker: () => fakeWorker({ run: () => { throw budget; } }) as unknown as Worker });
    const error = await failure(client.run({}));
    expect(error.kind).toBe('failed');
    // Which budget, and how to raise it (the Lab keeps the documented budgets; the CLI takes options).
    expect(error.message).toBe(
      'The simulation was stopped by its event budget: ran 50000000 events by t=3000000 µs. Shorten durationS or send less often; ' +
        'or export the scenario and run it with the command line, which can raise the budget: npx wirelab run scenario.json --max-events N (allows 2N events).',
    );
  });

  it('stops a run that makes no progress, and starts a fresh worker next time', async () => {
    const workers = [fakeWorker(null), fakeWorker({ hello: () => ({ apiVersion: 1, appVersion: 'x' }) })];
    let made = 0;
    const client = new SimClient({ stallMs: 30, createWorker: () => workers[made++] as unknown as Worker });
    const error = await failure(client.run({}));
    expect(error.kind).toBe('stalled');
    expect(workers[0]!.terminated).toBe(true);
    expect(client.started).toBe(false);
    await expect(client.call((api) => api.hello())).resolves.toEqual({ apiVersion: 1, appVersion: 'x' });
    expect(made).toBe(2);
  });

  it('lets a busy run go on while its simulated time stands still, as long as it emits records', async () => {
    // Reports every 20 ms for 1.2 s, three times the 400 ms watchdog: simulated time stuck at 5 µs
    // (thousands of clients connecting at once), the trace records growing. (The watchdog is far
    // above the cadence so that a machine busy enough to hold the event loop 100 ms cannot fail
    // it; the tests that must stop use 30 ms.)
    const worker = fakeWorker({
      // An async run: a fake worker's way of reporting while it goes (comlink awaits it).
      run: (async (_s: unknown, _o: unknown, onProgress?: (p: RunProgress) => void) => {
        for (let i = 1; i <= REPORTS; i++) {
          await new Promise((r) => setTimeout(r, CADENCE_MS));
          await onProgress?.({ simTimeUs: 5, endTimeUs: 10, fraction: 0.5, records: 4096 * i });
        }
        return { ok: true, snapshot };
      }) as unknown as SimApi['run'],
    });
    const client = new SimClient({ stallMs: LONG_STALL_MS, createWorker: () => worker as unknown as Worker });
    await expect(client.run({})).resolves.toEqual(snapshot);
    expect(worker.terminated).toBe(false);
  });

  it('stops a run whose reports say nothing moved (a worker repeating itself is stuck)', async () => {
    // The same report every 10 ms for 300 ms: neither simulated time nor records move.
    const workers = [
      fakeWorker({
        run: (async (_s: unknown, _o: unknown, onProgress?: (p: RunProgress) => void) => {
          for (let i = 0; i < 30; i++) {
            await new Promise((r) => setTimeout(r, 10));
            await onProgress?.({ simTimeUs: 5, endTimeUs: 10, fraction: 0.5, records: 4096 });
          }
          return { ok: true, snapshot };
        }) as unknown as SimApi['run'],
      }),
    ];
    const client = new SimClient({ stallMs: 30, createWorker: () => workers[0] as unknown as Worker });
    const error = await failure(client.run({}));
    expect([error.kind, error.message]).toEqual(['stalled', 'The simulation made no progress for 30 ms and was stopped. Try a shorter duration or fewer nodes, then run again.']);
    expect(workers[0]!.terminated).toBe(true);
  });

  it('lets a course call go on past the watchdog while its runs report work, and passes the reports through', async () => {
    // Reports every 20 ms for 1.2 s, three times the 400 ms watchdog (a step of thousands of clients).
    const worker = fakeWorker({
      course: (async (_n: unknown, _i: unknown, onProgress?: (p: CourseProgress) => void) => {
        for (let i = 1; i <= REPORTS; i++) {
          await new Promise((r) => setTimeout(r, CADENCE_MS));
          await onProgress?.({ work: i, fraction: i / REPORTS });
        }
        return { answer: 42 };
      }) as unknown as SimApi['course'],
    });
    const client = new SimClient({ stallMs: LONG_STALL_MS, createWorker: () => worker as unknown as Worker });
    const seen: number[] = [];
    await expect(client.course('fanoutStep', {} as never, (p) => seen.push(p.work))).resolves.toEqual({ answer: 42 });
    expect(seen).toEqual(Array.from({ length: REPORTS }, (_, i) => i + 1));
    expect(worker.terminated).toBe(false);
  });

  it('stops a course call that reports nothing, or the same work again', async () => {
    const silent = fakeWorker(null);
    const client = new SimClient({ stallMs: 30, createWorker: () => silent as unknown as Worker });
    const error = await failure(client.course('fanoutStep', {} as never));
    expect([error.kind, error.message]).toEqual(['stalled', 'The simulation made no progress for 30 ms and was stopped. Try a shorter duration or fewer nodes, then run again.']);
    expect(silent.terminated).toBe(true);
    // work stuck at 1 for 300 ms
    const repeating = fakeWorker({
      course: (async (_n: unknown, _i: unknown, onProgress?: (p: CourseProgress) => void) => {
        for (let i = 0; i < 30; i++) {
          await new Promise((r) => setTimeout(r, 10));
          await onProgress?.({ work: 1, fraction: 0 });
        }
        return {};
      }) as unknown as SimApi['course'],
    });
    const second = new SimClient({ stallMs: 30, createWorker: () => repeating as unknown as Worker });
    expect((await failure(second.course('fanoutStep', {} as never))).kind).toBe('stalled');
    expect(repeating.terminated).toBe(true);
  });

  it('keeps a call waiting behind a long one alive while the long one reports', async () => {
    // The worker answers one call at a time: the second call hears nothing of its own for 1.2 s.
    let first: Promise<unknown> = Promise.resolve();
    const worker = fakeWorker({
      course: (async (name: string, _i: unknown, onProgress?: (p: CourseProgress) => void) => {
        if (name === 'first') {
          first = (async () => {
            for (let i = 1; i <= REPORTS; i++) {
              await new Promise((r) => setTimeout(r, CADENCE_MS));
              await onProgress?.({ work: i, fraction: i / REPORTS });
            }
          })();
          await first;
          return 'first';
        }
        await first;
        return 'second';
      }) as unknown as SimApi['course'],
    });
    const client = new SimClient({ stallMs: LONG_STALL_MS, createWorker: () => worker as unknown as Worker });
    const answers = Promise.all([client.course('first' as never, {} as never), new Promise((r) => setTimeout(r, 5)).then(() => client.course('second' as never, {} as never))]);
    await expect(answers).resolves.toEqual(['first', 'second']);
    expect(worker.terminated).toBe(false);
  });

  it('stops a small call that never answers', async () => {
    const worker = fakeWorker(null);
    const client = new SimClient({ createWorker: () => worker as unknown as Worker });
    const error = await failure(client.call((api) => api.hello(), { timeoutMs: 30 }));
    expect([error.kind, error.message]).toEqual(['stalled', 'The simulator did not answer within 30 ms and was stopped. Reset to try again.']);
    expect(worker.terminated).toBe(true);
  });

  it('reports a crashed worker', async () => {
    const worker = fakeWorker(null);
    const client = new SimClient({ createWorker: () => worker as unknown as Worker });
    const pending = failure(client.run({}));
    worker.dispatchEvent(Object.assign(new Event('error', { cancelable: true }), { message: 'out of memory' }));
    const error = await pending;
    expect([error.kind, error.message]).toEqual(['crashed', 'The simulator stopped unexpectedly: out of memory. Reset to start it again.']);
    expect(worker.terminated).toBe(true);
  });

  it('cancels a run', async () => {
    const worker = fakeWorker(null);
    const client = new SimClient({ createWorker: () => worker as unknown as Worker });
    const pending = failure(client.run({}));
    client.cancel();
    expect((await pending).kind).toBe('cancelled');
    expect(worker.terminated).toBe(true);
  });
});
