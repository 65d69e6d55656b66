/**
 * Header accounting: how many bytes a TCP segment occupies on a link, so every layer (the engine,
 * the link model, metrics, the course's "bytes on the wire" figures) counts the same way.
 *
 * We count the IP packet: IPv4 header + TCP header + TCP options + TLS record overhead + payload.
 * The link layer (Ethernet 14 + FCS 4 + preamble and inter-frame gap 20) is not counted.
 *
 * TLS model (when `tlsRecordOverhead > 0`): every application write becomes its own TLS 1.3 record,
 * split into records of at most 2^14 plaintext bytes (RFC 8446 section 5.1). A record costs
 * `tlsRecordOverhead` extra bytes (5 header + 1 inner content type + 16 AEAD tag = 22 for
 * TLS_AES_128_GCM_SHA256, RFC 8446 sections 5.2 and 5.3); those bytes are counted on the segment
 * that carries the record's first plaintext byte, and the engine keeps that segment within the MSS.
 * Handshake records, key updates and padding are not modelled.
 */

/** IPv4 header without options (RFC 791). */
export const IPV4_HEADER_BYTES = 20;
/** TCP header without options (RFC 793 section 3.1). */
export const TCP_HEADER_BYTES = 20;
/** Largest TLS 1.3 plaintext per record: 2^14 bytes (RFC 8446 section 5.1). */
export const TLS_MAX_RECORD_PLAINTEXT = 16_384;
/** TLS 1.3 per-record overhead with AES-GCM: 5 header + 1 content type + 16 tag (RFC 8446 5.2). */
export const TLS13_RECORD_OVERHEAD = 22;

/**
 * Bytes of one segment on the wire (the IP packet): payload + 20 IPv4 + 20 TCP + `optionBytes`,
 * plus `tlsRecords * tlsRecordOverhead` for the TLS records whose first byte this segment carries.
 */
export function segmentWireBytes(
  payloadBytes: number,
  optionBytes: number,
  tlsRecords = 0,
  tlsRecordOverhead = 0,
): number {
  return IPV4_HEADER_BYTES + TCP_HEADER_BYTES + optionBytes + payloadBytes + tlsRecords * tlsRecordOverhead;
}

/** How many TLS records one application write of `writeBytes` becomes (at least one). */
export function tlsRecordsForWrite(writeBytes: number): number {
  return Math.max(1, Math.ceil(writeBytes / TLS_MAX_RECORD_PLAINTEXT));
}

/**
 * Bytes on the wire, headers included, to carry one application write of `writeBytes` in segments
 * of at most `mss` bytes (TLS overhead included when `tlsRecordOverhead > 0`), assuming the write
 * is segmented on its own (no coalescing with other writes, no retransmissions). For estimates and
 * for the course's tables; the engine reports the exact figure per segment.
 */
export function writeWireBytes(
  writeBytes: number,
  mss: number,
  optionBytes: number,
  tlsRecordOverhead = 0,
): number {
  const tlsBytes = tlsRecordOverhead > 0 ? tlsRecordsForWrite(writeBytes) * tlsRecordOverhead : 0;
  const streamBytes = writeBytes + tlsBytes;
  const segments = Math.max(1, Math.ceil(streamBytes / mss));
  return streamBytes + segments * (IPV4_HEADER_BYTES + TCP_HEADER_BYTES + optionBytes);
}
