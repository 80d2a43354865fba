// CRC-32C (Castagnoli), the checksum of every WAL record and snapshot: table-driven,
// slice-by-8 (eight table lookups per 8 bytes).

const POLYNOMIAL = 0x82f63b78;
const tables: Uint32Array[] = buildTables();

function buildTables(): Uint32Array[] {
  const result = Array.from({ length: 8 }, () => new Uint32Array(256));
  for (let n = 0; n < 256; n++) {
    let crc = n;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ POLYNOMIAL : crc >>> 1;
    result[0][n] = crc >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    let crc = result[0][n];
    for (let k = 1; k < 8; k++) {
      crc = result[0][crc & 0xff] ^ (crc >>> 8);
      result[k][n] = crc >>> 0;
    }
  }
  return result;
}

const [t0, t1, t2, t3, t4, t5, t6, t7] = tables;

/** CRC-32C of `data`, continuing from `initial` (the CRC of preceding bytes). */
export function crc32c(data: Uint8Array, initial = 0): number {
  return crc32cRange(data, 0, data.length, initial);
}

/** CRC-32C of `data[start, end)` without making a view of it, continuing from `initial`. */
export function crc32cRange(data: Uint8Array, start: number, end: number, initial = 0): number {
  let crc = ~initial >>> 0;
  let i = start;
  const end8 = end - ((end - start) % 8);
  for (; i < end8; i += 8) {
    const lo = (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24)) ^ crc;
    crc = t7[lo & 0xff] ^ t6[(lo >>> 8) & 0xff] ^ t5[(lo >>> 16) & 0xff] ^ t4[lo >>> 24] ^
      t3[data[i + 4]] ^ t2[data[i + 5]] ^ t1[data[i + 6]] ^ t0[data[i + 7]];
  }
  for (; i < end; i++) crc = t0[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return ~crc >>> 0;
}
