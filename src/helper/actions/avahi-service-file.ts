// avahi-daemon static service files (man 5 avahi.service) for the adverts avahi publishes on our behalf; pure.
import { checkAdvert, dnsSdType, type MdnsAdvert } from '../../shared/dns-sd.ts';

export class AvahiServiceFileError extends Error { override name = 'AvahiServiceFileError'; }

// XML 1.0 (§2.2) cannot carry these at all, not even as character references; nor can UTF-8 carry a lone surrogate.
const NOT_IN_XML = /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const REFERENCES: Record<string, string> = {
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;',
};

/**
 * Element text, escaped. avahi keeps element text verbatim (avahi-daemon/static-services.c appends every
 * character-data chunk), so values are written without surrounding whitespace, and TAB/LF/CR become character
 * references: an XML parser normalises literal line breaks (CRLF → LF) but keeps references as written.
 */
function xmlText(value: string, field: string): string {
  if (NOT_IN_XML.test(value)) throw new AvahiServiceFileError(`${field} contains a character XML cannot carry (a control character); remove it.`);
  return value.replace(/[&<>"'\t\n\r]/g, (char) => REFERENCES[char]!);
}

/**
 * The whole file for one advert. replace-wildcards="no": a "%h" in the name stays literal. avahi resolves name
 * conflicts itself (it renames to "Name #2"). Throws MdnsAdvertError / AvahiServiceFileError for invalid adverts.
 */
export function avahiServiceFile(advert: MdnsAdvert): string {
  checkAdvert(advert);
  const txtRecords = Object.entries(advert.txt)
    .map(([key, value]) => `    <txt-record>${xmlText(`${key}=${value}`, `TXT "${key}"`)}</txt-record>\n`);
  return [
    `<?xml version="1.0" standalone='no'?>\n`,
    `<!DOCTYPE service-group SYSTEM "avahi-service.dtd">\n`,
    `<!-- Written by Cloudy; overwritten whenever this node's services change. -->\n`,
    `<service-group>\n`,
    `  <name replace-wildcards="no">${xmlText(advert.name, 'name')}</name>\n`,
    `  <service>\n`,
    `    <type>${dnsSdType(advert.type, advert.protocol)}</type>\n`,
    `    <port>${advert.port}</port>\n`,
    ...txtRecords,
    `  </service>\n`,
    `</service-group>\n`,
  ].join('');
}

/**
 * `cloudy-<type>-<port>.service` (a `-udp` suffix for UDP, so a TCP and a UDP service on one port do not share a
 * file). Safe as a file name: checkAdvert() allows only letters, digits and hyphens in the type.
 */
export function avahiServiceFileName(advert: MdnsAdvert): string {
  checkAdvert(advert);
  return `cloudy-${advert.type.toLowerCase()}-${advert.port}${advert.protocol === 'udp' ? '-udp' : ''}.service`;
}
