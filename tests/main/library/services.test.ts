/** The library through the app as it ships: createAppServices, the bridge's dispatch and its schemas, broadcast events. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterEach, describe, expect, it } from 'vitest'
import { createAppServices, DATABASE_FILE, type AppServices } from '../../../src/main/app-services'
import { dispatch } from '../../../src/main/bridge'
import type { Attachment, LibraryChanged, MediaItem, MethodName, RescanResult } from '../../../src/shared/contract'
import { fromColumns, type LibraryPageColumns } from '../../../src/shared/library-columns'
import { nodePowers, type NodePowers } from '../../support/node-powers'
import { newImage, tempFolder } from './helpers'

const sink = { id: 1, send: () => {} }
let services: AppServices | null = null

afterEach(async () => {
  await services?.close()
  services = null
})

async function start(userDataDir = mkdtempSync(join(tmpdir(), 'skyport-library-app-'))): Promise<{ services: AppServices; powers: NodePowers; call: (name: MethodName, args?: unknown) => Promise<unknown> }> {
  const powers = nodePowers({ userDataDir })
  services = await createAppServices(powers)
  const running = services
  const call = async (name: MethodName, args?: unknown): Promise<unknown> => {
    const envelope = await dispatch(running.handlers, name, args, { sink })
    if (!envelope.ok) throw Object.assign(new Error(envelope.error.message), envelope.error)
    return envelope.result
  }
  return { services: running, powers, call }
}

describe('the library in the app', () => {
  it('answers the bridge: query, get, star, trash and undo, with library.changed broadcast to every window', async () => {
    const { services, call } = await start()
    await services.libraryCheck
    const events: LibraryChanged[] = []
    services.onBroadcast((event, payload) => {
      if (event === 'library.changed') events.push(payload as LibraryChanged)
    })
    const item = await services.library.addImage(await newImage({ settings: { prompt: 'A paper boat on a puddle', model: 'flux-3d' } }))
    // The app's version goes into the file.
    expect(readFileSync(join(services.powers.userDataDir, 'media', item.path)).toString('latin1')).toContain('Version: Skyport 0.0.0-test')

    // The cards cross the bridge as columns.
    const page = fromColumns((await call('library.query', { search: 'paper boat', kinds: ['image'] })) as LibraryPageColumns)
    expect(page).toMatchObject({ total: 1, models: ['flux-3d'], cards: [{ id: item.id, title: 'A paper boat on a puddle', url: `/media/${item.path}` }] })
    expect(page.cards).toEqual([services.library.query({}).cards[0]])
    expect(await call('library.query', null)).toMatchObject({ total: 1 })
    expect(await call('library.star', { ids: [item.id], starred: true })).toEqual({ updated: 1 })
    expect(((await call('library.get', { id: item.id })) as MediaItem).starred).toBe(true)
    expect(await call('library.trash', { ids: [item.id] })).toEqual({ count: 1 })
    expect(await call('library.query', {})).toMatchObject({ total: 0 })
    expect(await call('library.restore', { ids: [item.id] })).toEqual({ count: 1 })
    expect(events).toEqual([
      { changed: [item.id], removed: [] },
      { changed: [item.id], removed: [] },
      { changed: [item.id], removed: [] },
      { changed: [item.id], removed: [] }
    ])
    // Unknown ids and bad arguments are clear errors.
    await expect(call('library.get', { id: 'nope' })).rejects.toMatchObject({ code: 'not_found' })
    await expect(call('library.query', { sort: 'sideways' })).rejects.toMatchObject({ code: 'invalid_argument' })
  })

  it('sends a library image to chat: attachments.fromLibrary makes a clean attachment of it', async () => {
    const { services, call } = await start()
    const item = await services.library.addImage({ ...(await newImage()), bytes: await sharp({ create: { width: 3000, height: 1000, channels: 3, background: '#0088ff' } }).png().toBuffer() })
    const attachment = (await call('attachments.fromLibrary', { mediaId: item.id })) as Attachment
    expect(attachment).toMatchObject({ kind: 'image', width: 2048, height: 683 })
    expect(attachment.url).toMatch(/^\/media\/attachments\/[0-9a-f-]+\.(png|jpg)$/)
    // Re-encoded: none of the library's text chunks travel with it.
    const stored = readFileSync(join(services.powers.userDataDir, 'media', attachment.url.slice('/media/'.length)))
    expect(stored.includes(Buffer.from('skyport'))).toBe(false)
    expect(stored.includes(Buffer.from('parameters'))).toBe(false)
    await expect(call('attachments.fromLibrary', { mediaId: 'nope' })).rejects.toMatchObject({ code: 'not_found' })
  })

  it('imports a folder and rescans through the bridge; the start-up check finds files changed while the app was closed', async () => {
    const userDataDir = mkdtempSync(join(tmpdir(), 'skyport-library-app-'))
    const first = await start(userDataDir)
    const folder = tempFolder()
    const { writeFileSync } = await import('node:fs')
    writeFileSync(join(folder, 'made-elsewhere.png'), await sharp({ create: { width: 20, height: 20, channels: 3, background: '#ff0000' } }).png().toBuffer())
    first.powers.dialogScript.folders.push(folder)
    expect(await first.call('library.importFolder')).toEqual({ path: folder, added: 1, skipped: 0, failed: 0 })
    const saved = await first.services.library.addImage(await newImage())
    expect(((await first.call('library.rescan')) as RescanResult)).toMatchObject({ added: 0, removed: 0, unchanged: 2 })
    await first.services.close()
    services = null

    // While the app is closed the database goes, and one file is deleted by hand.
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(userDataDir, DATABASE_FILE + suffix), { force: true })
    rmSync(join(userDataDir, 'media', saved.path))
    const second = await start(userDataDir)
    await second.services.libraryCheck
    const page = fromColumns((await second.call('library.query')) as LibraryPageColumns)
    expect(page.cards.map((card) => card.title)).toEqual(['made-elsewhere.png'])
  })
})
