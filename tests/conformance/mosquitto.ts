/**
 * Debian's mosquitto for conformance tests: started on a free loopback port from
 * tests/conformance/mosquitto.conf (plus any extra config lines), stopped by its own pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

export const MOSQUITTO = '/usr/sbin/mosquitto';
export const haveMosquitto = existsSync(MOSQUITTO);
/** The fidelity testbed's mosquitto 2.0.21 build, which the broker engine models, when it is there. */
export const MOSQUITTO_2021 = join(homedir(), '.cache/wirelab-fidelity/v2/mosquitto-2.0.21/sbin/mosquitto');
export const have2021 = existsSync(MOSQUITTO_2021);

export interface RunningMosquitto {
  port: number;
  stop(): Promise<void>;
}

/** A port nobody listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Starts mosquitto (Debian's, or the `binary` given) and waits until it accepts connections; throws if it never does (5 s). */
export async function startMosquitto(extraConfig = '', binary = MOSQUITTO): Promise<RunningMosquitto> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'wirelab-mosquitto-'));
  const base = readFileSync(new URL('./mosquitto.conf', import.meta.url), 'utf8').replace(/^listener PORT /m, `listener ${port} `);
  writeFileSync(join(dir, 'mosquitto.conf'), `${base}\n${extraConfig}`);
  const child: ChildProcess = spawn(binary, ['-c', join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 100; i++) {
    if (await accepts(port)) return { port, stop };
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop();
  throw new Error(`mosquitto did not start listening on 127.0.0.1:${port}`);
}
