/**
 * Sec-WebSocket-Extensions header values (RFC 6455 section 9.1):
 *   extension-list = 1#extension;  extension = name *( ";" param );  param = token [ "=" value ]
 * A parameter without a value is `true`; quoted values are unquoted.
 */
export interface ExtensionOffer {
  name: string;
  params: Record<string, string | true>;
}

export function parseExtensions(header: string): ExtensionOffer[] {
  const out: ExtensionOffer[] = [];
  for (const item of header.split(',')) {
    const parts = item.split(';').map((p) => p.trim());
    const name = parts[0];
    if (!name) continue;
    const params: Record<string, string | true> = {};
    for (const part of parts.slice(1)) {
      if (part === '') continue;
      const eq = part.indexOf('=');
      if (eq < 0) params[part.toLowerCase()] = true;
      else {
        let value = part.slice(eq + 1).trim();
        if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
        params[part.slice(0, eq).trim().toLowerCase()] = value;
      }
    }
    out.push({ name: name.toLowerCase(), params });
  }
  return out;
}

export function formatExtension(offer: ExtensionOffer): string {
  const params = Object.entries(offer.params).map(([k, v]) => (v === true ? k : `${k}=${v}`));
  return [offer.name, ...params].join('; ');
}
