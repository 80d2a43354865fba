// Redis's geo arithmetic (geohash.c, geohash_helper.c): positions as 52-bit interleaved geohashes
// (26 bits of latitude at the even bits, 26 of longitude at the odd ones) that are sorted-set
// scores, decoding to a cell's centre, haversine distances on Redis's Earth radius, and the nine
// cells a radius or box search reads, chosen and pruned exactly as Redis chooses them so that
// unsorted results come out in Redis's order.

export const LONGITUDE_MIN = -180;
export const LONGITUDE_MAX = 180;
export const LATITUDE_MIN = -85.05112878;
export const LATITUDE_MAX = 85.05112878;
const STEP_MAX = 26;
const EARTH_RADIUS_METERS = 6372797.560856;
const MERCATOR_MAX = 20037726.37;
const DEG_TO_RAD = Math.PI / 180;

interface Range { readonly min: number; readonly max: number }
const LONGITUDE_RANGE: Range = { min: LONGITUDE_MIN, max: LONGITUDE_MAX };
const LATITUDE_RANGE: Range = { min: LATITUDE_MIN, max: LATITUDE_MAX };

/** A cell: `step` bits of each coordinate, as the integers of its latitude and longitude. */
interface Cell { readonly lat: number; readonly lon: number; readonly step: number }

interface Area { readonly lonMin: number; readonly lonMax: number; readonly latMin: number; readonly latMax: number }

/**
 * Latitude bits at the even positions, longitude bits at the odd ones (Redis's interleave64 of
 * two uint32). A coordinate at the top of its range is 2^step, one bit more than the cell needs,
 * as in Redis; such a hash passes 2^52 and is rounded to a double the way C converts a uint64.
 */
function interleave(lat: number, lon: number, step: number): number {
  if (lat < 2 ** step && lon < 2 ** step) {
    let bits = 0;
    for (let i = step - 1; i >= 0; i--) bits = bits * 4 + (Math.floor(lon / 2 ** i) % 2) * 2 + (Math.floor(lat / 2 ** i) % 2);
    return bits;
  }
  let bits = 0n;
  for (let i = 31; i >= 0; i--) bits = (bits << 2n) | (BigInt(Math.floor(lon / 2 ** i) % 2) << 1n) | BigInt(Math.floor(lat / 2 ** i) % 2);
  return Number(bits);
}

/** The inverse, from a score as C's cast to uint64 reads it (truncated; negative is 0 here). */
function deinterleave(score: number, step: number): { lat: number; lon: number } {
  if (score >= 0 && score < 2 ** (2 * step)) {
    let lat = 0;
    let lon = 0;
    let rest = Math.trunc(score);
    for (let i = 0; i < step; i++) {
      lat += (rest % 2) * 2 ** i;
      rest = Math.floor(rest / 2);
      lon += (rest % 2) * 2 ** i;
      rest = Math.floor(rest / 2);
    }
    return { lat, lon };
  }
  let rest = score >= 2 ** 64 || !(score > 0) ? 0n : BigInt(Math.trunc(score));
  let lat = 0;
  let lon = 0;
  for (let i = 0; i < 32; i++) {
    lat += Number(rest & 1n) * 2 ** i;
    rest >>= 1n;
    lon += Number(rest & 1n) * 2 ** i;
    rest >>= 1n;
  }
  return { lat, lon };
}

function encodeCell(longitude: number, latitude: number, step: number, lonRange = LONGITUDE_RANGE, latRange = LATITUDE_RANGE): Cell {
  // As C's cast to uint32_t: the fraction of the range, scaled and truncated.
  const lat = Math.trunc(((latitude - latRange.min) / (latRange.max - latRange.min)) * 2 ** step);
  const lon = Math.trunc(((longitude - lonRange.min) / (lonRange.max - lonRange.min)) * 2 ** step);
  return { lat, lon, step };
}

function areaOf(cell: Cell): Area {
  const cells = 2 ** cell.step;
  const latScale = LATITUDE_MAX - LATITUDE_MIN;
  const lonScale = LONGITUDE_MAX - LONGITUDE_MIN;
  return {
    latMin: LATITUDE_MIN + (cell.lat / cells) * latScale,
    latMax: LATITUDE_MIN + ((cell.lat + 1) / cells) * latScale,
    lonMin: LONGITUDE_MIN + (cell.lon / cells) * lonScale,
    lonMax: LONGITUDE_MIN + ((cell.lon + 1) / cells) * lonScale,
  };
}

/** Whether a longitude/latitude pair can be stored (Redis's GEO_LONG/LAT_MIN/MAX). */
export function validPosition(longitude: number, latitude: number): boolean {
  return longitude >= LONGITUDE_MIN && longitude <= LONGITUDE_MAX && latitude >= LATITUDE_MIN && latitude <= LATITUDE_MAX;
}

/** The sorted-set score of a position: its 52-bit geohash. */
export function geohashScore(longitude: number, latitude: number): number {
  const cell = encodeCell(longitude, latitude, STEP_MAX);
  return interleave(cell.lat, cell.lon, STEP_MAX);
}

/** The position a score stands for: the centre of its cell, kept inside the valid ranges. */
export function decodeScore(score: number): [longitude: number, latitude: number] {
  const { lat, lon } = deinterleave(score, STEP_MAX);
  const area = areaOf({ lat, lon, step: STEP_MAX });
  const longitude = Math.min(LONGITUDE_MAX, Math.max(LONGITUDE_MIN, (area.lonMin + area.lonMax) / 2));
  const latitude = Math.min(LATITUDE_MAX, Math.max(LATITUDE_MIN, (area.latMin + area.latMax) / 2));
  return [longitude, latitude];
}

const GEOHASH_ALPHABET = '0123456789bcdefghjkmnpqrstuvwxyz';

/** GEOHASH's 11 characters: the position re-encoded on the standard -90..90 latitude range. */
export function standardGeohash(score: number): string {
  const [longitude, latitude] = decodeScore(score);
  const cell = encodeCell(longitude, latitude, STEP_MAX, LONGITUDE_RANGE, { min: -90, max: 90 });
  const bits = interleave(cell.lat, cell.lon, STEP_MAX);
  let text = '';
  for (let i = 0; i < 11; i++) {
    // 52 bits make 10 characters and 2 bits; Redis pads the eleventh with zeros.
    const index = i === 10 ? 0 : Math.floor(bits / 2 ** (52 - (i + 1) * 5)) % 32;
    text += GEOHASH_ALPHABET[index];
  }
  return text;
}

function latitudeDistance(lat1: number, lat2: number): number {
  return EARTH_RADIUS_METERS * Math.abs(lat2 * DEG_TO_RAD - lat1 * DEG_TO_RAD);
}

/** Redis's haversine distance in meters. */
export function distance(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const lat1r = lat1 * DEG_TO_RAD;
  const lat2r = lat2 * DEG_TO_RAD;
  const v = Math.sin((lon2 * DEG_TO_RAD - lon1 * DEG_TO_RAD) / 2);
  // Same longitude: only the latitudes differ, and Redis takes the cheaper formula.
  if (v === 0) return latitudeDistance(lat1, lat2);
  const u = Math.sin((lat2r - lat1r) / 2);
  return 2 * EARTH_RADIUS_METERS * Math.asin(Math.sqrt(u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v));
}

/**
 * What a search covers: a circle or a width × height box around a centre, in the unit asked for
 * (`toMeters` converts, multiplied in where Redis multiplies it in, so the floating point agrees).
 */
export type Shape = { readonly longitude: number; readonly latitude: number; readonly toMeters: number } & (
  | { readonly kind: 'radius'; readonly radius: number }
  | { readonly kind: 'box'; readonly width: number; readonly height: number });

/** The distance in meters from the shape's centre, if the point lies within the shape. */
export function distanceIfWithin(shape: Shape, longitude: number, latitude: number): number | undefined {
  if (shape.kind === 'radius') {
    const meters = distance(shape.longitude, shape.latitude, longitude, latitude);
    return meters <= shape.radius * shape.toMeters ? meters : undefined;
  }
  if (latitudeDistance(latitude, shape.latitude) > (shape.height * shape.toMeters) / 2) return undefined;
  if (distance(longitude, latitude, shape.longitude, latitude) > (shape.width * shape.toMeters) / 2) return undefined;
  return distance(shape.longitude, shape.latitude, longitude, latitude);
}

function estimateSteps(rangeMeters: number, latitude: number): number {
  if (rangeMeters === 0) return STEP_MAX;
  let step = 1;
  for (let range = rangeMeters; range < MERCATOR_MAX; range *= 2) step++;
  // Make sure the range is included in most of the base cases; wider towards the poles.
  step -= 2;
  if (latitude > 66 || latitude < -66) {
    step--;
    if (latitude > 80 || latitude < -80) step--;
  }
  return Math.min(STEP_MAX, Math.max(1, step));
}

function boundingBox(shape: Shape): Area {
  const height = shape.toMeters * (shape.kind === 'radius' ? shape.radius : shape.height / 2);
  const width = shape.toMeters * (shape.kind === 'radius' ? shape.radius : shape.width / 2);
  const latDelta = height / EARTH_RADIUS_METERS / DEG_TO_RAD;
  const lonDeltaTop = width / EARTH_RADIUS_METERS / Math.cos((shape.latitude + latDelta) * DEG_TO_RAD) / DEG_TO_RAD;
  const lonDeltaBottom = width / EARTH_RADIUS_METERS / Math.cos((shape.latitude - latDelta) * DEG_TO_RAD) / DEG_TO_RAD;
  // The hemispheres are mirror images: the wider edge is the one nearer the equator.
  const lonDelta = shape.latitude < 0 ? lonDeltaBottom : lonDeltaTop;
  return { lonMin: shape.longitude - lonDelta, lonMax: shape.longitude + lonDelta, latMin: shape.latitude - latDelta, latMax: shape.latitude + latDelta };
}

type Direction = readonly [dLon: number, dLat: number];
/** Redis's order of the cells read: the centre, then north, south, east, west, NE, NW, SE, SW. */
const NEIGHBOURS: readonly Direction[] = [[0, 0], [0, 1], [0, -1], [1, 0], [-1, 0], [1, 1], [-1, 1], [1, -1], [-1, -1]];

function moved(cell: Cell, [dLon, dLat]: Direction): Cell {
  const cells = 2 ** cell.step;
  return { step: cell.step, lat: (cell.lat + dLat + cells) % cells, lon: (cell.lon + dLon + cells) % cells };
}

/**
 * The score ranges [min, max) a search reads, cell by cell in Redis's order: the step that fits
 * the shape (one coarser where a side cell would miss part of it), the cells Redis leaves out as
 * useless, and a cell equal to the last one read skipped.
 */
export function searchRanges(shape: Shape): Array<[min: number, max: number]> {
  const bounds = boundingBox(shape);
  const radius = shape.kind === 'radius' ? shape.radius : Math.sqrt((shape.width / 2) * (shape.width / 2) + (shape.height / 2) * (shape.height / 2));
  let step = estimateSteps(radius * shape.toMeters, shape.latitude);
  let centre = encodeCell(shape.longitude, shape.latitude, step);
  const sideMissesPart = (cell: Cell) => {
    const north = areaOf(moved(cell, [0, 1]));
    const south = areaOf(moved(cell, [0, -1]));
    const east = areaOf(moved(cell, [1, 0]));
    const west = areaOf(moved(cell, [-1, 0]));
    return north.latMax < bounds.latMax || south.latMin > bounds.latMin || east.lonMax < bounds.lonMax || west.lonMin > bounds.lonMin;
  };
  if (step > 1 && sideMissesPart(centre)) {
    step--;
    centre = encodeCell(shape.longitude, shape.latitude, step);
  }
  const area = areaOf(centre);
  const used = NEIGHBOURS.map(([dLon, dLat]) => {
    if (step < 2) return true;
    if (dLat < 0 && area.latMin < bounds.latMin) return false;
    if (dLat > 0 && area.latMax > bounds.latMax) return false;
    if (dLon < 0 && area.lonMin < bounds.lonMin) return false;
    if (dLon > 0 && area.lonMax > bounds.lonMax) return false;
    return true;
  });
  const ranges: Array<[number, number]> = [];
  // Redis compares a cell with the last one read, except when that was the centre (index 0).
  let lastIndex = 0;
  let lastBits = 0;
  NEIGHBOURS.forEach((direction, i) => {
    if (!used[i]) return;
    const cell = moved(centre, direction);
    const bits = interleave(cell.lat, cell.lon, step);
    if (lastIndex !== 0 && bits === lastBits) return;
    lastIndex = i;
    lastBits = bits;
    const shift = 2 ** (52 - step * 2);
    ranges.push([bits * shift, (bits + 1) * shift]);
  });
  return ranges;
}

/** `value` with `digits` decimals, rounded half to even from its exact binary value (C's printf %.Nf). */
export function fixedDecimal(value: number, digits: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(value));
  const high = view.getUint32(0);
  const biased = (high >>> 20) & 0x7ff;
  let mantissa = (BigInt(high & 0xfffff) << 32n) | BigInt(view.getUint32(4));
  if (biased !== 0) mantissa |= 1n << 52n;
  const exponent = biased === 0 ? -1074 : biased - 1075;
  const scale = 10n ** BigInt(digits);
  let scaled: bigint;
  if (exponent >= 0) scaled = (mantissa << BigInt(exponent)) * scale;
  else {
    const numerator = mantissa * scale;
    const denominator = 1n << BigInt(-exponent);
    scaled = numerator / denominator;
    const twice = (numerator % denominator) * 2n;
    if (twice > denominator || (twice === denominator && (scaled & 1n) === 1n)) scaled += 1n;
  }
  const text = scaled.toString().padStart(digits + 1, '0');
  const sign = value < 0 || Object.is(value, -0) ? '-' : '';
  return digits === 0 ? `${sign}${text}` : `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

/** Redis's "human" long double text of a double: %.17Lf without trailing zeros. */
export function humanCoordinate(value: number): string {
  return fixedDecimal(value, 17).replace(/\.?0+$/, '');
}
