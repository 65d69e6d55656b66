/**
 * Annotated byte fixtures from RFC 6455 itself. Each one is parsed, generated and round-tripped
 * by the codec tests (mqtt-packet's habit: one fixture, three checks).
 */
export interface FrameFixture {
  name: string;
  /** Where the example comes from. */
  source: string;
  hex: string;
  fin: boolean;
  opcode: number;
  maskKey?: number[];
  /** The unmasked payload, as hex. */
  payloadHex: string;
}

const hello = '48656c6c6f'; // "Hello"

export const RFC_FRAMES: FrameFixture[] = [
  {
    name: 'single-frame unmasked text "Hello"',
    source: 'RFC 6455 section 5.7',
    // 81: FIN + text; 05: unmasked, length 5; then "Hello"
    hex: '8105' + hello,
    fin: true,
    opcode: 1,
    payloadHex: hello,
  },
  {
    name: 'single-frame masked text "Hello"',
    source: 'RFC 6455 section 5.7',
    // 81: FIN + text; 85: MASK + length 5; 37fa213d: masking key; masked "Hello"
    hex: '818537fa213d7f9f4d5158',
    fin: true,
    opcode: 1,
    maskKey: [0x37, 0xfa, 0x21, 0x3d],
    payloadHex: hello,
  },
  {
    name: 'first fragment of unmasked text "Hel"',
    source: 'RFC 6455 section 5.7',
    // 01: FIN clear + text; 03: length 3
    hex: '010348656c',
    fin: false,
    opcode: 1,
    payloadHex: '48656c',
  },
  {
    name: 'last fragment "lo"',
    source: 'RFC 6455 section 5.7',
    // 80: FIN + continuation; 02: length 2
    hex: '80026c6f',
    fin: true,
    opcode: 0,
    payloadHex: '6c6f',
  },
  {
    name: 'unmasked ping "Hello"',
    source: 'RFC 6455 section 5.7',
    hex: '8905' + hello,
    fin: true,
    opcode: 9,
    payloadHex: hello,
  },
  {
    name: 'masked pong "Hello"',
    source: 'RFC 6455 section 5.7',
    hex: '8a8537fa213d7f9f4d5158',
    fin: true,
    opcode: 10,
    maskKey: [0x37, 0xfa, 0x21, 0x3d],
    payloadHex: hello,
  },
  {
    name: '256 bytes binary, unmasked',
    source: 'RFC 6455 section 5.7',
    // 82: FIN + binary; 7e: 16-bit length follows; 0100 = 256
    hex: '827e0100' + 'ab'.repeat(256),
    fin: true,
    opcode: 2,
    payloadHex: 'ab'.repeat(256),
  },
  {
    name: '64 KiB binary, unmasked',
    source: 'RFC 6455 section 5.7',
    // 82: FIN + binary; 7f: 64-bit length follows; 0000000000010000 = 65536
    hex: '827f0000000000010000' + 'cd'.repeat(65536),
    fin: true,
    opcode: 2,
    payloadHex: 'cd'.repeat(65536),
  },
];

/** RFC 6455 section 1.3: the example key and the accept value it yields. */
export const RFC_HANDSHAKE_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
export const RFC_HANDSHAKE_ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=';

export function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
