// Redis Cluster's key → hash slot mapping (CRC16-CCITT/XMODEM of the key, or of the part
// between the first `{` and the following `}` when that part is non-empty), so that
// cluster-aware clients compute the same slot we do.

export const SLOT_COUNT = 16384;

const crc16Table = buildCrc16Table();

function buildCrc16Table(): Uint16Array {
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[byte] = crc;
  }
  return table;
}

/** CRC16 over the latin1 chars [start, end) of a binary-safe key string. */
export function crc16(key: string, start = 0, end = key.length): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ crc16Table[((crc >> 8) ^ key.charCodeAt(i)) & 0xff];
  return crc;
}

export function keySlot(key: string): number {
  const open = key.indexOf('{');
  if (open !== -1) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) return crc16(key, open + 1, close) & (SLOT_COUNT - 1);
  }
  return crc16(key) & (SLOT_COUNT - 1);
}
