// Passwords for the CLI come from standard input or a prompt that does not echo: never from argv, which every local
// user can read in /proc/<pid>/cmdline.
import { stdin, stderr } from 'node:process';

/** From a pipe: the first line. From a terminal: asked twice without echo, and both must match. */
export async function readPassword(prompt: string): Promise<string> {
  if (!stdin.isTTY) {
    let text = '';
    for await (const chunk of stdin) text += String(chunk);
    const line = text.split(/\r?\n/)[0] ?? '';
    if (line === '') throw new Error('no password on standard input');
    return line;
  }
  const first = await promptHidden(prompt);
  const second = await promptHidden('Again: ');
  if (first !== second) throw new Error('the two passwords differ; nothing was changed');
  return first;
}

function promptHidden(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    stderr.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    let typed = '';
    const finish = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      stderr.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: Buffer) => {
      for (const character of chunk.toString('utf8')) {
        if (character === '\r' || character === '\n') return finish();
        if (character === '\u0003') return finish(new Error('cancelled'));
        if (character === '\u007f' || character === '\b') typed = typed.slice(0, -1);
        else typed += character;
      }
    };
    stdin.on('data', onData);
  });
}
