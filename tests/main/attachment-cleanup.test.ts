/**
 * Images of deleted conversations are removed at the next start; images
 * still referred to, and images attached in the running session, are not.
 * Real SQLite file, real files under a temporary media folder.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterEach, describe, expect, it } from 'vitest'
import { createAppServices, MEDIA_DIR, type AppServices } from '../../src/main/app-services'
import { AttachmentStore } from '../../src/main/services/attachments'
import type { Attachment } from '../../src/shared/contract'
import { nodePowers } from '../support/node-powers'

const folders: string[] = []
const running: AppServices[] = []

afterEach(async () => {
  for (const services of running.splice(0)) await services.close()
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true })
})

function tempFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'skyport-cleanup-'))
  folders.push(folder)
  return folder
}

async function start(userDataDir: string): Promise<AppServices> {
  const services = await createAppServices(nodePowers({ userDataDir }))
  running.push(services)
  return services
}

async function stop(services: AppServices): Promise<void> {
  running.splice(running.indexOf(services), 1)
  await services.close()
}

async function image(services: AppServices, colour: string): Promise<Attachment> {
  const data = await sharp({ create: { width: 8, height: 8, channels: 3, background: colour } }).png().toBuffer()
  return services.attachments.add({ name: `${colour}.png`, mime: 'image/png', data })
}

/** Every file in the attachments folder, as if written an hour ago (an earlier session). */
function ageFiles(folder: string): void {
  const hourAgo = new Date(Date.now() - 3_600_000)
  for (const name of readdirSync(folder)) utimesSync(join(folder, name), hourAgo, hourAgo)
}

const filesOf = (folder: string, attachment: Attachment): string[] => readdirSync(folder).filter((name) => name.startsWith(attachment.id)).sort()

describe('removing images nothing refers to', () => {
  it('at start removes the images of deleted conversations and never-sent ones, and keeps the rest', async () => {
    const userDataDir = tempFolder()
    const attachmentsDir = join(userDataDir, MEDIA_DIR, 'attachments')
    const settings = { model: 'gpt-4o-mini', systemPrompt: '', params: {}, stream: true }

    const first = await start(userDataDir)
    await first.housekeeping
    const kept = await image(first, 'red')
    const ofDeleted = await image(first, 'green')
    const neverSent = await image(first, 'blue')
    const keptIn = first.chatStore.createConversation(settings, 'Kept')
    first.chatStore.addMessage({ conversationId: keptIn.id, parentId: null, role: 'user', content: 'Look', attachments: [kept] })
    const deleted = first.chatStore.createConversation(settings, 'Deleted')
    first.chatStore.addMessage({ conversationId: deleted.id, parentId: null, role: 'user', content: 'Look too', attachments: [ofDeleted] })
    first.chatStore.trashConversation(deleted.id)
    await stop(first)
    ageFiles(attachmentsDir)
    // A crash left half a file behind, long ago.
    writeFileSync(join(attachmentsDir, `${kept.id}.png.0123abcd.tmp`), 'half an image')
    utimesSync(join(attachmentsDir, `${kept.id}.png.0123abcd.tmp`), new Date(0), new Date(0))
    // Written moments ago, as by an image attached just now: too recent to be judged.
    const justNow = '0b8e3c1a-5d2f-4c6e-9a7b-1c2d3e4f5a6b'
    writeFileSync(join(attachmentsDir, `${justNow}.png`), 'fresh')

    const second = await start(userDataDir)
    expect(await second.housekeeping).toBe(5)
    expect(filesOf(attachmentsDir, kept)).toEqual([`${kept.id}.json`, `${kept.id}.png`])
    expect(filesOf(attachmentsDir, ofDeleted)).toEqual([])
    expect(filesOf(attachmentsDir, neverSent)).toEqual([])
    expect(existsSync(join(attachmentsDir, `${justNow}.png`))).toBe(true)
    expect(await second.attachments.get(kept.id)).toEqual(kept)
    const shown = second.chatStore.getConversation(keptIn.id).messages[0]?.attachments
    expect(shown).toEqual([kept])
  })

  it('leaves images attached during the session alone, though no message refers to them yet', async () => {
    const dir = tempFolder()
    const store = new AttachmentStore({ mediaDir: dir })
    const startedAt = Date.now()
    const data = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#123456' } }).png().toBuffer()
    const unsent = await store.add({ name: 'draft.png', mime: 'image/png', data })
    let asked = 0
    const nothingUsed = async (): Promise<Set<string>> => {
      asked++
      return new Set()
    }
    expect(await store.removeUnreferenced(nothingUsed, startedAt)).toBe(0)
    // Nothing old enough to judge: the messages are not even read.
    expect(asked).toBe(0)
    expect(await store.get(unsent.id)).toEqual(unsent)
    // Files from before the start that nothing refers to do go; other files in the folder stay.
    ageFiles(join(dir, 'attachments'))
    writeFileSync(join(dir, 'attachments', 'notes.txt'), 'not ours')
    utimesSync(join(dir, 'attachments', 'notes.txt'), new Date(0), new Date(0))
    expect(await store.removeUnreferenced(nothingUsed, Date.now())).toBe(2)
    expect(asked).toBe(1)
    expect(readdirSync(join(dir, 'attachments'))).toEqual(['notes.txt'])
  })

  it('keeps a file an imported message names by its url under another id', async () => {
    const userDataDir = tempFolder()
    const services = await start(userDataDir)
    const stored = await image(services, 'purple')
    const conversation = services.chatStore.createConversation({ model: 'm', systemPrompt: '', params: {}, stream: true }, 'Imported')
    services.chatStore.addMessage({ conversationId: conversation.id, parentId: null, role: 'user', content: 'x', attachments: [{ ...stored, id: 'from-another-machine' }] })
    expect(await services.transfer.attachmentReferences()).toEqual(new Set(['from-another-machine', stored.id]))
  })
})
