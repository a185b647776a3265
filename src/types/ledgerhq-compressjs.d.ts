// Types for the part of @ledgerhq/compressjs (pure-JS bzip2, CommonJS, ships no types) that Cloudy uses.
declare module '@ledgerhq/compressjs' {
  /** compressjs writes decompressed output one byte at a time to any object with `writeByte` (src/lib/Stream.js). */
  export interface ByteSink {
    writeByte(byte: number): void;
  }

  /** An input stream: `readByte` returns -1 at the end; `read` fills `buffer` and returns the count. */
  export interface ByteSource {
    readByte(): number;
    read(buffer: Uint8Array, offset: number, length: number): number;
  }

  export interface Bzip2Codec {
    /** A whole bzip2 stream ("BZh" + level) for `input`; `blockSizeMultiplier` 1–9 is bzip2's -1…-9 (default 9). */
    compressFile(input: Uint8Array, output?: undefined, blockSizeMultiplier?: number): Uint8Array;
    /** Decodes one bzip2 stream into `output`; throws a TypeError ("Not bzip data", "Data error", "Bad block CRC …") on bad input. */
    decompressFile<Sink extends ByteSink>(input: Uint8Array | ByteSource, output: Sink): Sink;
  }

  // CommonJS module.exports, which Node hands to an ES module as its default export.
  const compressjs: { readonly Bzip2: Bzip2Codec };
  export default compressjs;
}
