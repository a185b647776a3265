// The lines of a "show" consume action (how to open a peer's WebDAV share …), filled from the discovered record.
import type { ConsumeInstruction, LocalizedText } from '../../kit/manifest.ts';
import type { ServiceRecord } from '../../shared/discovery-contract.ts';

/** What a peer's TXT value may be to appear in an instruction: a path or a name, nothing a reader could be fooled by. */
const PLAIN = /^[A-Za-z0-9._~/:@-]{0,200}$/;

/** Each line with its placeholders filled; a line needing a TXT value the record lacks or that is not plain is left out. */
export function fillInstructions(lines: ConsumeInstruction[], record: Pick<ServiceRecord, 'address' | 'port' | 'node' | 'txt'>): Array<{ label: LocalizedText; value: string }> {
  const filled: Array<{ label: LocalizedText; value: string }> = [];
  for (const line of lines) {
    let usable = true;
    const value = line.value.replace(/\{(address|port|node|txt:[A-Za-z0-9_-]{1,64})\}/g, (_placeholder, name: string) => {
      if (name === 'address') return record.address.includes(':') ? `[${record.address}]` : record.address;
      if (name === 'port') return String(record.port);
      if (name === 'node') return PLAIN.test(record.node) ? record.node : ((usable = false), '');
      const text = record.txt[name.slice('txt:'.length)];
      if (text === undefined || !PLAIN.test(text)) usable = false;
      return text ?? '';
    });
    if (usable) filled.push({ label: line.label, value });
  }
  return filled;
}
