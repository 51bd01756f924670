import { fireEvent, render, screen, waitFor } from '@testing-library/svelte'
import { describe, expect, it } from 'vitest'
import App from './App.svelte'
import { trackOf, type Track } from './lib/state/player.svelte'
import { createStores } from './lib/state/stores'
import { installFakeBridge, makeSettingsState } from './test-support/fake-bridge'
import { installMediaBackend, makeItem } from './test-support/fake-media'
import { exchange, installChatBackend, makeConversation, stubResizeObserver } from './views/chat/chat-fixtures'

describe('App', () => {
  it('shows the notice banner and dismisses it', async () => {
    installFakeBridge(makeSettingsState({ notice: 'Your settings file was unreadable and has been reset.' }))
    render(App)
    const banner = await screen.findByTestId('notice-banner')
    expect(banner.textContent).toContain('unreadable and has been reset')
    await fireEvent.click(screen.getByRole('button', { name: /dismiss/i }))
    expect(screen.queryByTestId('notice-banner')).toBeNull()
  })

  it('shows no banner without a notice', async () => {
    installFakeBridge()
    render(App)
    await screen.findByTestId('view-chat')
    expect(screen.queryByTestId('notice-banner')).toBeNull()
  })

  it('starts on Chat and switches screens from the rail', async () => {
    installFakeBridge(makeSettingsState({ key: { set: true, last4: 'abcd' } }))
    render(App)
    await screen.findByTestId('view-chat')
    expect(screen.getByTestId('nav-chat').getAttribute('aria-current')).toBe('page')
    // One header bar on the chat screen: its own, with the status pill in it.
    expect(document.querySelector('.topbar')).toBeNull()
    expect(document.querySelector('.chat-header [data-testid="connection-pill"]')?.textContent).toContain('api.airforce')

    await fireEvent.click(screen.getByTestId('nav-settings'))
    // Screens other than the chat are loaded the first time they open.
    await screen.findByTestId('view-settings')
    expect(screen.queryByTestId('view-models')).toBeNull()
    expect(screen.getByTestId('nav-settings').getAttribute('aria-current')).toBe('page')

    await fireEvent.click(screen.getByTestId('nav-models'))
    await screen.findByTestId('view-models')
    expect(document.querySelector('.topbar [data-testid="connection-pill"]')).not.toBeNull()

    expect(screen.getByTestId('nav-studio').textContent).toContain('Studio')
    await fireEvent.click(screen.getByTestId('nav-studio'))
    await screen.findByTestId('view-studio')
    expect(document.querySelector('.page-title')?.textContent).toBe('Studio')

    expect(screen.getByTestId('nav-library').textContent).toContain('Library')
    await fireEvent.click(screen.getByTestId('nav-library'))
    await screen.findByTestId('view-library')
  })

  it('shows the top bar host and key status', async () => {
    const bridge = installFakeBridge(makeSettingsState({ settings: { baseUrl: 'http://127.0.0.1:8080/v1' } }))
    render(App)
    await screen.findByTestId('view-chat')
    const pill = screen.getByTestId('connection-pill')
    expect(pill.textContent).toContain('127.0.0.1:8080')
    expect(pill.textContent).toContain('No key')
    expect(pill.dataset.health).toBe('no_key')

    bridge.emit('settings.changed', makeSettingsState({ key: { set: true, last4: 'abcd' } }))
    await waitFor(() => expect(pill.textContent).toContain('api.airforce'))
    expect(pill.textContent).not.toContain('No key')
  })

  it('the status pill shows the last real answer, not only that a key is set, and opens the key settings', async () => {
    const bridge = installFakeBridge(makeSettingsState({ key: { set: true, last4: 'abcd' } }))
    bridge.respond('models.list', {
      models: [{ id: 'gpt-4o', ownedBy: null, created: null }],
      source: 'fallback',
      error: { code: 'unauthorized', message: 'Invalid API key', status: 401 }
    })
    render(App)
    await screen.findByTestId('view-chat')
    const pill = screen.getByTestId('connection-pill')
    await waitFor(() => expect(pill.dataset.health).toBe('key_refused'))
    expect(pill.textContent).toContain('Key refused')

    // A check that works turns it green; one that cannot reach the server says so.
    bridge.respond('key.check', { info: 'Premium key', details: {} })
    await fireEvent.click(pill)
    await screen.findByTestId('view-settings')
    // The key field is ready for a new key.
    const input = await screen.findByTestId('api-key-input')
    await waitFor(() => expect(document.activeElement).toBe(input))
    await fireEvent.click(screen.getByTestId('check-key'))
    await waitFor(() => expect(screen.getByTestId('connection-pill').dataset.health).toBe('connected'))
    expect(screen.getByTestId('connection-pill').textContent).toContain('Connected')

    bridge.fail('connection.test', { code: 'network', message: 'getaddrinfo ENOTFOUND api.airforce' })
    await fireEvent.click(screen.getByTestId('test-connection'))
    await waitFor(() => expect(screen.getByTestId('connection-pill').textContent).toContain('Server unreachable'))
  })

  it('offers a retry when settings cannot be loaded', async () => {
    const bridge = installFakeBridge()
    bridge.fail('settings.get', { code: 'internal', message: 'main is not ready' })
    render(App)
    const notice = await screen.findByTestId('error-notice')
    expect(notice.dataset.code).toBe('internal')
    bridge.respond('settings.get', makeSettingsState())
    await fireEvent.click(screen.getByRole('button', { name: /try again/i }))
    await screen.findByTestId('view-chat')
  })

  it('opens and plays a song when its "song is ready" notification is clicked, and the player bar stays across screens', async () => {
    const bridge = installFakeBridge()
    const song = makeItem({ id: 'song-1', kind: 'song', title: 'Neon Harbour', url: '/media/audio/2025/03/song-1.mp3', durationMs: 5000, peaks: null, waveform: null })
    bridge.respond('library.get', song)
    const stores = createStores()
    render(App, { props: { stores } })
    await screen.findByTestId('view-chat')
    expect(screen.queryByTestId('player-bar')).toBeNull()
    bridge.emit('song.open', { mediaId: 'song-1' })
    await screen.findByTestId('player-bar')
    expect(screen.getByTestId('player-title').textContent).toBe('Neon Harbour')
    expect(screen.getByTestId('nav-library').getAttribute('aria-current')).toBe('page')
    expect((screen.getByTestId('player-audio') as HTMLAudioElement).getAttribute('src')).toBe('/media/audio/2025/03/song-1.mp3')
    await fireEvent.click(screen.getByTestId('nav-settings'))
    expect(screen.getByTestId('player-bar')).toBeTruthy()
  })
})

describe('App: application menu and app-wide shortcuts', () => {
  it('switches screens on Go menu commands and reports the screen back for the menu tick', async () => {
    const bridge = installFakeBridge()
    render(App)
    await screen.findByTestId('view-chat')
    bridge.emit('menu.command', { command: 'goLibrary' })
    await screen.findByTestId('view-library')
    expect(bridge.callsOf('menu.setRoute')).toEqual([{ route: 'library' }])
    bridge.emit('menu.command', { command: 'goSettings' })
    await screen.findByTestId('view-settings')
  })

  it('opens the shortcuts overlay from Help on any screen, listing the menu-only keys too', async () => {
    const bridge = installFakeBridge()
    render(App)
    await fireEvent.click(await screen.findByTestId('nav-models'))
    await screen.findByTestId('view-models')
    bridge.emit('menu.command', { command: 'help' })
    const overlay = await screen.findByTestId('shortcuts-help')
    for (const text of ['New chat', 'Zoom in', 'Go to Library', 'Settings', 'Show or hide the sidebar']) expect(overlay.textContent).toContain(text)
  })

  it('imports from File > Import on the chat screen', async () => {
    const bridge = installFakeBridge()
    bridge.reply('conversations.import', () => ({ ok: true, result: { path: null, conversations: 0, messages: 0, skipped: 0 } }))
    render(App)
    await fireEvent.click(await screen.findByTestId('nav-studio'))
    bridge.emit('menu.command', { command: 'import' })
    await screen.findByTestId('view-chat')
    await waitFor(() => expect(bridge.callsOf('conversations.import')).toHaveLength(1))
  })

  it('goes to a screen with Ctrl+1 to Ctrl+4 and Ctrl+, from anywhere', async () => {
    installFakeBridge()
    render(App)
    await screen.findByTestId('view-chat')
    await fireEvent.keyDown(window, { key: '3', code: 'Digit3', ctrlKey: true })
    await screen.findByTestId('view-library')
    await fireEvent.keyDown(window, { key: ',', code: 'Comma', ctrlKey: true })
    await screen.findByTestId('view-settings')
    await fireEvent.keyDown(window, { key: '1', code: 'Digit1', ctrlKey: true })
    await screen.findByTestId('view-chat')
  })
})

describe('App: message text size', () => {
  it('sets the messages’ font size from the settings, and follows a change', async () => {
    const bridge = installFakeBridge(makeSettingsState({ settings: { appearance: { zoomLevel: 0, messageFontSize: 18 } } }))
    render(App)
    await screen.findByTestId('view-chat')
    await waitFor(() => expect(document.documentElement.style.getPropertyValue('--message-font-size')).toBe('18px'))
    bridge.emit('settings.changed', makeSettingsState({ settings: { appearance: { zoomLevel: 0, messageFontSize: 13 } } }))
    await waitFor(() => expect(document.documentElement.style.getPropertyValue('--message-font-size')).toBe('13px'))
  })
})

describe('App: right-click on a library image', () => {
  it('shows the image’s menu and carries out copy, save as and reveal for that item', async () => {
    const restore = stubResizeObserver()
    try {
      const media = installMediaBackend()
      media.addItems(makeItem({ id: 'img-1', title: 'A red fox' }))
      const choices = ['revealImage', 'copyImage', 'saveImage'] as const
      let next = 0
      media.bridge.reply('menu.popup', () => ({ ok: true, result: { command: choices[next++] ?? null } }))
      media.bridge.reply('library.saveCopy', () => ({ ok: true, result: { path: null, count: 0 } }))
      render(App)
      await fireEvent.click(await screen.findByTestId('nav-library'))
      const card = await screen.findByTestId('library-card')
      for (let i = 0; i < choices.length; i++) await fireEvent.contextMenu(card)
      await waitFor(() => expect(media.bridge.callsOf('library.saveCopy')).toEqual([{ id: 'img-1' }]))
      expect(media.bridge.callsOf('menu.popup')[0]).toEqual({ kind: 'image', mediaId: 'img-1' })
      expect(media.bridge.callsOf('library.reveal')).toEqual([{ id: 'img-1' }])
      expect(media.bridge.callsOf('library.copyImage')).toEqual([{ id: 'img-1' }])
    } finally {
      restore()
    }
  })
})

describe('App: opening the library', () => {
  it('asks for its cards as the screen is chosen, before its code has loaded, and only once', async () => {
    const restore = stubResizeObserver()
    try {
      const media = installMediaBackend()
      media.addItems(makeItem({ id: 'img-1', title: 'A red fox' }))
      const screenShownAtQuery: boolean[] = []
      const invoke = media.bridge.invoke.bind(media.bridge)
      media.bridge.invoke = (method, args) => {
        if (method === 'library.query') screenShownAtQuery.push(document.querySelector('[data-testid="view-library"]') !== null)
        return invoke(method, args)
      }
      render(App)
      await fireEvent.click(await screen.findByTestId('nav-library'))
      await screen.findByTestId('library-card')
      // Asked while the screen's chunk was loading, not after it mounted; the mounted screen used that answer.
      expect(screenShownAtQuery).toEqual([false])
    } finally {
      restore()
    }
  })
})

describe('App: commands from the tray and the quick-ask window', () => {
  it('opens the screen the tray asks for', async () => {
    const bridge = installFakeBridge()
    render(App)
    await screen.findByTestId('view-chat')
    bridge.emit('shell.command', { command: 'settings' })
    await screen.findByTestId('view-settings')
    bridge.emit('shell.command', { command: 'library' })
    await screen.findByTestId('view-library')
    bridge.emit('shell.command', { command: 'create-image' })
    await screen.findByTestId('view-studio')
  })

  it('opens a quick-ask conversation in the chat, after reloading the list that has not seen it', async () => {
    const backend = installChatBackend()
    render(App)
    await screen.findByTestId('view-chat')
    await fireEvent.click(screen.getByTestId('nav-library'))
    await screen.findByTestId('view-library')
    // Saved by the quick-ask window after the list loaded.
    backend.add(makeConversation({ id: 'quick-1', title: 'Why is the sky blue?', messages: exchange('quick-1', 1, 'Why is the sky blue?') }))
    const lists = backend.bridge.callsOf('conversations.list').length

    backend.bridge.emit('shell.command', { command: 'open-conversation', conversationId: 'quick-1' })
    await screen.findByTestId('view-chat')
    await waitFor(() => expect(backend.bridge.callsOf('conversations.get')).toContainEqual(expect.objectContaining({ id: 'quick-1' })))
    expect(backend.bridge.callsOf('conversations.list').length).toBeGreaterThan(lists)
    await waitFor(() => expect(screen.getByTestId('view-chat').textContent).toContain('Why is the sky blue?'))

    await fireEvent.click(screen.getByTestId('nav-settings'))
    backend.bridge.emit('shell.command', { command: 'new-chat' })
    await screen.findByTestId('view-chat')
    // A new chat is the empty composer; nothing is created until its first message.
    await waitFor(() => expect(screen.getByTestId('empty-state')).toBeTruthy())
    expect(screen.queryAllByTestId('message')).toHaveLength(0)
    expect(backend.bridge.callsOf('conversations.create')).toHaveLength(0)
  })

  it("tells the tray what the player does, and the tray's Play/Pause toggles it", async () => {
    const bridge = installFakeBridge()
    const song = makeItem({ id: 'song-1', kind: 'song', title: 'Neon Harbour', url: '/media/audio/2025/03/song-1.mp3', durationMs: 5000, peaks: null, waveform: null })
    const stores = createStores()
    render(App, { props: { stores } })
    await screen.findByTestId('view-chat')
    const reported = () => bridge.callsOf('shell.playerState').map((args) => args.state)
    // Nothing queued: the tray offers no Play/Pause.
    await waitFor(() => expect(reported()).toEqual(['none']))

    stores.player.play(trackOf(song) as Track)
    await waitFor(() => expect(reported().at(-1)).toBe('playing'))
    const audio = screen.getByTestId('player-audio') as HTMLAudioElement
    expect(audio.paused).toBe(false)

    bridge.emit('shell.command', { command: 'toggle-playback' })
    await waitFor(() => expect(audio.paused).toBe(true))
    await waitFor(() => expect(reported().at(-1)).toBe('paused'))
    bridge.emit('shell.command', { command: 'toggle-playback' })
    await waitFor(() => expect(audio.paused).toBe(false))
    await waitFor(() => expect(reported().at(-1)).toBe('playing'))

    stores.player.stop()
    await waitFor(() => expect(reported().at(-1)).toBe('none'))
    // One report per change, not one per frame or time update.
    expect(reported()).toEqual(['none', 'playing', 'paused', 'playing', 'none'])
  })
})
