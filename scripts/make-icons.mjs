/**
 * Makes every app icon from resources/icon.svg: the PNG set Linux packages
 * take (resources/icons/NxN.png), resources/icon.png (the window icon),
 * resources/icon.ico (Windows) and resources/icon.icns (macOS). Run it after
 * changing the SVG and commit what it writes: `node scripts/make-icons.mjs`.
 *
 * sharp draws the PNGs. The .ico and .icns containers are written here:
 * electron-builder makes them at packaging time only with an icon tool it
 * downloads from GitHub (not possible offline, and not committed), and both
 * formats simply hold PNG data behind a small index, which is a few lines.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import sharp from 'sharp'

const resources = join(dirname(fileURLToPath(import.meta.url)), '..', 'resources')
export const LINUX_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024]
export const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256]
/** ICNS types that hold PNG data, by their pixel size (the @2x types share sizes with plain ones). */
export const ICNS_TYPES = [
  ['icp4', 16],
  ['icp5', 32],
  ['ic11', 32],
  ['icp6', 64],
  ['ic12', 64],
  ['ic07', 128],
  ['ic08', 256],
  ['ic13', 256],
  ['ic09', 512],
  ['ic14', 512],
  ['ic10', 1024]
]

async function render(svg, size, padding = 0) {
  const inner = size - 2 * padding
  const art = await sharp(svg, { density: Math.ceil((72 * inner) / 512) * 2 })
    .resize(inner, inner)
    .png()
    .toBuffer()
  if (padding === 0) return sharp(art).png({ compressionLevel: 9 }).toBuffer()
  return sharp(art)
    .extend({ top: padding, bottom: padding, left: padding, right: padding, background: { r: 0, g: 0, b: 0, alpha: 0 } })
    .png({ compressionLevel: 9 })
    .toBuffer()
}

/** ICO: a 6-byte header, a 16-byte entry per image, then the PNGs (Windows Vista and later read PNG entries). */
export function icoFile(images) {
  const header = Buffer.alloc(6)
  header.writeUInt16LE(0, 0)
  header.writeUInt16LE(1, 2)
  header.writeUInt16LE(images.length, 4)
  const entries = []
  let offset = 6 + 16 * images.length
  for (const { size, png } of images) {
    const entry = Buffer.alloc(16)
    // 256 is written as 0.
    entry.writeUInt8(size >= 256 ? 0 : size, 0)
    entry.writeUInt8(size >= 256 ? 0 : size, 1)
    entry.writeUInt8(0, 2)
    entry.writeUInt8(0, 3)
    entry.writeUInt16LE(1, 4)
    entry.writeUInt16LE(32, 6)
    entry.writeUInt32LE(png.length, 8)
    entry.writeUInt32LE(offset, 12)
    entries.push(entry)
    offset += png.length
  }
  return Buffer.concat([header, ...entries, ...images.map((image) => image.png)])
}

/** ICNS: 'icns' and the file's length, then each image as its 4-letter type, its length (header included) and the PNG. */
export function icnsFile(images) {
  const chunks = images.map(({ type, png }) => {
    const head = Buffer.alloc(8)
    head.write(type, 0, 'ascii')
    head.writeUInt32BE(png.length + 8, 4)
    return Buffer.concat([head, png])
  })
  const body = Buffer.concat(chunks)
  const head = Buffer.alloc(8)
  head.write('icns', 0, 'ascii')
  head.writeUInt32BE(body.length + 8, 4)
  return Buffer.concat([head, body])
}

async function main() {
  const svg = await readFile(join(resources, 'icon.svg'))
  const bySize = new Map()
  const png = async (size) => {
    if (!bySize.has(size)) bySize.set(size, await render(svg, size))
    return bySize.get(size)
  }

  await mkdir(join(resources, 'icons'), { recursive: true })
  for (const size of LINUX_SIZES) await writeFile(join(resources, 'icons', `${size}x${size}.png`), await png(size))
  await writeFile(join(resources, 'icon.png'), await png(512))

  const ico = []
  for (const size of ICO_SIZES) ico.push({ size, png: await png(size) })
  await writeFile(join(resources, 'icon.ico'), icoFile(ico))

  // macOS draws icons on Apple's grid: the artwork is 824 of 1024 pixels, centred.
  const icns = []
  for (const [type, size] of ICNS_TYPES) icns.push({ type, png: await render(svg, size, Math.round((size * 100) / 1024)) })
  await writeFile(join(resources, 'icon.icns'), icnsFile(icns))
  console.log(`Wrote ${LINUX_SIZES.length} PNGs, icon.png, icon.ico (${ICO_SIZES.length} sizes) and icon.icns (${ICNS_TYPES.length} images) in ${resources}`)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main()
