/** A DOM for chart tests (linkedom): charts take `document` as an argument, so tests pass this one. */
import { parseHTML } from 'linkedom';

export function testDocument(): Document {
  return parseHTML('<!doctype html><html><body></body></html>').document as unknown as Document;
}
