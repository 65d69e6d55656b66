/**
 * How figures in the prose are written (`<Measure of="overhead.mqttPublish20" />`): each course
 * module's `figures()` (./module.ts) formats its computed numbers with these, so every chapter
 * says "1,234 bytes" and "12.5 ms" the same way.
 */
export const bytesText = (n: number): string => `${n.toLocaleString('en-US')} bytes`;
export const msText = (n: number): string => `${n.toLocaleString('en-US', { maximumFractionDigits: 1 })} ms`;
