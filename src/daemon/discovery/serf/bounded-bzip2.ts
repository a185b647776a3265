// bzip2 in pure JS for the legacy Serf `services` tag, with a hard cap on decompressed output (bzip2 bombs).
import compressjs, { type ByteSource } from '@ledgerhq/compressjs';

/** Thrown as soon as decompression would write more than the cap, before any output past it is stored. */
export class Bzip2OutputLimitError extends Error {
  override name = 'Bzip2OutputLimitError';
  constructor(readonly maxBytes: number) {
    super(`bzip2 data decompresses to more than ${maxBytes} bytes.`);
  }
}

// The 2015 plug-in piped through `bzip2` with its default block size, -9, so we write the same header "BZh9".
const BLOCK_SIZE_MULTIPLIER = 9;

export function bzip2Compress(input: Uint8Array): Uint8Array {
  return compressjs.Bzip2.compressFile(input, undefined, BLOCK_SIZE_MULTIPLIER);
}

/**
 * compressjs calls `writeByte` for every output byte while it undoes bzip2's run-length stage, so a sink that
 * throws at the cap stops a bomb after `maxBytes` bytes of work. The decoder's own buffer is bounded by the
 * block size in the header (at most 900 k entries), whatever the input claims.
 */
class CappedByteSink {
  readonly bytes: Uint8Array;
  length = 0;

  constructor(maxBytes: number) {
    this.bytes = new Uint8Array(maxBytes);
  }

  writeByte(byte: number): void {
    if (this.length === this.bytes.length) throw new Bzip2OutputLimitError(this.bytes.length);
    this.bytes[this.length++] = byte;
  }
}

/**
 * Given a plain buffer, compressjs stops when the input runs out as if the stream were complete, so a value cut
 * after a block passes without its end-of-stream marker and stream CRC. A source without `eof` makes it read that
 * marker (bits past the end read as zeros), so a truncated stream fails with "Not bzip data".
 */
function sourceWithoutEof(bytes: Uint8Array): ByteSource {
  let position = 0;
  return {
    readByte: () => (position < bytes.length ? (bytes[position++] ?? -1) : -1),
    read(buffer, offset, length) {
      const chunk = bytes.subarray(position, position + length);
      buffer.set(chunk, offset);
      position += chunk.length;
      return chunk.length;
    },
  };
}

/** Decompresses one bzip2 stream; throws Bzip2OutputLimitError past `maxBytes`, compressjs's TypeError on bad data. */
export function bzip2DecompressBounded(input: Uint8Array, maxBytes: number): Uint8Array {
  const sink = compressjs.Bzip2.decompressFile(sourceWithoutEof(input), new CappedByteSink(maxBytes));
  return sink.bytes.subarray(0, sink.length);
}
