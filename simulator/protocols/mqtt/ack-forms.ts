/**
 * The two byte forms of an MQTT 5 acknowledgement (PUBACK, PUBREC, PUBREL, PUBCOMP) or DISCONNECT
 * with reason code Success and no properties. MQTT 5 lets a sender leave out the Property Length,
 * and the reason code too when it is 0x00 (sections 3.4.2.1, 3.4.2.2.1 and their siblings, 3.14.2.2.1).
 * - `shortestForm`: what mosquitto sends: the reason code only when it is not 0, no Property
 *   Length (PUBACK 0x10 is 5 bytes, not 6).
 * - `mqttjsAckForm`: what mqtt.js 5 sends for PUBREC, PUBREL and PUBCOMP: it hands mqtt-packet
 *   no reason code, and mqtt-packet 9 (writeToStream.js `confirmation`) then writes reason code
 *   0x00 and an empty Property Length: 6 bytes where 4 would do. mqtt.js's PUBACK passes reason
 *   code 0 and stays 4 bytes. (Read in mqtt.js src/lib/handlers/{ack,publish,pubrel}.ts; measured
 *   in tests/conformance/mqtt-client.test.ts.)
 */

/** The shortest form of an MQTT 5 acknowledgement or DISCONNECT the encoder wrote. */
export function shortestForm(bytes: Uint8Array): Uint8Array {
  const type = bytes[0]! >> 4;
  if (type >= 4 && type <= 7 && bytes.length === 6 && bytes[1] === 4 && bytes[5] === 0) {
    return Uint8Array.of(bytes[0]!, 3, bytes[2]!, bytes[3]!, bytes[4]!);
  }
  if (type === 14 && bytes.length === 4 && bytes[1] === 2 && bytes[3] === 0) return Uint8Array.of(bytes[0]!, 1, bytes[2]!);
  return bytes;
}

/** A 4-byte PUBREC, PUBREL or PUBCOMP (Success) as mqtt.js writes it in MQTT 5: 6 bytes. */
export function mqttjsAckForm(bytes: Uint8Array): Uint8Array {
  const type = bytes[0]! >> 4;
  if (type >= 5 && type <= 7 && bytes.length === 4 && bytes[1] === 2) {
    return Uint8Array.of(bytes[0]!, 4, bytes[2]!, bytes[3]!, 0x00, 0x00);
  }
  return bytes;
}
