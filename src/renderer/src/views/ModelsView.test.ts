import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createStores, type AppStores } from '../lib/state/stores'
import { installFakeBridge, makeSettingsState, serverModels, type FakeBridge } from '../test-support/fake-bridge'
import ModelsView from './ModelsView.svelte'

let bridge: FakeBridge
let stores: AppStores

async function show(): Promise<void> {
  stores = createStores()
  await stores.settings.load()
  render(ModelsView, { props: { stores } })
}

const itemTexts = (): string[] => screen.queryAllByTestId('model-item').map((item) => item.textContent ?? '')

describe('ModelsView', () => {
  beforeEach(() => {
    bridge = installFakeBridge(makeSettingsState({ key: { set: true, last4: 'abcd' } }))
  })

  it('lists the server models with their owners and the server as source', async () => {
    await show()
    await waitFor(() => expect(screen.getAllByTestId('model-item')).toHaveLength(3))
    expect(screen.getByTestId('view-models')).toBeTruthy()
    const texts = itemTexts()
    expect(texts[0]).toContain('gpt-4o-mini')
    expect(texts[0]).toContain('openai')
    expect(texts[1]).toContain('claude-3-haiku')
    expect(screen.getByTestId('models-source').textContent).toContain('From api.airforce')
    expect(screen.getByTestId('models-source').textContent).not.toContain('Offline')
    expect(bridge.callsOf('models.list')).toEqual([{}])
  })

  it('labels the offline fallback list with the reason', async () => {
    bridge.respond('models.list', {
      models: [{ id: 'flux', ownedBy: null, created: null }],
      source: 'fallback',
      error: { code: 'network', message: 'getaddrinfo ENOTFOUND api.airforce' }
    })
    await show()
    await waitFor(() => expect(screen.getAllByTestId('model-item')).toHaveLength(1))
    const source = screen.getByTestId('models-source').textContent ?? ''
    expect(source).toContain('Offline list')
    expect(source).toContain('Could not reach the server')
    expect(source).toContain('ENOTFOUND')
    expect(source).not.toContain('From ')
  })

  it('filters by id and owner, case-insensitively', async () => {
    await show()
    await waitFor(() => expect(screen.getAllByTestId('model-item')).toHaveLength(3))
    const filter = screen.getByTestId('model-filter')

    await fireEvent.input(filter, { target: { value: 'CLAUDE' } })
    expect(itemTexts()).toHaveLength(1)
    expect(itemTexts()[0]).toContain('claude-3-haiku')

    await fireEvent.input(filter, { target: { value: 'meta' } })
    expect(itemTexts()).toHaveLength(1)
    expect(itemTexts()[0]).toContain('llama-3.1-70b-chat')

    await fireEvent.input(filter, { target: { value: 'no-such-model' } })
    expect(itemTexts()).toHaveLength(0)
    expect(screen.getByTestId('model-list').textContent).toContain('No models match')

    await fireEvent.input(filter, { target: { value: '' } })
    expect(itemTexts()).toHaveLength(3)
  })

  it('refresh asks the server again and shows the new list', async () => {
    await show()
    await waitFor(() => expect(screen.getAllByTestId('model-item')).toHaveLength(3))
    bridge.respond('models.list', { ...serverModels, models: [{ id: 'deepseek-r1', ownedBy: 'deepseek', created: 1 }] })
    await fireEvent.click(screen.getByTestId('models-refresh'))
    await waitFor(() => expect(itemTexts()).toEqual([expect.stringContaining('deepseek-r1')]))
    expect(bridge.callsOf('models.list').at(-1)).toEqual({ refresh: true })
  })

  it('shows the error with a retry when the list cannot be produced', async () => {
    bridge.fail('models.list', { code: 'internal', message: 'boom' })
    await show()
    const notice = await screen.findByTestId('error-notice')
    expect(notice.dataset.code).toBe('internal')
    bridge.respond('models.list', serverModels)
    await fireEvent.click(screen.getByRole('button', { name: /try again/i }))
    await waitFor(() => expect(screen.getAllByTestId('model-item')).toHaveLength(3))
    expect(screen.queryByTestId('error-notice')).toBeNull()
  })

  it('shows capability badges, sets a default and starts a new chat with a model', async () => {
    bridge.respond('models.list', {
      models: [...serverModels.models, { id: 'flux', ownedBy: null, created: null }],
      source: 'server',
      error: null
    })
    stores = createStores()
    await stores.settings.load()
    const navigate = vi.fn()
    render(ModelsView, { props: { stores, navigate } })
    await waitFor(() => expect(screen.getAllByTestId('model-item')).toHaveLength(4))
    const item = (id: string): HTMLElement => screen.getAllByTestId('model-item').find((element) => element.dataset.id === id)!
    const badges = (id: string): string[] => [...item(id).querySelectorAll<HTMLElement>('[data-badge]')].map((badge) => badge.dataset.badge ?? '')
    expect(badges('claude-3-haiku')).toEqual(['chat', 'vision'])
    expect(badges('flux')).toEqual(['image'])
    expect(within(item('gpt-4o-mini')).getByTestId('model-default')).toBeTruthy()
    expect(within(item('gpt-4o-mini')).queryByTestId('model-set-default')).toBeNull()
    // An image model has no chat to start, but can be the default image model.
    expect(within(item('flux')).queryByTestId('model-use-in-chat')).toBeNull()

    await fireEvent.click(within(item('claude-3-haiku')).getByTestId('model-set-default'))
    await waitFor(() => expect(bridge.callsOf('settings.update')).toEqual([{ defaultModels: { chat: 'claude-3-haiku' } }]))
    await waitFor(() => expect(within(item('claude-3-haiku')).getByTestId('model-default')).toBeTruthy())
    expect(within(item('gpt-4o-mini')).queryByTestId('model-default')).toBeNull()

    await fireEvent.click(within(item('llama-3.1-70b-chat')).getByTestId('model-use-in-chat'))
    await waitFor(() => expect(navigate).toHaveBeenCalledWith('chat'))
    expect(stores.chat.id).toBeNull()
    expect(stores.chat.settings.model).toBe('llama-3.1-70b-chat')
    expect(bridge.callsOf('conversations.create')).toHaveLength(0)
  })
})

