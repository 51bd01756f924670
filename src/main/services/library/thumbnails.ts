/**
 * Thumbnails of library images: WebP at two sizes (the grid's ~256 px and
 * the viewer's ~1024 px long side) and the dominant colour the grid paints
 * before they load.
 *
 * sharp works on libuv's thread pool, so the main process's event loop never
 * waits for a decode; the gate keeps at most two images in flight, which
 * bounds memory (a decoded 1024² image is 4 MB, a 4096² one 64 MB) and
 * leaves the pool's other threads to file and database work.
 */
import sharp from 'sharp'
import { Gate } from '../gate'

export const SMALL_THUMB_SIDE = 256
export const LARGE_THUMB_SIDE = 1024
const WEBP_QUALITY = 80
/** Refuse decompression bombs before any pixel is decoded (same bound as attachments). */
export const MAX_INPUT_PIXELS = 100_000_000
const PARALLEL_THUMBNAILS = 2

export interface Thumbnails {
  small: Buffer
  large: Buffer
  /** `#rrggbb` */
  color: string
}

const gate = new Gate(PARALLEL_THUMBNAILS)

/**
 * Both thumbnails and the colour, from an image's bytes. One full decode:
 * the large size is made first and the small one from its pixels.
 * `failOn: 'warning'` turns a truncated or damaged image into an error
 * instead of a picture with a grey half.
 */
export function renderThumbnails(image: Buffer): Promise<Thumbnails> {
  return gate.run(async () => {
    const { data, info } = await sharp(image, { failOn: 'warning', limitInputPixels: MAX_INPUT_PIXELS, autoOrient: true })
      .resize({ width: LARGE_THUMB_SIDE, height: LARGE_THUMB_SIDE, fit: 'inside', withoutEnlargement: true })
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true })
    const raw = { raw: { width: info.width, height: info.height, channels: info.channels } } as const
    const large = await sharp(data, raw).webp({ quality: WEBP_QUALITY }).toBuffer()
    const { data: smallPixels, info: smallInfo } = await sharp(data, raw)
      .resize({ width: SMALL_THUMB_SIDE, height: SMALL_THUMB_SIDE, fit: 'inside', withoutEnlargement: true })
      .raw()
      .toBuffer({ resolveWithObject: true })
    const smallRaw = { raw: { width: smallInfo.width, height: smallInfo.height, channels: smallInfo.channels } } as const
    const small = await sharp(smallPixels, smallRaw).webp({ quality: WEBP_QUALITY }).toBuffer()
    // The small image's dominant colour is the large one's, at a sixteenth of the work.
    const { dominant } = await sharp(smallPixels, smallRaw).stats()
    return { small, large, color: hexColor(dominant.r, dominant.g, dominant.b) }
  })
}

function hexColor(r: number, g: number, b: number): string {
  return `#${[r, g, b].map((channel) => Math.max(0, Math.min(255, Math.round(channel))).toString(16).padStart(2, '0')).join('')}`
}
