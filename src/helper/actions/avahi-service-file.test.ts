// avahi service files: structure, XML escaping of every value, file names.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { AvahiServiceFileError, avahiServiceFile, avahiServiceFileName } from './avahi-service-file.ts';
import { MdnsAdvertError, type MdnsAdvert } from '../../shared/dns-sd.ts';

const syncthing: MdnsAdvert = { name: 'Syncthing on h1', type: 'syncthing', protocol: 'tcp', port: 22000, txt: { node_id: 'ABC' } };

test('a plain advert becomes one service group with its type, port and TXT', () => {
  assert.equal(avahiServiceFile(syncthing), [
    `<?xml version="1.0" standalone='no'?>`,
    `<!DOCTYPE service-group SYSTEM "avahi-service.dtd">`,
    `<!-- Written by Cloudy; overwritten whenever this node's services change. -->`,
    `<service-group>`,
    `  <name replace-wildcards="no">Syncthing on h1</name>`,
    `  <service>`,
    `    <type>_syncthing._tcp</type>`,
    `    <port>22000</port>`,
    `    <txt-record>node_id=ABC</txt-record>`,
    `  </service>`,
    `</service-group>`,
    ``,
  ].join('\n'));
});

test('markup characters in the name and in TXT values are escaped', () => {
  const file = avahiServiceFile({ ...syncthing, name: `<b>Tom & "Jerry's"</b>`, txt: { note: `a<b>&"c'd` } });
  assert.match(file, /<name replace-wildcards="no">&lt;b&gt;Tom &amp; &quot;Jerry&apos;s&quot;&lt;\/b&gt;<\/name>/);
  assert.match(file, /<txt-record>note=a&lt;b&gt;&amp;&quot;c&apos;d<\/txt-record>/);
  assert.doesNotMatch(file.replace(/<\/?[a-z-]+( [a-z-]+="[a-z]+")?>|<\?xml[^>]*>|<!DOCTYPE[^>]*>|<!--[^>]*-->/g, ''), /[<>"]/);
});

test('line breaks and tabs in TXT values become character references, so no raw whitespace reaches avahi', () => {
  const file = avahiServiceFile({ ...syncthing, txt: { motd: 'line 1\nline 2\r\n\tend' } });
  assert.match(file, /<txt-record>motd=line 1&#10;line 2&#13;&#10;&#9;end<\/txt-record>\n/);
});

test('several TXT entries each get their own element, in order; no TXT means no element', () => {
  const file = avahiServiceFile({ ...syncthing, txt: { a: '1', b: '', 'cloudy-node': 'n1' } });
  assert.deepEqual([...file.matchAll(/<txt-record>(.*)<\/txt-record>/g)].map((match) => match[1]), ['a=1', 'b=', 'cloudy-node=n1']);
  assert.doesNotMatch(avahiServiceFile({ ...syncthing, txt: {} }), /txt-record/);
});

test('a "%h" in the name stays literal, and UDP types are written as such', () => {
  const file = avahiServiceFile({ ...syncthing, name: 'Files on %h', type: 'tftp', protocol: 'udp', port: 69 });
  assert.match(file, /<name replace-wildcards="no">Files on %h<\/name>/);
  assert.match(file, /<type>_tftp._udp<\/type>/);
});

test('values XML cannot carry, and invalid adverts, are refused with the field named', () => {
  assert.throws(() => avahiServiceFile({ ...syncthing, txt: { bell: 'ding\u0007' } }), MdnsAdvertError);
  assert.throws(() => avahiServiceFile({ ...syncthing, txt: { bad: 'x\ud800y' } }), AvahiServiceFileError);
  assert.throws(() => avahiServiceFile({ ...syncthing, name: 'two\nlines' }), /name contains control characters/);
  assert.throws(() => avahiServiceFile({ ...syncthing, port: 0 }), /port must be an integer/);
  assert.throws(() => avahiServiceFile({ ...syncthing, txt: { long: 'x'.repeat(260) } }), /longer than 255 bytes/);
});

test('file names are cloudy-<type>-<port>.service, with -udp for UDP, and never carry a path', () => {
  assert.equal(avahiServiceFileName(syncthing), 'cloudy-syncthing-22000.service');
  assert.equal(avahiServiceFileName({ ...syncthing, type: 'tahoe-lafs', port: 3456 }), 'cloudy-tahoe-lafs-3456.service');
  assert.equal(avahiServiceFileName({ ...syncthing, type: 'Tftp', protocol: 'udp', port: 69 }), 'cloudy-tftp-69-udp.service');
  assert.throws(() => avahiServiceFileName({ ...syncthing, type: '../../etc/passwd' }), MdnsAdvertError);
});
