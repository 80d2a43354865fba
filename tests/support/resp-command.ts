// Encodes commands the way clients send them: a RESP array of bulk strings.

export type Argument = string | Buffer | number;

function bytesOf(argument: Argument): Buffer {
  if (Buffer.isBuffer(argument)) return argument;
  // latin1 keeps every char code < 256 as one byte, so tests can write binary as strings.
  return Buffer.from(String(argument), 'latin1');
}

export function encodeCommand(args: readonly Argument[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`, 'latin1')];
  for (const argument of args) {
    const bytes = bytesOf(argument);
    parts.push(Buffer.from(`$${bytes.length}\r\n`, 'latin1'), bytes, Buffer.from('\r\n', 'latin1'));
  }
  return Buffer.concat(parts);
}

/** Several commands back to back, as one pipeline. */
export function encodeCommands(commands: ReadonlyArray<readonly Argument[]>): Buffer {
  return Buffer.concat(commands.map(encodeCommand));
}
