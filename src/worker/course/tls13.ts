/**
 * The TLS 1.3 full handshake by size: which records each side sends, and how big they are. The
 * simulator has no TLS engine (no cryptography), so chapter 2 sends these flights through the real
 * TCP engine as bytes of the right size, in the order RFC 8446 section 2 gives them:
 *
 *   client: ClientHello                                   ->
 *                         <- server: ServerHello, (ChangeCipherSpec), {EncryptedExtensions},
 *                                    {Certificate}, {CertificateVerify}, {Finished}
 *   client: (ChangeCipherSpec), {Finished}, then application data ->
 *                         <- server: {NewSessionTicket} x 2 (after the client's Finished)
 *
 * So a full handshake costs one round trip before the client may send application data.
 *
 * Sizes are TLS records (5-byte header included) as measured on 24 November 2026 between Node.js
 * 22.23 client and server (OpenSSL 3.5.8, its defaults: TLS_AES_256_GCM_SHA384 and the hybrid
 * post-quantum key exchange X25519MLKEM768, which is why ClientHello and ServerHello are large)
 * with a server certificate chain of one 396-byte ECDSA P-256 certificate, through a TCP proxy that
 * logged every record. A real chain (leaf + intermediate) adds one to three kilobytes to
 * Certificate; a browser's ClientHello differs in its extensions. The ChangeCipherSpec records are
 * the "middlebox compatibility mode" of RFC 8446 appendix D.4.
 */

export interface TlsRecord {
  name: string;
  bytes: number;
}

export interface TlsFlight {
  by: 'client' | 'server';
  records: TlsRecord[];
}

export const TLS13_MEASURED_WITH = 'Node.js 22.23 (OpenSSL 3.5.8, X25519MLKEM768, TLS_AES_256_GCM_SHA384), one 396-byte ECDSA certificate';

export const TLS13_FLIGHTS: readonly TlsFlight[] = [
  { by: 'client', records: [{ name: 'ClientHello', bytes: 1474 }] },
  {
    by: 'server',
    records: [
      { name: 'ServerHello', bytes: 1215 },
      { name: 'ChangeCipherSpec', bytes: 6 },
      { name: 'EncryptedExtensions', bytes: 28 },
      { name: 'Certificate', bytes: 431 },
      { name: 'CertificateVerify', bytes: 101 },
      { name: 'Finished', bytes: 74 },
    ],
  },
  { by: 'client', records: [{ name: 'ChangeCipherSpec', bytes: 6 }, { name: 'Finished', bytes: 74 }] },
  { by: 'server', records: [{ name: 'NewSessionTicket', bytes: 287 }, { name: 'NewSessionTicket', bytes: 287 }] },
];

export function flightBytes(flight: TlsFlight): number {
  return flight.records.reduce((sum, r) => sum + r.bytes, 0);
}

export function flightLabel(flight: TlsFlight): string {
  const names = flight.records.map((r) => r.name).filter((n) => n !== 'ChangeCipherSpec');
  return names.length > 2 ? `${names[0]} … ${names[names.length - 1]}` : names.join(' + ');
}

export function flightNote(flight: TlsFlight): string {
  return `TLS records ${flight.records.map((r) => `${r.name} ${r.bytes} B`).join(', ')} (sizes measured with ${TLS13_MEASURED_WITH})`;
}
