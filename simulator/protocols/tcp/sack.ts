/**
 * The receiver's SACK blocks (RFC 2018 section 4) as Linux keeps them (net/ipv4/tcp_input.c
 * tcp_sack_new_ofo_skb, tcp_sack_extend, tcp_sack_maybe_coalesce, tcp_sack_remove): up to four
 * blocks of out-of-order data, the one that changed most recently first. A segment that extends
 * or joins a block moves it to the front; a new block goes to the front and pushes the oldest
 * out; blocks the cumulative ACK has reached are dropped.
 *
 * D-SACK (RFC 2883; Linux tcp_dsack_set, tcp_dsack_extend, net.ipv4.tcp_dsack = 1): data that
 * arrives a second time is reported once, in a block of its own ahead of the others, on the next
 * segment we send. Its bytes are counted like any other block's.
 *
 * On the wire (Linux tcp_established_options, tcp_options_write): 4 aligned bytes (NOP, NOP,
 * kind, length) plus 8 per block, as many blocks as fit in the 40 bytes of option space beside
 * the other options: 3 next to the 12-byte timestamps option, 4 without it.
 */

/** Linux TCP_NUM_SACKS: blocks the receiver remembers. */
const TCP_NUM_SACKS = 4;
/** TCPOLEN_SACK_BASE_ALIGNED and TCPOLEN_SACK_PERBLOCK (include/net/tcp.h). */
export const SACK_BASE_BYTES = 4;
export const SACK_BLOCK_BYTES = 8;
/** Largest TCP option space (RFC 9293 section 3.1: data offset of 15 words). */
const MAX_OPTION_BYTES = 40;

export class SackBlocks {
  /** [start, end) in unbounded sequence numbers, most recent first. */
  #blocks: [number, number][] = [];
  /** The duplicate range to report once (Linux rx_opt.dsack, duplicate_sack[0]). */
  #dsack: [number, number] | undefined;

  get isEmpty(): boolean {
    return this.#blocks.length === 0 && this.#dsack === undefined;
  }

  /**
   * [start, end) arrived again (tcp_dsack_set); a second duplicate before the report leaves
   * joins it when the two touch (tcp_dsack_extend), else replaces it.
   */
  duplicate(start: number, end: number): void {
    const d = this.#dsack;
    if (d !== undefined && start <= d[1] && end >= d[0]) this.#dsack = [Math.min(d[0], start), Math.max(d[1], end)];
    else this.#dsack = [start, end];
  }

  /** A segment carried the blocks: the D-SACK block was reported (tcp_options_write). */
  sent(): void {
    this.#dsack = undefined;
  }

  /** Out-of-order data [start, end) arrived (tcp_sack_new_ofo_skb). */
  add(start: number, end: number): void {
    const blocks = this.#blocks;
    for (let i = 0; i < blocks.length; i++) {
      const b = blocks[i]!;
      // tcp_sack_extend: the segment touches or overlaps the block.
      if (start <= b[1] && end >= b[0]) {
        b[0] = Math.min(b[0], start);
        b[1] = Math.max(b[1], end);
        blocks.splice(i, 1);
        blocks.unshift(b);
        this.#coalesce();
        return;
      }
    }
    blocks.unshift([start, end]);
    if (blocks.length > TCP_NUM_SACKS) blocks.pop();
  }

  /** RCV.NXT moved to `rcvNxt`: blocks it reached are gone (tcp_sack_remove). */
  advance(rcvNxt: number): void {
    this.#blocks = this.#blocks.filter((b) => b[1] > rcvNxt && b[0] > rcvNxt);
  }

  /** The blocks a segment carries, given `optionBytes` of other options on it. */
  onWire(optionBytes: number): [number, number][] {
    const room = Math.floor((MAX_OPTION_BYTES - optionBytes - SACK_BASE_BYTES) / SACK_BLOCK_BYTES);
    const all = this.#dsack === undefined ? this.#blocks : [this.#dsack, ...this.#blocks];
    return all.slice(0, Math.max(0, room)).map((b) => [b[0], b[1]] as [number, number]);
  }

  /** tcp_sack_maybe_coalesce: the front block may now join others. */
  #coalesce(): void {
    const blocks = this.#blocks;
    const first = blocks[0]!;
    for (let i = 1; i < blocks.length; ) {
      const b = blocks[i]!;
      if (first[0] <= b[1] && first[1] >= b[0]) {
        first[0] = Math.min(first[0], b[0]);
        first[1] = Math.max(first[1], b[1]);
        blocks.splice(i, 1);
      } else i++;
    }
  }
}

/** Option bytes the SACK blocks add to a segment. */
export function sackOptionBytes(blocks: number): number {
  return blocks > 0 ? SACK_BASE_BYTES + SACK_BLOCK_BYTES * blocks : 0;
}
