import { isIP } from 'node:net';

/**
 * The source of an sshd line as one key per client: IPv4-mapped IPv6 (`::ffff:198.51.100.4`) is
 * the IPv4 address, IPv6 in its canonical short lowercase form (RFC 5952), host names (sshd with
 * `UseDNS yes`) lowercased without a trailing dot and kept as names: they are never resolved here.
 * Returns null for text that is neither an address nor a host name, so that a count never lands
 * on attacker-written text.
 */
export function normaliseSource(raw: string): string | null {
  let text = raw.trim();
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  if (text === '' || text.length > 255) return null;
  // Dotted quads from DNS or PAM may carry leading zeros ("192.030.0.6"): read as decimal, as sshd would print them.
  if (isIP(text) === 4 || (/^\d{1,3}(\.\d{1,3}){3}$/.test(text) && text.split('.').every((p) => Number(p) <= 255)))
    return canonicalIpv4(text);
  const zoneAt = text.indexOf('%');
  const zone = zoneAt >= 0 ? text.slice(zoneAt) : '';
  const bare = zoneAt >= 0 ? text.slice(0, zoneAt) : text;
  if (isIP(bare) === 6) {
    const mapped = /^(?:0{0,4}:){0,5}:?ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(bare);
    if (mapped?.[1] && isIP(mapped[1]) === 4) return canonicalIpv4(mapped[1]);
    // The WHATWG URL parser writes IPv6 in the RFC 5952 form.
    const canonical = new URL(`http://[${bare}]/`).hostname.slice(1, -1);
    const hexMapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
    if (hexMapped?.[1] && hexMapped[2]) {
      const high = parseInt(hexMapped[1], 16);
      const low = parseInt(hexMapped[2], 16);
      return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
    }
    return zone && /^%[A-Za-z0-9._-]{1,32}$/.test(zone) ? `${canonical}${zone}` : canonical;
  }
  const name = text.toLowerCase().replace(/\.$/, '');
  const isHostName =
    /[a-z]/.test(name) &&
    name.split('.').every((label) => /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/.test(label) && label.length <= 63);
  return isHostName ? name : null;
}

function canonicalIpv4(text: string): string {
  return text
    .split('.')
    .map((part) => String(Number(part)))
    .join('.');
}
