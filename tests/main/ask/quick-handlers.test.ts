/**
 * The quick-ask window's bridge methods over the real handlers, with the
 * clipboard and the window control recorded: the clipboard is read only
 * when asked, Esc hides, "Open in Skyport" checks the conversation, hands a
 * running answer to every window and asks the shell to show it there.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createAppServices } from '../../../src/main/app-services'
import { nodePowers } from '../../support/node-powers'
import { fakePorts } from '../../support/desktop-fakes'

async function withServices(run: (services: Awaited<ReturnType<typeof createAppServices>>, powers: ReturnType<typeof nodePowers>) => Promise<void>): Promise<void> {
  const powers = nodePowers({ userDataDir: mkdtempSync(join(tmpdir(), 'skyport-quick-')) })
  const services = await createAppServices(powers)
  try {
    await run(services, powers)
  } finally {
    await services.close()
  }
}

const sink = { id: 1, send: () => {} }

describe('quick-ask bridge methods', () => {
  it('reads the clipboard only when asked, and at most a message long', async () => {
    await withServices(async (services, powers) => {
      powers.clipboard.text = 'x'.repeat(200_000)
      expect(powers.clipboard.reads).toBe(0)
      const { text } = await services.handlers['quick.clipboardText'](undefined, { sink })
      expect(text).toHaveLength(100_000)
      expect(powers.clipboard.reads).toBe(1)
    })
  })

  it('hides the window, and opens a conversation in the main window only when it exists', async () => {
    await withServices(async (services) => {
      const desktop = fakePorts({ tray: null, shortcuts: null, loginItems: null, shortcutEnvironment: 'none' })
      await services.desktop.attach(desktop)
      desktop.quickWindow.showAndFocus()
      await services.handlers['quick.hide'](undefined, { sink })
      expect(desktop.quickWindow.visible).toBe(false)
      const conversation = await services.handlers['conversations.create']({ quick: true }, { sink })
      expect(conversation.quick).toBe(true)
      await services.handlers['quick.openInMain']({ conversationId: conversation.id }, { sink })
      await expect(Promise.resolve().then(() => services.handlers['quick.openInMain']({ conversationId: 'gone' }, { sink }))).rejects.toMatchObject({ code: 'not_found' })
      expect(desktop.mainWindow.commands).toEqual([{ command: 'open-conversation', conversationId: conversation.id }])
      expect(desktop.mainWindow.shown).toBe(1)
    })
  })
})
