import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Conversation } from '@shared/contract'
import { createStores, type AppStores } from '../../lib/state/stores'
import { OPEN_LAST_MESSAGES } from '../../lib/state/chat.svelte'
import {
  DAY,
  exchange,
  HOUR,
  installChatBackend,
  makeConversation,
  makeMessage,
  NOW,
  stubResizeObserver,
  type FakeChatBackend
} from './chat-fixtures'
import { FakeMediaBackend } from '../../test-support/fake-media'
import { makeSettingsState } from '../../test-support/fake-bridge'
import ChatView from './ChatView.svelte'

let backend: FakeChatBackend
let stores: AppStores
let restoreResizeObserver: () => void

beforeEach(() => {
  restoreResizeObserver = stubResizeObserver()
  // Favourite and recent models live in the window's storage.
  localStorage.clear()
})

afterEach(() => {
  restoreResizeObserver()
  vi.useRealTimers()
  vi.restoreAllMocks()
})

async function show(
  conversations: Conversation[] = [],
  options: { enterSends?: boolean; open?: string; noKey?: boolean; navigate?: (id: string) => void } = {}
): Promise<void> {
  backend = installChatBackend({ enterSends: options.enterSends ?? true })
  if (options.noKey) backend.bridge.state = makeSettingsState()
  backend.add(...conversations)
  stores = createStores()
  await stores.settings.load()
  render(ChatView, { props: { stores, ...(options.navigate ? { navigate: options.navigate } : {}) } })
  await waitFor(() => expect(stores.conversations.loaded).toBe(true))
  if (options.open) await openConversation(options.open)
}

async function openConversation(id: string): Promise<void> {
  const item = screen.getAllByTestId('conversation-item').find((element) => element.dataset.id === id)
  if (!item) throw new Error(`no conversation item ${id}`)
  await fireEvent.click(within(item).getByRole('button', { name: /^(?!More actions)/ }))
  await waitFor(() => expect(stores.chat.id).toBe(id))
}

const messages = (): HTMLElement[] => screen.queryAllByTestId('message')
const message = (id: string): HTMLElement => {
  const found = messages().find((element) => element.dataset.id === id)
  if (!found) throw new Error(`message ${id} is not shown`)
  return found
}
const composer = (): HTMLTextAreaElement => screen.getByTestId('composer-input') as HTMLTextAreaElement
const item = (id: string): HTMLElement => {
  const found = screen.queryAllByTestId('conversation-item').find((element) => element.dataset.id === id)
  if (!found) throw new Error(`conversation ${id} is not listed`)
  return found
}

async function type(text: string): Promise<void> {
  await fireEvent.input(composer(), { target: { value: text } })
}

async function openMenu(id: string): Promise<void> {
  await fireEvent.click(within(item(id)).getByTestId('conversation-menu'))
  await screen.findByRole('menu')
}

describe('ChatView: sending and streaming', () => {
  it('sends, shows both messages, streams deltas into the answer and takes the title at the end', async () => {
    await show([makeConversation({ id: 'c1', title: 'New chat' })], { open: 'c1' })
    expect(screen.getByTestId('view-chat')).toBeTruthy()
    expect(screen.getByTestId('empty-state')).toBeTruthy()
    const send = screen.getByTestId('send-button') as HTMLButtonElement
    expect(send.disabled).toBe(true)

    await type('What is **markdown**?')
    expect(send.disabled).toBe(false)
    await fireEvent.click(send)

    await waitFor(() => expect(messages()).toHaveLength(2))
    expect(composer().value).toBe('')
    const [user, assistant] = messages() as [HTMLElement, HTMLElement]
    expect(user.dataset.role).toBe('user')
    expect(within(user).getByTestId('message-content').textContent).toBe('What is **markdown**?')
    expect(assistant.dataset.role).toBe('assistant')
    expect(assistant.dataset.status).toBe('streaming')
    expect(screen.getByTestId('stop-button')).toBeTruthy()
    expect(screen.queryByTestId('send-button')).toBeNull()

    const requestId = backend.lastRequestId('chat.send')
    const answerId = assistant.dataset.id!
    backend.delta(requestId, answerId, 'It is a **light**')
    backend.delta(requestId, answerId, ' markup language.')
    await waitFor(() =>
      expect(within(message(answerId)).getByTestId('message-content').textContent).toContain('It is a light markup language.')
    )
    expect(message(answerId).querySelector('strong')?.textContent).toBe('light')

    backend.end(requestId, answerId, { content: 'It is a **light** markup language.' }, 'About markdown')
    await waitFor(() => expect(message(answerId).dataset.status).toBe('complete'))
    expect(screen.getByTestId('conversation-title').textContent).toBe('About markdown')
    expect(item('c1').textContent).toContain('About markdown')
    expect(screen.getByTestId('send-button')).toBeTruthy()
  })

  it('the Web switch sends the question to GlobalAsk (ask.send) and the answer streams the same way', async () => {
    await show([makeConversation({ id: 'c1' })], { open: 'c1' })
    const web = screen.getByTestId('web-switch')
    expect(web.getAttribute('aria-pressed')).toBe('false')
    await fireEvent.click(web)
    expect(web.getAttribute('aria-pressed')).toBe('true')
    await type('Latest news about comets?')
    await fireEvent.click(screen.getByTestId('send-button'))
    await waitFor(() => expect(messages()).toHaveLength(2))
    expect(backend.bridge.callsOf('ask.send')).toEqual([{ requestId: expect.any(String), conversationId: 'c1', content: 'Latest news about comets?' }])
    expect(backend.bridge.callsOf('chat.send')).toHaveLength(0)
    const requestId = backend.lastRequestId('ask.send')
    const answerId = messages()[1]!.dataset.id!
    backend.delta(requestId, answerId, 'A comet passed [1]\n\n**Sources**\n\n1. [example.org](<https://example.org/comet>)')
    await waitFor(() => expect(message(answerId).querySelector('a')?.textContent).toBe('example.org'))
    backend.end(requestId, answerId, { content: 'A comet passed [1]' })
    await waitFor(() => expect(message(answerId).dataset.status).toBe('complete'))

    // Switched off: the model answers again.
    await fireEvent.click(web)
    await type('Thanks')
    await fireEvent.click(screen.getByTestId('send-button'))
    await waitFor(() => expect(backend.bridge.callsOf('chat.send')).toHaveLength(1))
  })

  it('registers the stream listeners before chat.send is invoked', async () => {
    await show()
    await type('Hello')
    await fireEvent.click(screen.getByTestId('send-button'))
    await waitFor(() => expect(backend.listenersAtCall).toHaveLength(1))
    expect(backend.listenersAtCall[0]).toEqual({ method: 'chat.send', delta: 1, ended: 1 })
    // A new chat is saved on its first send.
    expect(backend.bridge.callsOf('conversations.create')).toHaveLength(1)
  })

  it('Stop aborts the request and the stopped answer shows the Stopped badge', async () => {
    await show([makeConversation({ id: 'c1' })], { open: 'c1' })
    await type('Write a long essay')
    await fireEvent.click(screen.getByTestId('send-button'))
    await screen.findByTestId('stop-button')
    const requestId = backend.lastRequestId('chat.send')

    await fireEvent.click(screen.getByTestId('stop-button'))
    expect(backend.bridge.callsOf('stream.abort')).toEqual([{ requestId }])

    const answerId = backend.lastAssistant('c1').id
    backend.end(requestId, answerId, { content: 'Once upon', status: 'incomplete', finishReason: null })
    await waitFor(() => expect(message(answerId).dataset.status).toBe('incomplete'))
    expect(within(message(answerId)).getByTestId('stopped-badge').textContent).toBe('Stopped')
    expect(within(message(answerId)).getByTestId('message-content').textContent).toContain('Once upon')
  })

  it('an answer cut short by the connection says so instead of Stopped', async () => {
    const cut = makeMessage({
      id: 'c1-a1',
      role: 'assistant',
      content: 'The first half',
      status: 'incomplete',
      finishReason: null,
      error: { code: 'network', message: 'The connection ended before the answer finished.' }
    })
    await show([makeConversation({ id: 'c1', messages: [exchange('c1', 1)[0]!, cut] })], { open: 'c1' })
    expect(within(message('c1-a1')).getByTestId('stopped-badge').textContent).toBe('The connection ended before the answer finished.')
    expect(within(message('c1-a1')).getByTestId('message-content').textContent).toContain('The first half')
  })

  it('shows a failed answer with its error code and wait time, and Retry regenerates it', async () => {
    const failed = makeMessage({
      id: 'c1-a1',
      role: 'assistant',
      status: 'error',
      error: { code: 'rate_limited', message: 'Rate limit exceeded (1 request(s) per minute).', status: 429, retryAfterMs: 56_000 }
    })
    await show([makeConversation({ id: 'c1', messages: [exchange('c1', 1)[0]!, failed] })], { open: 'c1' })
    const notice = within(message('c1-a1')).getByTestId('error-notice')
    expect(notice.dataset.code).toBe('rate_limited')
    // The wait ended long ago: no countdown is left.
    expect(within(notice).queryByTestId('retry-countdown')).toBeNull()
    expect(notice.textContent).toContain('1 request(s) per minute')

    await fireEvent.click(within(message('c1-a1')).getByTestId('retry'))
    await waitFor(() => expect(backend.bridge.callsOf('chat.regenerate')).toHaveLength(1))
    expect(backend.bridge.callsOf('chat.regenerate')[0]).toEqual({ requestId: expect.any(String), messageId: 'c1-a1' })
    await waitFor(() => expect(messages().at(-1)?.dataset.status).toBe('streaming'))
    expect(screen.queryByTestId('error-notice')).toBeNull()
  })

  it('shows an error from invoking under the thread and keeps the typed text', async () => {
    await show([makeConversation({ id: 'c1' })], { open: 'c1' })
    backend.bridge.fail('chat.send', { code: 'invalid_argument', message: 'One message exceeds the 1000 chars limit' })
    await type('x'.repeat(1200))
    await fireEvent.click(screen.getByTestId('send-button'))
    const notice = await screen.findByTestId('error-notice')
    expect(notice.dataset.code).toBe('invalid_argument')
    expect(composer().value).toHaveLength(1200)
    expect(screen.getByTestId('send-button')).toBeTruthy()
  })

  it('renders reasoning apart in a collapsed details and the answer as markdown', async () => {
    const answer = makeMessage({ id: 'c1-a1', role: 'assistant', reasoning: 'The user wants a list.', content: '- one\n- two' })
    await show([makeConversation({ id: 'c1', messages: [exchange('c1', 1)[0]!, answer] })], { open: 'c1' })
    const reasoning = within(message('c1-a1')).getByTestId('reasoning') as HTMLDetailsElement
    expect(reasoning.tagName).toBe('DETAILS')
    expect(reasoning.open).toBe(false)
    expect(reasoning.textContent).toContain('Reasoning')
    expect(reasoning.textContent).toContain('The user wants a list.')
    const content = within(message('c1-a1')).getByTestId('message-content')
    expect(content.querySelectorAll('li')).toHaveLength(2)
    expect(content.textContent).not.toContain('The user wants a list.')
  })

  it('copies the raw text of a message', async () => {
    const writeText = vi.spyOn(navigator.clipboard, 'writeText').mockResolvedValue()
    const answer = makeMessage({ id: 'c1-a1', role: 'assistant', content: 'Some **bold** text' })
    await show([makeConversation({ id: 'c1', messages: [exchange('c1', 1)[0]!, answer] })], { open: 'c1' })
    await fireEvent.click(within(message('c1-a1')).getByTestId('copy-message'))
    expect(writeText).toHaveBeenCalledWith('Some **bold** text')
  })
})

describe('ChatView: versions and editing', () => {
  it('regenerate asks for a new version and the switcher moves between versions', async () => {
    const versioned = makeMessage({
      id: 'c1-a1b',
      role: 'assistant',
      content: 'Second answer',
      parentId: 'c1-u1',
      versionIds: ['c1-a1', 'c1-a1b'],
      versionIndex: 1
    })
    await show([makeConversation({ id: 'c1', messages: [exchange('c1', 1)[0]!, versioned] })], { open: 'c1' })
    expect(within(message('c1-a1b')).getByTestId('version-label').textContent).toBe('2 / 2')

    await fireEvent.click(within(message('c1-a1b')).getByTestId('regenerate'))
    await waitFor(() => expect(backend.bridge.callsOf('chat.regenerate')).toEqual([{ requestId: expect.any(String), messageId: 'c1-a1b' }]))
    await waitFor(() => expect(messages()).toHaveLength(2))
    const fresh = messages()[1]!
    expect(fresh.dataset.id).not.toBe('c1-a1b')
    const requestId = backend.lastRequestId('chat.regenerate')
    backend.end(requestId, fresh.dataset.id!, { content: 'Third answer' })
    await waitFor(() => expect(within(message(fresh.dataset.id!)).getByTestId('version-label').textContent).toBe('3 / 3'))

    // Back one version: main answers with the thread holding that version.
    backend.versions.set(
      'c1-a1b',
      makeConversation({
        id: 'c1',
        messages: [exchange('c1', 1)[0]!, { ...versioned, versionIds: ['c1-a1', 'c1-a1b', fresh.dataset.id!] }]
      })
    )
    await fireEvent.click(within(message(fresh.dataset.id!)).getByTestId('version-prev'))
    expect(backend.bridge.callsOf('chat.switchVersion')).toEqual([{ messageId: 'c1-a1b' }])
    await waitFor(() => expect(within(message('c1-a1b')).getByTestId('version-label').textContent).toBe('2 / 3'))
    expect(within(message('c1-a1b')).getByTestId('message-content').textContent).toContain('Second answer')

    backend.versions.set('c1-a1', makeConversation({ id: 'c1', messages: exchange('c1', 1) }))
    await fireEvent.click(within(message('c1-a1b')).getByTestId('version-next'))
    expect(backend.bridge.callsOf('chat.switchVersion').at(-1)).toEqual({ messageId: fresh.dataset.id })
  })

  it('edits a user message inline and answers it anew', async () => {
    await show([makeConversation({ id: 'c1', messages: [...exchange('c1', 1), ...exchange('c1', 2)] })], { open: 'c1' })
    await fireEvent.click(within(message('c1-u1')).getByTestId('edit-message'))
    const input = within(message('c1-u1')).getByTestId('edit-input') as HTMLTextAreaElement
    expect(input.value).toBe('Question 1')

    // Cancel leaves it as it was.
    await fireEvent.keyDown(input, { key: 'Escape' })
    expect(within(message('c1-u1')).queryByTestId('edit-input')).toBeNull()

    await fireEvent.click(within(message('c1-u1')).getByTestId('edit-message'))
    await fireEvent.input(within(message('c1-u1')).getByTestId('edit-input'), { target: { value: 'Question one, clearer' } })
    await fireEvent.click(within(message('c1-u1')).getByTestId('edit-save'))
    await waitFor(() =>
      expect(backend.bridge.callsOf('chat.edit')).toEqual([
        { requestId: expect.any(String), messageId: 'c1-u1', content: 'Question one, clearer' }
      ])
    )
    await waitFor(() => expect(messages()).toHaveLength(2))
    const [user, answer] = messages() as [HTMLElement, HTMLElement]
    expect(within(user).getByTestId('message-content').textContent).toBe('Question one, clearer')
    expect(within(user).getByTestId('version-label').textContent).toBe('2 / 2')
    expect(answer.dataset.status).toBe('streaming')
  })
})

describe('ChatView: composer keys', () => {
  it('Enter sends, Shift+Enter and IME composition do not', async () => {
    await show([makeConversation({ id: 'c1' })], { open: 'c1' })
    expect(screen.getByText(/Enter to send · Shift\+Enter for a new line/)).toBeTruthy()
    await type('line one')
    expect(await fireEvent.keyDown(composer(), { key: 'Enter', shiftKey: true })).toBe(true) // not prevented: a new line
    await fireEvent.keyDown(composer(), { key: 'Enter', isComposing: true })
    expect(backend.bridge.callsOf('chat.send')).toHaveLength(0)
    await fireEvent.keyDown(composer(), { key: 'Enter' })
    await waitFor(() => expect(backend.bridge.callsOf('chat.send')).toHaveLength(1))
    expect(backend.bridge.callsOf('chat.send')[0]?.content).toBe('line one')
  })

  it('with enterSends off, Enter adds a line and Ctrl+Enter sends', async () => {
    await show([makeConversation({ id: 'c1' })], { enterSends: false, open: 'c1' })
    expect(screen.getByText(/Ctrl\+Enter to send · Enter for a new line/)).toBeTruthy()
    await type('draft')
    expect(await fireEvent.keyDown(composer(), { key: 'Enter' })).toBe(true)
    expect(backend.bridge.callsOf('chat.send')).toHaveLength(0)
    await fireEvent.keyDown(composer(), { key: 'Enter', ctrlKey: true })
    await waitFor(() => expect(backend.bridge.callsOf('chat.send')).toHaveLength(1))
  })

  it('does not send while an answer streams', async () => {
    await show([makeConversation({ id: 'c1' })], { open: 'c1' })
    await type('first')
    await fireEvent.keyDown(composer(), { key: 'Enter' })
    await screen.findByTestId('stop-button')
    await type('second')
    await fireEvent.keyDown(composer(), { key: 'Enter' })
    expect(backend.bridge.callsOf('chat.send')).toHaveLength(1)
    expect(composer().value).toBe('second')
  })
})

describe('ChatView: sidebar', () => {
  it('groups conversations by date', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(NOW)
    await show([
      makeConversation({ id: 'today', title: 'Today chat', updatedAt: NOW - HOUR }),
      makeConversation({ id: 'yesterday', title: 'Yesterday chat', updatedAt: NOW - DAY }),
      makeConversation({ id: 'week', title: 'Week chat', updatedAt: NOW - 4 * DAY }),
      makeConversation({ id: 'month', title: 'Month chat', updatedAt: NOW - 12 * DAY }),
      makeConversation({ id: 'old', title: 'Old chat', updatedAt: new Date(2024, 10, 3).getTime() }),
      makeConversation({ id: 'pinned', title: 'Pinned chat', pinned: true, updatedAt: NOW - 90 * DAY })
    ])
    const sections = [...document.querySelectorAll('section.group')]
    const layout = sections.map((section) => [
      section.querySelector('h3')?.textContent,
      [...section.querySelectorAll<HTMLElement>('[data-testid="conversation-item"]')].map((element) => element.dataset.id)
    ])
    expect(layout.slice(0, 5)).toEqual([
      ['Pinned', ['pinned']],
      ['Today', ['today']],
      ['Yesterday', ['yesterday']],
      ['Previous 7 days', ['week']],
      ['Previous 30 days', ['month']]
    ])
    expect(layout[5]?.[0]).toMatch(/November.*2024/)
    expect(layout[5]?.[1]).toEqual(['old'])
  })

  it('renames inline from the menu', async () => {
    await show([makeConversation({ id: 'c1', title: 'Old title' })])
    await openMenu('c1')
    await fireEvent.click(screen.getByTestId('rename-conversation'))
    const input = screen.getByTestId('rename-input') as HTMLInputElement
    expect(input.value).toBe('Old title')
    await fireEvent.input(input, { target: { value: 'Trip to Kyoto' } })
    await fireEvent.keyDown(input, { key: 'Enter' })
    await waitFor(() => expect(item('c1').textContent).toContain('Trip to Kyoto'))
    expect(backend.bridge.callsOf('conversations.rename')).toEqual([{ id: 'c1', title: 'Trip to Kyoto' }])
    expect(screen.queryByTestId('rename-input')).toBeNull()
  })

  it('opens the menu with a right-click and pins to the Pinned group', async () => {
    await show([makeConversation({ id: 'c1', title: 'Keep me' }), makeConversation({ id: 'c2', title: 'Other' })])
    await fireEvent.contextMenu(item('c1'))
    const pin = await screen.findByTestId('pin-conversation')
    expect(pin.textContent).toContain('Pin')
    await fireEvent.click(pin)
    await waitFor(() => expect(document.querySelector('section.group h3')?.textContent).toBe('Pinned'))
    expect(backend.bridge.callsOf('conversations.pin')).toEqual([{ id: 'c1', pinned: true }])
    await openMenu('c1')
    expect(screen.getByTestId('pin-conversation').textContent).toContain('Unpin')
  })

  it('deletes with an undo toast that restores it', async () => {
    await show([makeConversation({ id: 'c1', title: 'Doomed' }), makeConversation({ id: 'c2', title: 'Other' })], { open: 'c1' })
    await openMenu('c1')
    await fireEvent.click(screen.getByTestId('delete-conversation'))
    await waitFor(() => expect(screen.queryAllByTestId('conversation-item').map((e) => e.dataset.id)).toEqual(['c2']))
    expect(stores.chat.id).toBeNull() // the open conversation closed
    const toast = screen.getByTestId('toast')
    expect(toast.textContent).toContain('Deleted “Doomed”')
    await fireEvent.click(within(toast).getByTestId('undo-delete'))
    await waitFor(() => expect(screen.queryAllByTestId('conversation-item')).toHaveLength(2))
    expect(backend.bridge.callsOf('conversations.restore')).toEqual([{ id: 'c1' }])
    expect(screen.queryByTestId('toast')).toBeNull()
  })

  it('the undo toast goes away after about 8 seconds', async () => {
    await show([makeConversation({ id: 'c1', title: 'Doomed' })])
    vi.useFakeTimers()
    await openMenu('c1')
    await fireEvent.click(screen.getByTestId('delete-conversation'))
    await vi.advanceTimersByTimeAsync(10)
    expect(screen.getByTestId('undo-delete')).toBeTruthy()
    await vi.advanceTimersByTimeAsync(7_000)
    expect(screen.getByTestId('undo-delete')).toBeTruthy()
    await vi.advanceTimersByTimeAsync(1_100)
    expect(screen.queryByTestId('undo-delete')).toBeNull()
  })

  it('exports one conversation, exports all and imports, with the result in a toast', async () => {
    await show([makeConversation({ id: 'c1', title: 'Notes' })])
    await openMenu('c1')
    await fireEvent.click(screen.getByTestId('export-markdown'))
    await waitFor(() => expect(screen.getByTestId('toast').textContent).toContain('Saved to /home/me/c1.md'))
    expect(backend.bridge.callsOf('conversations.export')).toEqual([{ id: 'c1', format: 'markdown' }])
    backend.bridge.respond('app.showInFolder', undefined)
    await fireEvent.click(within(screen.getByTestId('toast')).getByTestId('show-in-folder'))
    await waitFor(() => expect(backend.bridge.callsOf('app.showInFolder')).toEqual([{ path: '/home/me/c1.md' }]))

    await openMenu('c1')
    await fireEvent.click(screen.getByTestId('export-json'))
    await waitFor(() => expect(backend.bridge.callsOf('conversations.export').at(-1)).toEqual({ id: 'c1', format: 'json' }))

    await fireEvent.click(screen.getByTestId('export-all'))
    await waitFor(() =>
      expect(screen.getAllByTestId('toast').some((t) => t.textContent?.includes('Saved to /home/me/skyport-export.json'))).toBe(true)
    )

    stores.toasts.clear()
    await fireEvent.click(screen.getByTestId('import-conversations'))
    await waitFor(() => expect(screen.getByTestId('toast').textContent).toContain('Imported 3 conversations (41 messages)'))

    // Cancelled dialogs say nothing.
    stores.toasts.clear()
    backend.bridge.respond('conversations.exportAll', { path: null, count: 0 })
    backend.bridge.respond('conversations.import', { path: null, conversations: 0, messages: 0, skipped: 0 })
    await fireEvent.click(screen.getByTestId('export-all'))
    await fireEvent.click(screen.getByTestId('import-conversations'))
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(screen.queryByTestId('toast')).toBeNull()
  })

  it('shows the progress of an import under the list, and says how many were skipped', async () => {
    await show([makeConversation({ id: 'c1', title: 'Notes' })])
    let finish: () => void = () => undefined
    backend.bridge.reply(
      'conversations.import',
      () => new Promise((resolve) => (finish = () => resolve({ ok: true, result: { path: '/home/me/all.json', conversations: 3, messages: 12, skipped: 4 } })))
    )
    await fireEvent.click(screen.getByTestId('import-conversations'))
    await waitFor(() => expect(backend.bridge.callsOf('conversations.import')).toHaveLength(1))
    backend.bridge.emit('transfer.progress', { operation: 'import', phase: 'checking', done: 30, total: 120 })
    const bar = await screen.findByTestId('transfer-progress')
    expect(bar.getAttribute('role')).toBe('progressbar')
    expect(bar.getAttribute('aria-valuenow')).toBe('25')
    expect(bar.textContent).toContain('Checking the file…')
    expect((screen.getByTestId('import-conversations') as HTMLButtonElement).disabled).toBe(true)
    expect((screen.getByTestId('export-all') as HTMLButtonElement).disabled).toBe(true)
    backend.bridge.emit('transfer.progress', { operation: 'import', phase: 'importing', done: 5, total: 7 })
    await waitFor(() => expect(screen.getByTestId('transfer-progress').textContent).toContain('Importing 5 of 7 conversations'))
    finish()
    await waitFor(() => expect(screen.getByTestId('toast').textContent).toContain('Imported 3 conversations (12 messages); 4 were already here and were skipped'))
    expect(screen.queryByTestId('transfer-progress')).toBeNull()
    expect((screen.getByTestId('import-conversations') as HTMLButtonElement).disabled).toBe(false)
  })

  it('search shows highlighted hits and opens the conversation at the hit, switching version when needed', async () => {
    const thread = makeConversation({ id: 'c2', title: 'Japan trip', messages: exchange('c2', 1, 'Plan a week in Kyoto') })
    await show([makeConversation({ id: 'c1', title: 'Other' }), thread])
    backend.hits = [
      {
        conversationId: 'c2',
        conversationTitle: 'Japan trip',
        messageId: 'c2-u1',
        role: 'user',
        snippet: [
          { text: 'Plan a week in ', match: false },
          { text: 'Kyoto', match: true }
        ],
        createdAt: NOW
      },
      {
        conversationId: 'c2',
        conversationTitle: 'Japan trip',
        messageId: 'c2-a1-old',
        role: 'assistant',
        snippet: [
          { text: '<b>Kyoto</b>', match: true },
          { text: ' has temples', match: false }
        ],
        createdAt: NOW
      }
    ]
    backend.hits.splice(1, 0, {
      conversationId: 'c1',
      conversationTitle: 'Other',
      messageId: 'c1-u9',
      role: 'user',
      snippet: [{ text: 'Kyoto', match: true }],
      createdAt: NOW
    })
    await fireEvent.input(screen.getByTestId('conversation-search'), { target: { value: 'kyoto' } })
    await waitFor(() => expect(screen.getAllByTestId('search-hit')).toHaveLength(3))
    expect(backend.bridge.callsOf('conversations.search')).toEqual([{ query: 'kyoto', limit: 50 }])
    // Grouped by conversation, each with its count, in the order of its best hit.
    const groups = screen.getAllByTestId('search-group')
    expect(groups.map((group) => group.dataset.conversationId)).toEqual(['c2', 'c1'])
    expect(groups.map((group) => within(group).getByTestId('search-group-count').textContent)).toEqual(['2', '1'])
    expect(groups[0]?.textContent).toContain('Japan trip')
    expect(screen.getByText(/3 results in 2 conversations/)).toBeTruthy()
    const [first, second] = within(groups[0]!).getAllByTestId('search-hit') as [HTMLElement, HTMLElement]
    expect(first.dataset.conversationId).toBe('c2')
    expect(first.dataset.messageId).toBe('c2-u1')
    expect(first.textContent).toContain('You')
    expect([...first.querySelectorAll('mark')].map((mark) => mark.textContent)).toEqual(['Kyoto'])
    // Snippet text is text, never HTML.
    expect(second.querySelector('b')).toBeNull()
    expect(second.querySelector('mark')?.textContent).toBe('<b>Kyoto</b>')

    await fireEvent.click(first)
    await waitFor(() => expect(stores.chat.id).toBe('c2'))
    await waitFor(() => expect(message('c2-u1').className).toContain('highlighted'))
    expect(backend.bridge.callsOf('chat.switchVersion')).toHaveLength(0)

    backend.versions.set(
      'c2-a1-old',
      makeConversation({
        id: 'c2',
        messages: [exchange('c2', 1, 'Plan a week in Kyoto')[0]!, makeMessage({ id: 'c2-a1-old', role: 'assistant', content: 'Kyoto has temples' })]
      })
    )
    await fireEvent.click(second)
    await waitFor(() => expect(backend.bridge.callsOf('chat.switchVersion')).toEqual([{ messageId: 'c2-a1-old' }]))
    await waitFor(() => expect(message('c2-a1-old').className).toContain('highlighted'))
  })
})

describe('ChatView: header, settings drawer and presets', () => {
  it('changes the model from a searchable picker with capability badges, favourites and recent first', async () => {
    const navigate = vi.fn()
    await show([makeConversation({ id: 'c1' })], { open: 'c1', navigate })
    const picker = screen.getByTestId('model-picker')
    expect(picker.dataset.model).toBe('gpt-4o-mini')
    await waitFor(() => expect(stores.models.loaded).toBe(true))
    await fireEvent.click(picker)
    const ids = (): string[] => screen.getAllByTestId('model-option').map((option) => option.dataset.id ?? '')
    expect(ids()).toEqual(['gpt-4o-mini', 'claude-3-haiku', 'llama-3.1-70b-chat'])
    const option = (id: string): HTMLElement => screen.getAllByTestId('model-option').find((element) => element.dataset.id === id)!
    const badges = (id: string): string[] => [...option(id).querySelectorAll<HTMLElement>('[data-badge]')].map((badge) => badge.dataset.badge ?? '')
    expect(badges('claude-3-haiku')).toEqual(['chat', 'vision'])
    expect(badges('llama-3.1-70b-chat')).toEqual(['chat'])

    // Search narrows the list; choosing saves and makes it recent.
    await fireEvent.input(screen.getByTestId('model-search'), { target: { value: 'llama' } })
    expect(ids()).toEqual(['llama-3.1-70b-chat', 'llama'])
    await fireEvent.click(within(option('llama-3.1-70b-chat')).getAllByRole('button')[0]!)
    await waitFor(() => expect(backend.bridge.callsOf('conversations.updateSettings')).toEqual([{ id: 'c1', settings: { model: 'llama-3.1-70b-chat' } }]))
    await waitFor(() => expect(screen.getByTestId('model-picker').dataset.model).toBe('llama-3.1-70b-chat'))

    // A favourite comes first, then the recent ones.
    await fireEvent.click(screen.getByTestId('model-picker'))
    await fireEvent.click(within(option('claude-3-haiku')).getByTestId('model-favourite'))
    expect(ids()).toEqual(['claude-3-haiku', 'llama-3.1-70b-chat', 'gpt-4o-mini'])
    expect(screen.getAllByRole('presentation').map((section) => section.textContent)).toEqual(['Favourites', 'Recent', 'All models'])

    // An id the server does not list is marked before anything is sent.
    await fireEvent.input(screen.getByTestId('model-search'), { target: { value: 'my-local-model' } })
    expect(within(option('my-local-model')).getByTestId('model-not-listed').textContent).toContain('The server does not list it')
    await fireEvent.keyDown(screen.getByTestId('model-search'), { key: 'Enter' })
    await waitFor(() => expect(backend.bridge.callsOf('conversations.updateSettings').at(-1)).toEqual({ id: 'c1', settings: { model: 'my-local-model' } }))
    expect((await screen.findByTestId('model-unlisted')).textContent).toContain('not listed')

    // An image model is not saved for a chat: the studio is offered instead.
    await fireEvent.click(screen.getByTestId('model-picker'))
    await fireEvent.input(screen.getByTestId('model-search'), { target: { value: 'flux' } })
    await fireEvent.keyDown(screen.getByTestId('model-search'), { key: 'Enter' })
    expect(screen.getByTestId('image-model-offer').textContent).toContain('makes images')
    await fireEvent.click(screen.getByTestId('open-image-studio'))
    expect(navigate).toHaveBeenCalledWith('studio')
    expect(stores.studio.model).toBe('flux')
    expect(backend.bridge.callsOf('conversations.updateSettings').at(-1)).toEqual({ id: 'c1', settings: { model: 'my-local-model' } })
  })

  it('saves parameters and refuses out-of-range values', async () => {
    await show([makeConversation({ id: 'c1', settings: { params: { top_k: 40 } } })], { open: 'c1' })
    await fireEvent.click(screen.getByTestId('conversation-settings'))
    const temperature = screen.getByTestId('param-temperature') as HTMLInputElement
    await fireEvent.input(temperature, { target: { value: '3' } })
    await fireEvent.change(temperature)
    const notice = await screen.findByTestId('error-notice')
    expect(notice.dataset.code).toBe('invalid_argument')
    expect(notice.textContent).toContain('0 to 2')
    expect(temperature.getAttribute('aria-invalid')).toBe('true')
    expect(backend.bridge.callsOf('conversations.updateSettings')).toHaveLength(0)

    await fireEvent.input(temperature, { target: { value: '0.7' } })
    await fireEvent.change(temperature)
    await waitFor(() =>
      expect(backend.bridge.callsOf('conversations.updateSettings')).toEqual([
        { id: 'c1', settings: { params: { top_k: 40, temperature: 0.7 } } }
      ])
    )
    expect(screen.queryByTestId('error-notice')).toBeNull()

    const topK = screen.getByTestId('param-top-k') as HTMLInputElement
    expect(topK.value).toBe('40')
    await fireEvent.input(topK, { target: { value: '0' } }) // 0 = off
    await fireEvent.change(topK)
    await waitFor(() =>
      expect(backend.bridge.callsOf('conversations.updateSettings').at(-1)).toEqual({ id: 'c1', settings: { params: { temperature: 0.7 } } })
    )

    const maxTokens = screen.getByTestId('param-max-tokens') as HTMLInputElement
    await fireEvent.input(maxTokens, { target: { value: '1024' } })
    await fireEvent.change(maxTokens)
    await waitFor(() => expect(stores.chat.settings.params).toEqual({ temperature: 0.7, max_tokens: 1024 }))

    const topP = screen.getByTestId('param-top-p') as HTMLInputElement
    await fireEvent.input(topP, { target: { value: '1.2' } })
    await fireEvent.change(topP)
    expect((await screen.findByTestId('error-notice')).textContent).toContain('0 to 1')

    const prompt = screen.getByTestId('system-prompt') as HTMLTextAreaElement
    await fireEvent.input(prompt, { target: { value: 'You are a pirate.' } })
    await fireEvent.change(prompt)
    await waitFor(() => expect(stores.chat.settings.systemPrompt).toBe('You are a pirate.'))

    await fireEvent.click(screen.getByTestId('param-stream'))
    await waitFor(() => expect(backend.bridge.callsOf('conversations.updateSettings').at(-1)).toEqual({ id: 'c1', settings: { stream: false } }))
  })

  it('applies a preset and saves the current settings as a new one', async () => {
    await show([makeConversation({ id: 'c1' })], { open: 'c1' })
    backend.presets = [
      { id: 'p1', name: 'Reviewer', systemPrompt: 'Review code strictly.', params: { temperature: 0.2 }, model: 'claude-3-haiku', createdAt: NOW }
    ]
    await stores.presets.load()
    await fireEvent.click(screen.getByTestId('conversation-settings'))
    const select = screen.getByTestId('preset-select') as HTMLSelectElement
    await fireEvent.change(select, { target: { value: 'p1' } })
    await waitFor(() =>
      expect(backend.bridge.callsOf('conversations.updateSettings')).toEqual([
        { id: 'c1', settings: { systemPrompt: 'Review code strictly.', params: { temperature: 0.2 }, model: 'claude-3-haiku' } }
      ])
    )
    await waitFor(() => expect((screen.getByTestId('system-prompt') as HTMLTextAreaElement).value).toBe('Review code strictly.'))
    expect((screen.getByTestId('param-temperature') as HTMLInputElement).value).toBe('0.2')
    expect(screen.getByTestId('model-picker').dataset.model).toBe('claude-3-haiku')

    await fireEvent.click(screen.getByTestId('preset-save'))
    const name = screen.getByTestId('preset-name') as HTMLInputElement
    await fireEvent.input(name, { target: { value: 'Strict reviewer' } })
    await fireEvent.keyDown(name, { key: 'Enter' })
    await waitFor(() =>
      expect(backend.bridge.callsOf('presets.save')).toEqual([
        { name: 'Strict reviewer', systemPrompt: 'Review code strictly.', params: { temperature: 0.2 }, model: 'claude-3-haiku' }
      ])
    )
    await waitFor(() => expect([...select.options].map((option) => option.textContent)).toContain('Strict reviewer'))

    await fireEvent.click(screen.getByTestId('preset-delete'))
    await waitFor(() => expect(backend.bridge.callsOf('presets.delete')).toHaveLength(1))
  })
})

describe('ChatView: attachments', () => {
  it('attaches picked and pasted images, removes one, and sends the ids', async () => {
    await show([makeConversation({ id: 'c1' })], { open: 'c1' })
    await fireEvent.click(screen.getByTestId('attach-button'))
    await waitFor(() => expect(screen.getAllByTestId('attachment-thumb')).toHaveLength(1))

    const clipboard = new DataTransfer()
    clipboard.items.add(new File([new Uint8Array([137, 80, 78, 71])], 'shot.png', { type: 'image/png' }))
    const paste = new ClipboardEvent('paste', { clipboardData: clipboard, bubbles: true, cancelable: true })
    composer().dispatchEvent(paste)
    expect(paste.defaultPrevented).toBe(true)
    await waitFor(() => expect(screen.getAllByTestId('attachment-thumb')).toHaveLength(2))
    expect(backend.bridge.callsOf('attachments.add')).toEqual([{ name: 'shot.png', mime: 'image/png', data: 'iVBORw==' }])

    const thumbs = screen.getAllByTestId('attachment-thumb')
    await fireEvent.click(within(thumbs[0]!).getByTestId('attachment-remove'))
    expect(screen.getAllByTestId('attachment-thumb')).toHaveLength(1)

    await type('What is in this picture?')
    await fireEvent.click(screen.getByTestId('send-button'))
    await waitFor(() => expect(backend.bridge.callsOf('chat.send')).toHaveLength(1))
    const sent = backend.bridge.callsOf('chat.send')[0]!
    expect(sent.attachmentIds).toHaveLength(1)
    expect(sent.attachmentIds?.[0]).toMatch(/^added-/)
    expect(screen.queryAllByTestId('attachment-thumb')).toHaveLength(0)
    await waitFor(() => expect(messages()[0]?.querySelector('img')?.getAttribute('src')).toMatch(/^\/media\/attachments\//))
  })

  it('attaches dropped image files', async () => {
    await show([makeConversation({ id: 'c1' })], { open: 'c1' })
    const files = new DataTransfer()
    files.items.add(new File([new Uint8Array([1, 2, 3])], 'dropped.jpg', { type: 'image/jpeg' }))
    const thread = screen.getByRole('region', { name: 'Conversation' })
    await fireEvent.drop(thread, { dataTransfer: files })
    await waitFor(() => expect(screen.getAllByTestId('attachment-thumb')).toHaveLength(1))
    expect(backend.bridge.callsOf('attachments.add')).toEqual([{ name: 'dropped.jpg', mime: 'image/jpeg', data: 'AQID' }])
  })

  it('a paste of plain text is left to the text box', async () => {
    await show([makeConversation({ id: 'c1' })], { open: 'c1' })
    const clipboard = new DataTransfer()
    clipboard.setData('text/plain', 'hello')
    const paste = new ClipboardEvent('paste', { clipboardData: clipboard, bubbles: true, cancelable: true })
    composer().dispatchEvent(paste)
    expect(paste.defaultPrevented).toBe(false)
    expect(backend.bridge.callsOf('attachments.add')).toHaveLength(0)
  })

  it('enlarges an attached image in an overlay', async () => {
    const user = makeMessage({ id: 'c1-u1', role: 'user', content: 'Look', attachments: [{ id: 'x', kind: 'image', url: '/media/attachments/x.png', mime: 'image/png', width: 10, height: 10, name: 'x.png', bytes: 10 }] })
    await show([makeConversation({ id: 'c1', messages: [user] })], { open: 'c1' })
    await fireEvent.click(message('c1-u1').querySelector('button[aria-label="Enlarge x.png"]')!)
    const overlay = screen.getByTestId('lightbox')
    expect(overlay.querySelector('img')?.getAttribute('src')).toBe('/media/attachments/x.png')
    // Save and copy sit in a toolbar row of their own, with the close button, never over the picture.
    backend.bridge.respond('attachments.saveCopy', { path: '/home/me/x.png', count: 1 })
    backend.bridge.respond('attachments.copyImage', undefined)
    await fireEvent.click(within(overlay).getByTestId('lightbox-save'))
    await fireEvent.click(within(overlay).getByTestId('lightbox-copy'))
    await waitFor(() => expect(backend.bridge.callsOf('attachments.saveCopy')).toEqual([{ id: 'x' }]))
    await waitFor(() => expect(backend.bridge.callsOf('attachments.copyImage')).toEqual([{ id: 'x' }]))
    expect(within(overlay).getByTestId('lightbox-close').closest('.toolbar')).not.toBeNull()
    expect(overlay.querySelector('img')?.closest('.toolbar')).toBeNull()
    await fireEvent.keyDown(overlay, { key: 'Escape' })
    expect(screen.queryByTestId('lightbox')).toBeNull()
  })
})

describe('ChatView: shortcuts, empty state, long threads', () => {
  it('opens the shortcuts help, closes it with Escape, and Ctrl+N starts a new chat', async () => {
    await show([makeConversation({ id: 'c1', messages: exchange('c1', 1) })], { open: 'c1' })
    await fireEvent.keyDown(window, { key: '/', code: 'Slash', ctrlKey: true })
    const help = screen.getByTestId('shortcuts-help')
    expect(help.textContent).toContain('New chat')
    expect(help.textContent).toContain('Ctrl')
    expect(help.textContent).toContain('Search conversations')
    await fireEvent.keyDown(help, { key: 'Escape' })
    expect(screen.queryByTestId('shortcuts-help')).toBeNull()

    // "?" opens it when not typing, and not while typing in the box.
    await fireEvent.keyDown(composer(), { key: '?', shiftKey: true })
    expect(screen.queryByTestId('shortcuts-help')).toBeNull()
    await fireEvent.keyDown(document.body, { key: '?', shiftKey: true })
    expect(screen.getByTestId('shortcuts-help')).toBeTruthy()
    await fireEvent.keyDown(screen.getByTestId('shortcuts-help'), { key: 'Escape' })

    // Ctrl+N (twice) starts a new chat that is saved only with its first message.
    const listed = screen.getAllByTestId('conversation-item').length
    await fireEvent.keyDown(window, { key: 'n', ctrlKey: true })
    await fireEvent.keyDown(window, { key: 'n', ctrlKey: true })
    await waitFor(() => expect(stores.chat.id).toBeNull())
    expect(backend.bridge.callsOf('conversations.create')).toHaveLength(0)
    expect(screen.getAllByTestId('conversation-item')).toHaveLength(listed)
    expect(screen.getByTestId('empty-state')).toBeTruthy()
    expect(document.activeElement).toBe(composer())

    // Ctrl+K goes to search; Escape while streaming stops.
    await fireEvent.keyDown(window, { key: 'k', ctrlKey: true })
    expect(document.activeElement).toBe(screen.getByTestId('conversation-search'))
    await type('Go')
    await fireEvent.click(screen.getByTestId('send-button'))
    await screen.findByTestId('stop-button')
    await fireEvent.keyDown(window, { key: 'Escape' })
    expect(backend.bridge.callsOf('stream.abort')).toEqual([{ requestId: backend.lastRequestId('chat.send') }])
    expect(backend.bridge.callsOf('conversations.create')).toHaveLength(1)
  })

  it('moves to the previous and next conversation with Ctrl+Shift+[ and ]', async () => {
    await show(
      [
        makeConversation({ id: 'a', title: 'A', updatedAt: NOW }),
        makeConversation({ id: 'b', title: 'B', updatedAt: NOW - HOUR }),
        makeConversation({ id: 'c', title: 'C', updatedAt: NOW - 2 * HOUR })
      ],
      { open: 'b' }
    )
    await fireEvent.keyDown(window, { key: '}', code: 'BracketRight', ctrlKey: true, shiftKey: true })
    await waitFor(() => expect(stores.chat.id).toBe('c'))
    await fireEvent.keyDown(window, { key: '{', code: 'BracketLeft', ctrlKey: true, shiftKey: true })
    await waitFor(() => expect(stores.chat.id).toBe('b'))
  })

  it('the empty state offers suggestions that fill the message box', async () => {
    await show()
    const empty = screen.getByTestId('empty-state')
    const suggestions = within(empty).getAllByRole('button')
    expect(suggestions.length).toBeGreaterThanOrEqual(3)
    await fireEvent.click(suggestions[0]!)
    expect(composer().value).toContain('public-key cryptography')
  })

  it('opens a 2,000-message conversation with its last messages, then puts the rest above them, mounting only a window of rows', async () => {
    const long = Array.from({ length: 1000 }, (_, i) => exchange('big', i)).flat()
    await show([makeConversation({ id: 'big', title: 'Long one', messages: long })])
    await openConversation('big')
    expect(backend.bridge.callsOf('conversations.get').at(-1)).toEqual({ id: 'big', last: OPEN_LAST_MESSAGES })
    await waitFor(() => expect(stores.chat.messages).toHaveLength(2000))
    // The end came first; the thread above it was asked for from its first message.
    expect(backend.bridge.callsOf('conversations.earlier')).toEqual([{ id: 'big', before: long[2000 - OPEN_LAST_MESSAGES]?.id }])
    expect(stores.chat.messages.map((message) => message.id)).toEqual(long.map((message) => message.id))
    expect(stores.chat.earlier).toBe(0)
    expect(screen.getByTestId('message-list')).toBeTruthy()
    expect(messages().length).toBeGreaterThan(0)
    expect(messages().length).toBeLessThan(60)
  })

  it('a search hit above the end that opened first waits for the earlier messages, then shows the hit', async () => {
    const long = Array.from({ length: 100 }, (_, i) => exchange('big', i)).flat()
    await show([makeConversation({ id: 'big', title: 'Long one', messages: long })])
    const hit = long[4]?.id ?? ''
    expect(await stores.chat.openAt('big', hit)).toBe(true)
    expect(stores.chat.messages).toHaveLength(200)
    expect(stores.chat.focus?.messageId).toBe(hit)
  })

  it('when the earlier messages cannot be loaded, the end stays shown and the error says why', async () => {
    const long = Array.from({ length: 100 }, (_, i) => exchange('big', i)).flat()
    await show([makeConversation({ id: 'big', title: 'Long one', messages: long })])
    backend.bridge.reply('conversations.earlier', () => ({ ok: false, error: { code: 'internal', message: 'The database is locked.' } }))
    await openConversation('big')
    await waitFor(() => expect(stores.chat.actionError?.message).toBe('The database is locked.'))
    expect(stores.chat.messages).toHaveLength(OPEN_LAST_MESSAGES)
    expect(stores.chat.earlier).toBe(200 - OPEN_LAST_MESSAGES)
    expect(messages().length).toBeGreaterThan(0)
    // Asked again (a search hit above the end, or the empty rows scrolled into), they come.
    backend.bridge.reply('conversations.earlier', ({ before }) => ({ ok: true, result: long.slice(0, long.findIndex((message) => message.id === before)) }))
    expect(await stores.chat.loadEarlier()).toBe(true)
    expect(stores.chat.messages.map((message) => message.id)).toEqual(long.map((message) => message.id))
    expect(stores.chat.earlier).toBe(0)
  })
})

describe('ChatView: images from the composer and models that cannot see', () => {
  async function showWithMedia(options: { model?: string; vision?: string } = {}): Promise<FakeMediaBackend> {
    backend = installChatBackend()
    if (options.vision) backend.bridge.state.settings.defaultModels.vision = options.vision
    backend.add(makeConversation({ id: 'c1', title: 'Pictures', settings: { model: options.model ?? 'gpt-4o-mini' } }))
    const media = new FakeMediaBackend(backend.bridge)
    stores = createStores()
    await stores.settings.load()
    navigate = vi.fn<(id: string) => void>()
    render(ChatView, { props: { stores, navigate } })
    await waitFor(() => expect(stores.conversations.loaded).toBe(true))
    await openConversation('c1')
    return media
  }

  let navigate: ReturnType<typeof vi.fn<(id: string) => void>>

  it('/image makes one image with the default image model for this conversation, then offers it in the library', async () => {
    const media = await showWithMedia()
    await type('/image  A paper boat on a puddle ')
    await fireEvent.click(screen.getByTestId('send-button'))
    await waitFor(() => expect(media.bridge.callsOf('images.generate')).toHaveLength(1))
    expect(media.bridge.callsOf('images.generate')[0]).toEqual({
      prompt: 'A paper boat on a puddle',
      models: ['flux'],
      size: '1:1',
      seed: null,
      endpoint: 'imagine',
      count: 1,
      source: 'chat',
      conversationId: 'c1'
    })
    expect(composer().value).toBe('')
    expect(backend.bridge.callsOf('chat.send')).toEqual([])
    await waitFor(() => expect(screen.getAllByTestId('toast').at(-1)?.textContent).toContain('Making an image with flux'))

    const [job] = media.jobList()
    const opens = backend.bridge.callsOf('conversations.get').length
    const item = media.save(job!.id)
    await waitFor(() => expect(screen.getAllByTestId('toast').at(-1)?.textContent).toContain('The image is saved in the library.'))
    // The conversation is read again, to show the image main added to it.
    await waitFor(() => expect(backend.bridge.callsOf('conversations.get').length).toBe(opens + 1))
    await fireEvent.click(screen.getByTestId('open-in-library'))
    expect(navigate).toHaveBeenCalledWith('library')
    expect(stores.library.pendingOpen).toBe(item.id)
  })

  it('/image in a new chat saves the conversation first; without a prompt it says what is missing', async () => {
    backend = installChatBackend()
    const media = new FakeMediaBackend(backend.bridge)
    stores = createStores()
    await stores.settings.load()
    render(ChatView, { props: { stores } })
    await waitFor(() => expect(stores.conversations.loaded).toBe(true))

    await type('/image')
    await fireEvent.click(screen.getByTestId('send-button'))
    expect(screen.getAllByTestId('toast').at(-1)?.textContent).toContain('Write what the image should show after /image.')
    expect(composer().value).toBe('/image')

    await type('/image a kite')
    await fireEvent.click(screen.getByTestId('send-button'))
    await waitFor(() => expect(media.bridge.callsOf('images.generate')).toHaveLength(1))
    expect(backend.bridge.callsOf('conversations.create')).toHaveLength(1)
    expect(media.bridge.callsOf('images.generate')[0]?.conversationId).toBe(stores.chat.id)
  })

  it('/image gives the words back when main refuses', async () => {
    const media = await showWithMedia()
    media.bridge.fail('images.generate', { code: 'no_key', message: 'No API key is set' })
    await type('/image a lamp')
    await fireEvent.click(screen.getByTestId('send-button'))
    await waitFor(() => expect(composer().value).toBe('/image a lamp'))
    expect(screen.getByTestId('error-notice').dataset.code).toBe('no_key')
  })

  it('offers the default vision model when an image is attached and the model cannot see', async () => {
    await showWithMedia({ model: 'llama-3.1-70b-chat', vision: 'gpt-4o' })
    expect(screen.queryByTestId('vision-offer')).toBeNull()
    await fireEvent.click(screen.getByTestId('attach-button'))
    const offer = await screen.findByTestId('vision-offer')
    expect(offer.textContent).toContain('llama-3.1-70b-chat cannot see images.')
    await fireEvent.click(within(offer).getByTestId('vision-switch'))
    await waitFor(() => expect(backend.bridge.callsOf('conversations.updateSettings')).toEqual([{ id: 'c1', settings: { model: 'gpt-4o' } }]))
    await waitFor(() => expect(screen.queryByTestId('vision-offer')).toBeNull())
  })

  it('offers gpt-4o, and says why, when the default vision model cannot chat', async () => {
    await showWithMedia({ model: 'llama-3.1-70b-chat', vision: 'gemini-pro-vision' })
    await fireEvent.click(screen.getByTestId('attach-button'))
    const offer = await screen.findByTestId('vision-offer')
    expect(within(offer).getByTestId('vision-switch').textContent).toContain('Switch to gpt-4o')
    expect(offer.textContent).toContain('The default vision model, gemini-pro-vision, only describes images and cannot chat.')
    // Keeping the model hides the offer.
    await fireEvent.click(within(offer).getByRole('button', { name: 'Keep llama-3.1-70b-chat' }))
    expect(screen.queryByTestId('vision-offer')).toBeNull()
  })

  it('makes no offer for a model that sees', async () => {
    await showWithMedia({ model: 'gpt-4o-mini' })
    await fireEvent.click(screen.getByTestId('attach-button'))
    await waitFor(() => expect(screen.getAllByTestId('attachment-thumb')).toHaveLength(1))
    expect(screen.queryByTestId('vision-offer')).toBeNull()
  })

  it('takes an image sent from the library into the composer', async () => {
    await showWithMedia()
    stores.chat.attach({ id: 'att-lib', kind: 'image', url: '/media/attachments/att-lib.png', mime: 'image/png', width: 8, height: 8, name: 'lib.png', bytes: 9 })
    await waitFor(() => expect(screen.getAllByTestId('attachment-thumb')).toHaveLength(1))
    await type('What is this?')
    await fireEvent.click(screen.getByTestId('send-button'))
    await waitFor(() => expect(backend.bridge.callsOf('chat.send')[0]?.attachmentIds).toEqual(['att-lib']))
  })
})

describe('ChatView: sound from the composer and Read aloud', () => {
  const speechJob = (id: string) => ({
    id,
    kind: 'speech.create',
    queue: 'speech',
    state: 'running' as const,
    progress: 0,
    detail: 'part 1 of 2',
    attempts: 1,
    input: {},
    result: null,
    error: null,
    groupId: null,
    createdAt: NOW,
    updatedAt: NOW,
    runAt: null
  })

  async function showSound(): Promise<void> {
    await show([makeConversation({ id: 'c1', messages: exchange('c1', 1, 'Tell me a story') })], { open: 'c1' })
    backend.bridge.respond('speech.create', (args) => ({ job: speechJob('sp1'), mediaId: 'media-sp1', partCount: 2, spokenText: args.text }))
    backend.bridge.respond('speech.status', { jobId: 'sp1', mediaId: 'media-sp1', voice: 'alex', title: 'x', partCount: 2, parts: [], state: 'running', url: null, error: null })
    backend.bridge.respond('jobs.list', [])
    backend.bridge.respond('jobs.queues', [])
  }

  it('Read aloud speaks the answer with the default voice, and the first part plays as soon as it is on disk', async () => {
    await showSound()
    await fireEvent.click(within(message('c1-a1')).getByTestId('read-aloud'))
    await waitFor(() => expect(backend.bridge.callsOf('speech.create')).toHaveLength(1))
    expect(backend.bridge.callsOf('speech.create')[0]).toMatchObject({ text: 'Answer 1', markdown: true, voice: 'alex', source: 'chat' })
    expect(stores.speech.runForMessage('c1-a1')?.jobId).toBe('sp1')
    backend.bridge.emit('speech.part', { jobId: 'sp1', index: 0, count: 2, url: '/media/speech-parts/sp1-0.mp3', durationMs: 4000, savedAt: NOW })
    await waitFor(() => expect(stores.player.current?.url).toBe('/media/speech-parts/sp1-0.mp3'))
    expect(stores.player.current?.kind).toBe('speech')
  })

  it('/say reads the text aloud instead of sending it; without text it says what is missing', async () => {
    await showSound()
    await type('/say')
    await fireEvent.click(screen.getByTestId('send-button'))
    expect(screen.getAllByTestId('toast').at(-1)?.textContent).toContain('Write the text to read after /say.')
    await type('/say  Good morning, everyone. ')
    await fireEvent.click(screen.getByTestId('send-button'))
    await waitFor(() => expect(backend.bridge.callsOf('speech.create')).toHaveLength(1))
    expect(backend.bridge.callsOf('speech.create')[0]).toMatchObject({ text: 'Good morning, everyone.', source: 'chat' })
    expect(composer().value).toBe('')
    expect(backend.bridge.callsOf('chat.send')).toEqual([])
  })

  it('/song asks for a simple song with the default model and gives the words back when main refuses', async () => {
    await showSound()
    backend.bridge.respond('song.list', [])
    backend.bridge.fail('song.create', { code: 'no_key', message: 'No API key is set' })
    await type('/song a sea shanty about debugging')
    await fireEvent.click(screen.getByTestId('send-button'))
    await waitFor(() => expect(backend.bridge.callsOf('song.create')).toHaveLength(1))
    expect(backend.bridge.callsOf('song.create')[0]).toEqual({
      mode: 'simple',
      prompt: 'a sea shanty about debugging',
      title: '',
      instrumental: false,
      model: 'chirp-v3-5',
      source: 'chat'
    })
    await waitFor(() => expect(composer().value).toBe('/song a sea shanty about debugging'))
    expect(screen.getByTestId('error-notice').dataset.code).toBe('no_key')
  })
})

describe('ChatView: first run and connection', () => {
  it('a first start shows the setup card instead of an empty chat, saves the server and key and checks the key', async () => {
    await show([], { noKey: true })
    expect(screen.queryByTestId('empty-state')).toBeNull()
    const card = screen.getByTestId('setup-card')
    backend.bridge.respond('key.set', () => ({ ...makeSettingsState({ key: { set: true, last4: 'wxyz' } }).key, origin: 'http://127.0.0.1:8787' }))
    backend.bridge.respond('key.check', { info: 'Premium key', details: {} })

    const url = within(card).getByTestId('setup-base-url') as HTMLInputElement
    expect(url.value).toBe('https://api.airforce')
    await fireEvent.input(url, { target: { value: 'not a url' } })
    await fireEvent.click(within(card).getByTestId('setup-check'))
    expect((await within(card).findByTestId('error-notice')).textContent).toContain('full address')
    expect(backend.bridge.callsOf('key.check')).toHaveLength(0)

    await fireEvent.input(url, { target: { value: 'http://127.0.0.1:8787' } })
    await fireEvent.input(within(card).getByTestId('setup-key'), { target: { value: 'sk-test-wxyz' } })
    await fireEvent.click(within(card).getByTestId('setup-check'))
    await waitFor(() => expect(within(card).getByTestId('setup-result').textContent).toContain('Premium key'))
    expect(backend.bridge.callsOf('settings.update')).toEqual([{ baseUrl: 'http://127.0.0.1:8787' }])
    expect(backend.bridge.callsOf('key.set')).toEqual([{ key: 'sk-test-wxyz' }])
    expect(stores.settings.health).toBe('connected')

    await fireEvent.click(within(card).getByTestId('setup-skip'))
    expect(screen.queryByTestId('setup-card')).toBeNull()
    expect(screen.getByTestId('empty-state')).toBeTruthy()
  })

  it('shows a refused key in the setup card, and no card once conversations exist', async () => {
    await show([], { noKey: true })
    backend.bridge.respond('key.set', makeSettingsState({ key: { set: true, last4: 'dead' } }).key)
    backend.bridge.fail('key.check', { code: 'unauthorized', message: 'Invalid API key', status: 401 })
    await fireEvent.input(screen.getByTestId('setup-key'), { target: { value: 'bad-key' } })
    await fireEvent.click(screen.getByTestId('setup-check'))
    const notice = await within(await screen.findByTestId('setup-result')).findByTestId('error-notice')
    expect(notice.dataset.code).toBe('unauthorized')
    expect(stores.settings.health).toBe('key_refused')
    cleanup()

    await show([makeConversation({ id: 'c1' })], { noKey: true })
    expect(screen.queryByTestId('setup-card')).toBeNull()
  })

  it('after a 401 the failed answer offers Replace key, which opens the key settings', async () => {
    const failed = makeMessage({
      id: 'c1-a1',
      role: 'assistant',
      status: 'error',
      error: { code: 'unauthorized', message: 'Invalid API key', status: 401 }
    })
    const navigate = vi.fn()
    await show([makeConversation({ id: 'c1', messages: [exchange('c1', 1)[0]!, failed] })], { open: 'c1', navigate })
    const notice = within(message('c1-a1')).getByTestId('error-notice')
    // Both buttons sit inside the error card.
    const replace = within(notice).getByTestId('replace-key')
    expect(replace.textContent).toContain('Replace key')
    expect(within(notice).getByTestId('retry')).toBeTruthy()
    await fireEvent.click(replace)
    expect(navigate).toHaveBeenCalledWith('settings')
    expect(stores.settings.keyRequested).toBe(true)
  })
})

describe('ChatView: conversation settings follow the open conversation', () => {
  it('switching conversations with the drawer open shows the new one’s system prompt, and edits save into it', async () => {
    await show(
      [makeConversation({ id: 'c1', updatedAt: NOW - HOUR }), makeConversation({ id: 'c2', updatedAt: NOW - 2 * HOUR })],
      { open: 'c1' }
    )
    await fireEvent.click(screen.getByTestId('conversation-settings'))
    const prompt = (): HTMLTextAreaElement => screen.getByTestId('system-prompt') as HTMLTextAreaElement
    await fireEvent.input(prompt(), { target: { value: 'You are a pirate.' } })
    await fireEvent.change(prompt())
    await waitFor(() => expect(stores.chat.settings.systemPrompt).toBe('You are a pirate.'))
    expect(screen.getByText('Saved').closest('[role="status"]')).toBeTruthy()
    // An edit not saved yet must not follow either.
    const temperature = screen.getByTestId('param-temperature') as HTMLInputElement
    await fireEvent.input(temperature, { target: { value: '1.5' } })

    await openConversation('c2')
    expect(prompt().value).toBe('')
    expect((screen.getByTestId('param-temperature') as HTMLInputElement).value).toBe('')
    expect(screen.queryByText('Saved')).toBeNull()

    await fireEvent.input(prompt(), { target: { value: 'Be brief.' } })
    await fireEvent.change(prompt())
    await waitFor(() => expect(backend.bridge.callsOf('conversations.updateSettings').at(-1)).toEqual({ id: 'c2', settings: { systemPrompt: 'Be brief.' } }))
    expect(backend.conversations.get('c1')?.settings.systemPrompt).toBe('You are a pirate.')

    await openConversation('c1')
    expect(prompt().value).toBe('You are a pirate.')
  })
})

describe('ChatView: import', () => {
  it('selects the imported conversation and says where it went in the list, with Open', async () => {
    await show([makeConversation({ id: 'c1', title: 'Recent', updatedAt: NOW - HOUR }), makeConversation({ id: 'c2', title: 'Other', updatedAt: NOW - 2 * HOUR })], { open: 'c2' })
    const oldDate = NOW - 400 * DAY
    backend.bridge.reply('conversations.import', () => {
      backend.add(makeConversation({ id: 'old-1', title: 'From ChatGPT', createdAt: oldDate, updatedAt: oldDate }))
      return { ok: true, result: { path: '/home/me/conversations.json', conversations: 1, messages: 2, skipped: 0, newestId: 'old-1' } }
    })
    await fireEvent.click(screen.getByTestId('import-conversations'))
    await waitFor(() => expect(stores.chat.id).toBe('old-1'))
    const month = new Intl.DateTimeFormat(undefined, { month: 'long', year: 'numeric' }).format(new Date(oldDate))
    const toast = await screen.findByTestId('toast')
    expect(toast.textContent).toContain('Imported 1 conversation (2 messages)')
    expect(toast.textContent).toContain(`It is under “${month}”`)

    await openConversation('c1')
    await fireEvent.click(within(toast).getByTestId('open-imported'))
    await waitFor(() => expect(stores.chat.id).toBe('old-1'))
  })
})

describe('ChatView: message actions', () => {
  it('Continue appears only for an answer cut at length, and streams the rest into the same message', async () => {
    const cut = makeMessage({ id: 'c1-a1', role: 'assistant', content: 'The first half', finishReason: 'length', conversationId: 'c1' })
    await show([makeConversation({ id: 'c1', messages: [exchange('c1', 1)[0]!, cut, ...exchange('c1', 2)] })], { open: 'c1' })
    expect(within(message('c1-a1')).getByTestId('continue-answer')).toBeTruthy()
    expect(within(message('c1-a2')).queryByTestId('continue-answer')).toBeNull()

    await fireEvent.click(within(message('c1-a1')).getByTestId('continue-answer'))
    await waitFor(() => expect(backend.bridge.callsOf('chat.continue')).toEqual([{ requestId: expect.any(String), messageId: 'c1-a1' }]))
    const requestId = backend.lastRequestId('chat.continue')
    await waitFor(() => expect(message('c1-a1').dataset.status).toBe('streaming'))
    backend.delta(requestId, 'c1-a1', ' and the second half.')
    await waitFor(() => expect(within(message('c1-a1')).getByTestId('message-content').textContent).toContain('The first half and the second half.'))
    backend.end(requestId, 'c1-a1', { content: 'The first half and the second half.', finishReason: 'stop' })
    await waitFor(() => expect(message('c1-a1').dataset.status).toBe('complete'))
    expect(within(message('c1-a1')).queryByTestId('continue-answer')).toBeNull()
  })

  it('deletes a message after a confirmation, and forks a conversation from a message', async () => {
    await show([makeConversation({ id: 'c1', title: 'Trip', messages: [...exchange('c1', 1), ...exchange('c1', 2)] })], { open: 'c1' })
    await fireEvent.click(within(message('c1-u2')).getByTestId('delete-message'))
    expect(backend.bridge.callsOf('chat.deleteMessage')).toHaveLength(0)
    const confirm = within(message('c1-u2')).getByTestId('delete-message-confirm')
    expect(confirm.textContent).toContain('and what follows')
    await fireEvent.click(confirm)
    await waitFor(() => expect(messages().map((element) => element.dataset.id)).toEqual(['c1-u1', 'c1-a1']))
    expect(backend.bridge.callsOf('chat.deleteMessage')).toEqual([{ messageId: 'c1-u2' }])

    await fireEvent.click(within(message('c1-u1')).getByTestId('fork-message'))
    await waitFor(() => expect(stores.chat.id).toBe('fork-1'))
    expect(screen.getByTestId('conversation-title').textContent).toBe('Trip (fork)')
    expect(messages()).toHaveLength(1)
    expect(item('fork-1')).toBeTruthy()
  })

  it('shows the time on hover and the token usage when the server sent it', async () => {
    const answer = makeMessage({
      id: 'c1-a1',
      role: 'assistant',
      content: 'Hi',
      conversationId: 'c1',
      usage: { promptTokens: 1200, completionTokens: 34, totalTokens: 1234 }
    })
    await show([makeConversation({ id: 'c1', messages: [exchange('c1', 1)[0]!, answer] })], { open: 'c1' })
    const usage = within(message('c1-a1')).getByTestId('message-usage')
    expect(usage.textContent).toBe('1,234 tokens')
    expect(usage.getAttribute('title')).toContain('1,200 in')
    expect(within(message('c1-u1')).queryByTestId('message-usage')).toBeNull()
    const time = within(message('c1-u1')).getByTestId('message-time')
    expect(time.getAttribute('datetime')).toBe(new Date(NOW).toISOString())
    expect(time.getAttribute('title')).toContain('2025')
  })
})

describe('ChatView: layout', () => {
  it('collapses the conversation list with the button and with Ctrl+B, and remembers it', async () => {
    await show([makeConversation({ id: 'c1' })], { open: 'c1' })
    expect(screen.getAllByTestId('conversation-item')).toHaveLength(1)
    await fireEvent.click(screen.getByTestId('toggle-sidebar'))
    expect(screen.queryByTestId('conversation-item')).toBeNull()
    expect(screen.getByTestId('toggle-sidebar').getAttribute('aria-pressed')).toBe('true')
    expect(localStorage.getItem('skyport.chatSidebar')).toBe('closed')
    await fireEvent.keyDown(window, { key: 'b', ctrlKey: true })
    expect(screen.getAllByTestId('conversation-item')).toHaveLength(1)
    await fireEvent.keyDown(window, { key: 'b', ctrlKey: true })
    expect(screen.queryByTestId('conversation-item')).toBeNull()
    // Ctrl+K brings the list back to search it.
    await fireEvent.keyDown(window, { key: 'k', ctrlKey: true })
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('conversation-search')))
  })

  it('shows toasts inside the thread, above the composer', async () => {
    await show([makeConversation({ id: 'c1' })], { open: 'c1' })
    stores.toasts.show('Hello')
    const toasts = await screen.findByTestId('toasts')
    expect(toasts.classList.contains('contained')).toBe(true)
    expect(screen.getByRole('region', { name: 'Conversation' }).contains(toasts)).toBe(true)
    // Placed by the composer's height (measured), so it never covers it.
    expect(toasts.closest<HTMLElement>('.body')?.style.getPropertyValue('--toast-bottom')).toMatch(/px$/)
  })
})

describe('ChatView: rate limits', () => {
  const limited = (id: string, updatedAt: number) =>
    makeMessage({
      id,
      role: 'assistant',
      status: 'error',
      conversationId: 'c1',
      updatedAt,
      error: { code: 'rate_limited', message: 'Rate limit exceeded (1 request(s) per minute).', status: 429, retryAfterMs: 60_000 }
    })

  it('counts the wait down, retries the newest answer by itself when it ends, and the label goes', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] })
    vi.setSystemTime(NOW + 30_000)
    await show([makeConversation({ id: 'c1', messages: [exchange('c1', 1)[0]!, limited('c1-a1', NOW)] })], { open: 'c1' })
    const notice = within(message('c1-a1')).getByTestId('error-notice')
    expect(within(notice).getByTestId('retry-countdown').textContent).toBe('Try again in 30 s')
    const retry = within(notice).getByTestId('retry') as HTMLButtonElement
    expect(retry.textContent).toContain('Retrying in 30 s')
    expect(retry.disabled).toBe(true)

    vi.advanceTimersByTime(10_000)
    await waitFor(() => expect(within(notice).getByTestId('retry-countdown').textContent).toBe('Try again in 20 s'))
    expect(backend.bridge.callsOf('chat.regenerate')).toHaveLength(0)

    vi.advanceTimersByTime(20_500)
    await waitFor(() => expect(backend.bridge.callsOf('chat.regenerate')).toEqual([{ requestId: expect.any(String), messageId: 'c1-a1' }]))
  })

  it('Retry on an earlier answer waits for the limit to end', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] })
    vi.setSystemTime(NOW + 55_000)
    await show([makeConversation({ id: 'c1', messages: [exchange('c1', 1)[0]!, limited('c1-a1', NOW), ...exchange('c1', 2)] })], { open: 'c1' })
    const notice = within(message('c1-a1')).getByTestId('error-notice')
    const retry = within(notice).getByTestId('retry') as HTMLButtonElement
    expect(retry.textContent?.trim()).toBe('Retry')
    await fireEvent.click(retry)
    expect(retry.textContent).toContain('Retrying in 5 s')
    expect(backend.bridge.callsOf('chat.regenerate')).toHaveLength(0)
    vi.advanceTimersByTime(5_500)
    await waitFor(() => expect(backend.bridge.callsOf('chat.regenerate')).toHaveLength(1))
    await waitFor(() => expect(within(notice).queryByTestId('retry-countdown')).toBeNull())
  })
})

describe('ChatView: right-click on a message', () => {
  it('asks main for the message’s menu and copies as Markdown, copies as shown, or quotes in the composer', async () => {
    const writeText = vi.spyOn(navigator.clipboard, 'writeText').mockResolvedValue()
    const answer = makeMessage({ id: 'c1-a1', role: 'assistant', content: 'Some **bold** text\nand a second line' })
    await show([makeConversation({ id: 'c1', messages: [exchange('c1', 1)[0]!, answer] })], { open: 'c1' })
    const choices: Array<'copyMarkdown' | 'copyText' | 'quote'> = ['copyMarkdown', 'copyText', 'quote']
    backend.bridge.reply('menu.popup', () => ({ ok: true, result: { command: choices.shift() ?? null } }))

    const bold = within(message('c1-a1')).getByText('bold')
    const event = new MouseEvent('contextmenu', { bubbles: true, cancelable: true })
    bold.dispatchEvent(event)
    // The native menu does not show as well.
    expect(event.defaultPrevented).toBe(true)
    await waitFor(() => expect(writeText).toHaveBeenLastCalledWith('Some **bold** text\nand a second line'))
    expect(backend.bridge.callsOf('menu.popup')).toEqual([{ kind: 'message', messageId: 'c1-a1', role: 'assistant', hasSelection: false }])

    await fireEvent.contextMenu(bold)
    await waitFor(() => expect(writeText).toHaveBeenCalledTimes(2))
    expect(writeText.mock.calls[1]![0]).not.toContain('**')

    composer().value = 'my reply'
    await fireEvent.input(composer())
    await fireEvent.contextMenu(bold)
    await waitFor(() => expect(composer().value).toBe('> Some **bold** text\n> and a second line\n\nmy reply'))
  })

  it('leaves the composer to the native menu (spelling suggestions)', async () => {
    await show()
    backend.bridge.reply('menu.popup', () => ({ ok: true, result: { command: null } }))
    const event = new MouseEvent('contextmenu', { bubbles: true, cancelable: true })
    composer().dispatchEvent(event)
    expect(event.defaultPrevented).toBe(false)
    expect(backend.bridge.callsOf('menu.popup')).toEqual([])
  })
})
