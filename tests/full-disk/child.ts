/**
 * Saves one large image into a library while the process may write only a
 * little (the parent runs it under `ulimit -f`): the write fails the way a
 * full disk fails it, half way through the file. Prints the outcome as JSON.
 */
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import sharp from 'sharp'
import { openDatabase } from '../../src/main/services/db/connection'
import { Library } from '../../src/main/services/library/library'
import { createLogger } from '../../src/main/services/log'

const userDataDir = process.argv[2]!
// Not the test powers: their settings store loads a package that turns SIGXFSZ back into a fatal signal.
const refuse = async (): Promise<void> => {
  throw new Error('not used here')
}
const powers = {
  trashItem: refuse,
  openPath: refuse,
  copyImageFile: refuse,
  showItemInFolder: () => undefined,
  dialogs: { saveFile: async () => null, openFiles: async () => [], confirm: async () => false, openFolder: async () => null }
}
const db = openDatabase(join(userDataDir, 'skyport.db'))
const library = new Library({ db, mediaDir: join(userDataDir, 'media'), powers, logger: createLogger(() => undefined, (text) => text) })

// Noise does not compress: about 2.4 MB of PNG.
const side = 900
const noise = randomBytes(side * side * 3)
const bytes = await sharp(noise, { raw: { width: side, height: side, channels: 3 } }).png().toBuffer()

try {
  const item = await library.addImage({ bytes, settings: { prompt: 'noise', model: 'flux', size: '1:1', seed: 1, endpoint: 'imagine' }, source: 'studio' })
  console.log(JSON.stringify({ saved: item.id, bytes: bytes.length }))
} catch (error) {
  const { code, message } = error as { code?: string; message?: string }
  console.log(JSON.stringify({ code, message, bytes: bytes.length }))
}
await library.close()
db.close()
