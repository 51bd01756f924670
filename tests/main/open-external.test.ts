/**
 * Which links leave the app: parseExternalUrl, and `app.openExternal` over
 * the real handlers with the OS call recorded.
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { createAppServices } from '../../src/main/app-services'
import { parseExternalUrl } from '../../src/main/handlers'
import { nodePowers } from '../support/node-powers'

describe('parseExternalUrl', () => {
  it.each([
    ['https://example.com/a?b=1', 'https://example.com/a?b=1'],
    ['http://example.org', 'http://example.org/'],
    ['mailto:someone@example.com', 'mailto:someone@example.com'],
    ['MAILTO:someone@example.com?subject=Hello there', 'mailto:someone@example.com?subject=Hello%20there']
  ])('lets %s out as %s', (raw, expected) => {
    expect(parseExternalUrl(raw)).toBe(expected)
  })

  it.each(['file:///etc/passwd', 'javascript:alert(1)', 'tel:+15551234', 'skyport://open', 'data:text/html,<b>x</b>', 'vbscript:msgbox', 'mailto'])(
    'refuses %s',
    (raw) => {
      expect(() => parseExternalUrl(raw)).toThrow(expect.objectContaining({ code: 'invalid_argument' }))
    }
  )

  it('says which links can be opened', () => {
    expect(() => parseExternalUrl('ftp://files.example')).toThrow('Only http, https and mailto links can be opened, not ftp:')
    expect(() => parseExternalUrl(42)).toThrow('A link must be text.')
  })
})

describe('app.openExternal', () => {
  it('hands mail links to the OS and keeps refusing other schemes', async () => {
    const powers = nodePowers({ userDataDir: mkdtempSync(join(tmpdir(), 'skyport-links-')) })
    const services = await createAppServices(powers)
    const sink = { id: 1, send: () => {} }
    try {
      await services.handlers['app.openExternal']({ url: 'mailto:help@api.example' }, { sink })
      await expect(Promise.resolve().then(() => services.handlers['app.openExternal']({ url: 'file:///etc/passwd' }, { sink }))).rejects.toMatchObject({
        code: 'invalid_argument'
      })
      expect(powers.opened).toEqual(['mailto:help@api.example'])
    } finally {
      await services.close()
    }
  })
})

describe('app.showInFolder and app.openDataFolder', () => {
  it('shows only files an export wrote this session, and opens the data folder', async () => {
    const userDataDir = mkdtempSync(join(tmpdir(), 'skyport-reveal-'))
    const powers = nodePowers({ userDataDir })
    const services = await createAppServices(powers)
    const sink = { id: 1, send: () => {} }
    const call = <R>(work: () => R | Promise<R>): Promise<R> => Promise.resolve().then(work)
    try {
      const conversation = services.chatStore.createConversation({ model: 'gpt-4o-mini', systemPrompt: '', params: {}, stream: true })
      services.chatStore.addMessage({ conversationId: conversation.id, parentId: null, role: 'user', content: 'Hello' })
      const file = join(userDataDir, 'hello.md')
      powers.dialogScript.save.push(file)
      const result = await services.handlers['conversations.export']({ id: conversation.id, format: 'markdown' }, { sink })
      expect(result.path).toBe(file)

      await expect(call(() => services.handlers['app.showInFolder']({ path: '/etc/passwd' }, { sink }))).rejects.toMatchObject({ code: 'invalid_argument' })
      await call(() => services.handlers['app.showInFolder']({ path: file }, { sink }))
      expect(powers.revealed).toEqual([file])

      await call(() => services.handlers['app.openDataFolder'](undefined, { sink }))
      expect(powers.openedPaths).toEqual([userDataDir])
    } finally {
      await services.close()
    }
  })
})

describe('attachments.saveCopy and attachments.copyImage', () => {
  it('saves a copy of an attached image where the person says, and puts it on the clipboard', async () => {
    const userDataDir = mkdtempSync(join(tmpdir(), 'skyport-attach-copy-'))
    const powers = nodePowers({ userDataDir })
    const services = await createAppServices(powers)
    const sink = { id: 1, send: () => {} }
    try {
      const png = await sharp({ create: { width: 8, height: 6, channels: 3, background: '#3366cc' } }).png().toBuffer()
      const attachment = await services.handlers['attachments.add']({ name: 'blue.png', mime: 'image/png', data: png.toString('base64') }, { sink })
      const target = join(userDataDir, 'copy.png')
      powers.dialogScript.save.push(target)
      expect(await services.handlers['attachments.saveCopy']({ id: attachment.id }, { sink })).toEqual({ path: target, count: 1 })
      expect((await sharp(readFileSync(target)).metadata()).width).toBe(8)
      // Cancelled: nothing written, nothing said.
      expect(await services.handlers['attachments.saveCopy']({ id: attachment.id }, { sink })).toEqual({ path: null, count: 0 })

      await services.handlers['attachments.copyImage']({ id: attachment.id }, { sink })
      expect(powers.copiedImages).toHaveLength(1)
      expect(readFileSync(powers.copiedImages[0]!)).toEqual(readFileSync(target))
      await expect(Promise.resolve().then(() => services.handlers['attachments.copyImage']({ id: 'f'.repeat(32) }, { sink }))).rejects.toMatchObject({ code: expect.stringMatching(/not_found|invalid_argument/) })
    } finally {
      await services.close()
    }
  })
})
