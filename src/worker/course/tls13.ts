/**
 * The TLS 1.3 full handshake by size: which records each side writes, in which write calls, and
 * how big they are. The simulator has no TLS engine (no cryptography), so chapter 2 hands these
 * writes to the real TCP engine as bytes of the right size, in the order RFC 8446 section 2 gives
 * them, and TCP (Nagle, delayed ACKs, the congestion window) decides when each byte leaves:
 *
 *   client: ClientHello                                                     (one write)
 *            <- server: ServerHello, (ChangeCipherSpec), {EncryptedExtensions},
 *                       {Certificate}, {CertificateVerify}, {Finished}         (one write)
 *   client: (ChangeCipherSpec), {Finished} + the first application record   (one write)
 *            <- server: {NewSessionTicket}                                    (one write)
 *            <- server: {NewSessionTicket}                                    (another write)
 *
 * How the writes are grouped, and why it matters with Nagle on:
 * - OpenSSL buffers the server's first flight and flushes it once, after Finished
 *   (statem_srvr.c, ossl_statem_server_post_work, TLS_ST_SW_FINISHED: statem_flush).
 * - After the client's Finished, an OpenSSL 1.1.1+ server writes two tickets (SSL_CTX_set_num_tickets,
 *   default 2) and flushes after each one (post_work, TLS_ST_SW_SESSION_TICKET: statem_flush), so
 *   they are two writes. With Nagle on, the first leaves at once and the second waits for its ACK;
 *   anything the server writes next (mosquitto's CONNACK) is appended behind it and waits too.
 *   The testbed's captures show exactly this with mosquitto 2.0 (fidelity/FINDINGS.md).
 * - Node's TLS socket (mqtt.js, ws) queues what the application writes before the handshake is
 *   done and sends it with the client's Finished: one write (NETWORK-FACTS.md; testbed capture:
 *   one client segment carries the Finished and the CONNECT).
 *
 * Record sizes (5-byte header included) as measured on 24 November 2026 between a Node.js 22.23
 * client and server (OpenSSL 3.5.8, its defaults: TLS_AES_256_GCM_SHA384 and the hybrid
 * post-quantum key exchange X25519MLKEM768, which is why ClientHello and ServerHello are large)
 * with a server certificate chain of one 396-byte ECDSA P-256 certificate, through a TCP proxy that
 * logged every record. A real chain (leaf + intermediate) adds one to three kilobytes to
 * Certificate; a browser's ClientHello differs in its extensions. The ChangeCipherSpec records are
 * the "middlebox compatibility mode" of RFC 8446 appendix D.4. Application data travels in records
 * with TLS13_RECORD_OVERHEAD (22) bytes around it: 5 header, 1 inner content type, 16 AEAD tag.
 */
import { TLS13_RECORD_OVERHEAD } from '../../../simulator/protocols/tcp/wire.ts';

export { TLS13_RECORD_OVERHEAD };

export interface TlsRecord {
  name: string;
  bytes: number;
}

export interface TlsFlight {
  by: 'client' | 'server';
  /** The flight's records, grouped by the write call that hands them to TCP. */
  writes: TlsRecord[][];
}

export const TLS13_MEASURED_WITH = 'Node.js 22.23 (OpenSSL 3.5.8, X25519MLKEM768, TLS_AES_256_GCM_SHA384), one 396-byte ECDSA certificate';

const TICKET: TlsRecord = { name: 'NewSessionTicket', bytes: 287 };

export const TLS13_FLIGHTS = {
  clientHello: { by: 'client', writes: [[{ name: 'ClientHello', bytes: 1474 }]] },
  serverFlight: {
    by: 'server',
    writes: [[
      { name: 'ServerHello', bytes: 1215 },
      { name: 'ChangeCipherSpec', bytes: 6 },
      { name: 'EncryptedExtensions', bytes: 28 },
      { name: 'Certificate', bytes: 431 },
      { name: 'CertificateVerify', bytes: 101 },
      { name: 'Finished', bytes: 74 },
    ]],
  },
  clientFinished: { by: 'client', writes: [[{ name: 'ChangeCipherSpec', bytes: 6 }, { name: 'Finished', bytes: 74 }]] },
  tickets: { by: 'server', writes: [[TICKET], [TICKET]] },
} as const satisfies Record<string, TlsFlight>;

export function flightBytes(flight: TlsFlight): number {
  return flight.writes.flat().reduce((sum, r) => sum + r.bytes, 0);
}

export function writeBytes(records: readonly TlsRecord[]): number {
  return records.reduce((sum, r) => sum + r.bytes, 0);
}

/** A write's label in the diagram: "ClientHello", "ServerHello … Finished", "Finished". */
export function writeLabel(records: readonly TlsRecord[]): string {
  const names = records.map((r) => r.name).filter((n) => n !== 'ChangeCipherSpec');
  return names.length > 2 ? `${names[0]} … ${names[names.length - 1]}` : names.join(' + ');
}

export function writeNote(records: readonly TlsRecord[]): string {
  return `TLS records ${records.map((r) => `${r.name} ${r.bytes} B`).join(', ')} (sizes measured with ${TLS13_MEASURED_WITH})`;
}
