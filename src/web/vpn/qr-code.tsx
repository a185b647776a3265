// A QR code drawn as one SVG path (qrcode-generator computes the modules), dark on white whatever the colour scheme, so phones read it.
import qrcode from 'qrcode-generator';

/** Modules of white border around the code, as the QR specification asks. */
const QUIET_ZONE = 4;

/** One `h1v1h-1z` square per dark module: a single path keeps the DOM small. */
function modulePath(text: string): { size: number; path: string } {
  // Type 0 picks the smallest version that fits; level M survives a smudged screen.
  const code = qrcode(0, 'M');
  code.addData(text);
  code.make();
  const count = code.getModuleCount();
  const squares: string[] = [];
  for (let row = 0; row < count; row++) {
    for (let column = 0; column < count; column++) {
      if (code.isDark(row, column)) squares.push(`M${column + QUIET_ZONE} ${row + QUIET_ZONE}h1v1h-1z`);
    }
  }
  return { size: count + 2 * QUIET_ZONE, path: squares.join('') };
}

export function QrCode({ text, label, testId }: { text: string; label: string; testId: string }) {
  const { size, path } = modulePath(text);
  return (
    <svg class="qr-code" role="img" aria-label={label} viewBox={`0 0 ${size} ${size}`} shape-rendering="crispEdges" data-testid={testId}>
      <rect width={size} height={size} fill="#ffffff" />
      <path d={path} fill="#000000" />
    </svg>
  );
}
