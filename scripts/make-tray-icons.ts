/**
 * Draws the tray icons into resources/ (committed; run again after changing
 * the drawing): `node --experimental-strip-types scripts/make-tray-icons.ts`.
 *
 * - macOS: `trayTemplate.png` and `@2x`, black and alpha only, so the menu
 *   bar tints it for light, dark and highlighted states.
 * - Linux: `tray-light.png` (for dark panels) and `tray-dark.png` (for light
 *   ones), a monochrome glyph as panel icons are.
 * - Windows: `tray.ico`, the coloured app tile (it reads on light and dark
 *   taskbars) at the sizes Windows asks for at 100 % to 250 % scaling.
 *
 * The glyph is the paper plane of resources/icon.svg, redrawn as one path so
 * it stays sharp at 16 px; the Windows tile is drawn from icon.svg itself, the
 * app icon's one source (scripts/make-icons.mjs makes the app icons from it).
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'

const resources = join(import.meta.dirname, '..', 'resources')

/** The plane of icon.png (512 px), body and fold, in a square view box around it. */
function planeSvg(size: number, fill: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="88 92 340 340">
  <path d="M103 257 L410 113 L283 408 L232 318 Z" fill="${fill}"/>
</svg>`
}

async function glyph(file: string, size: number, fill: string): Promise<void> {
  await sharp(Buffer.from(planeSvg(size, fill))).png().toFile(join(resources, file))
}

/** An .ico whose entries are PNG images (read by Windows since Vista); sharp writes no .ico itself. */
export function icoFromPngs(images: Array<{ size: number; png: Buffer }>): Buffer {
  const header = Buffer.alloc(6)
  header.writeUInt16LE(0, 0)
  header.writeUInt16LE(1, 2) // 1: icon
  header.writeUInt16LE(images.length, 4)
  const entries: Buffer[] = []
  let offset = 6 + 16 * images.length
  for (const { size, png } of images) {
    const entry = Buffer.alloc(16)
    entry.writeUInt8(size >= 256 ? 0 : size, 0)
    entry.writeUInt8(size >= 256 ? 0 : size, 1)
    entry.writeUInt16LE(1, 4) // colour planes
    entry.writeUInt16LE(32, 6) // bits per pixel
    entry.writeUInt32LE(png.length, 8)
    entry.writeUInt32LE(offset, 12)
    entries.push(entry)
    offset += png.length
  }
  return Buffer.concat([header, ...entries, ...images.map((image) => image.png)])
}

async function main(): Promise<void> {
  await glyph('trayTemplate.png', 16, '#000000')
  await glyph('trayTemplate@2x.png', 32, '#000000')
  await glyph('tray-light.png', 32, '#ffffff')
  await glyph('tray-dark.png', 32, '#202124')
  const source = readFileSync(join(resources, 'icon.svg'))
  const sizes = [16, 20, 24, 32, 40, 48, 64]
  const images = await Promise.all(sizes.map(async (size) => ({ size, png: await sharp(source).resize(size, size).png().toBuffer() })))
  writeFileSync(join(resources, 'tray.ico'), icoFromPngs(images))
}

await main()
