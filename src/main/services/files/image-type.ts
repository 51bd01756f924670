/**
 * What kind of image some bytes are, by their first bytes alone: the name
 * and any declared type are never trusted. Only these formats ever reach a
 * decoder (no SVG, PDF or TIFF parsers).
 */

export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'webp' | 'heif'

/** ISO-BMFF brands of HEIF still images (HEIC and AVIF). */
const HEIF_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'mif1', 'msf1', 'avif', 'avis'])

/** The format the first bytes claim, or null for anything else. */
export function sniffImage(data: Uint8Array): ImageFormat | null {
  const bytes = Buffer.from(data.buffer, data.byteOffset, Math.min(data.byteLength, 16))
  const ascii = (start: number, end: number) => bytes.toString('latin1', start, end)
  if (bytes.length >= 8 && bytes.readUInt32BE(0) === 0x89504e47 && bytes.readUInt32BE(4) === 0x0d0a1a0a) return 'png'
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg'
  if (bytes.length >= 6 && (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a')) return 'gif'
  if (bytes.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp'
  if (bytes.length >= 12 && ascii(4, 8) === 'ftyp' && HEIF_BRANDS.has(ascii(8, 12))) return 'heif'
  return null
}
