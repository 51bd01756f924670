import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createStores, type AppStores } from '../../lib/state/stores'
import { installMediaBackend, makeItem, makeItems, type FakeMediaBackend } from '../../test-support/fake-media'
import { stubResizeObserver } from '../chat/chat-fixtures'
import Viewer from './Viewer.svelte'

let media: FakeMediaBackend
let stores: AppStores
let navigate: ReturnType<typeof vi.fn<(id: string) => void>>
let onclose: ReturnType<typeof vi.fn<() => void>>
let restoreResizeObserver: () => void

beforeEach(() => {
  restoreResizeObserver = stubResizeObserver({ width: 1000, height: 800 })
})

afterEach(() => {
  restoreResizeObserver()
  vi.restoreAllMocks()
})

async function show(startId = 'm1', ids = ['m0', 'm1', 'm2']): Promise<void> {
  media = installMediaBackend()
  media.addItems(...makeItems(3))
  media.addItems(
    makeItem({
      id: 'm1',
      prompt: 'A red fox in snow',
      title: 'A red fox in snow',
      width: 2000,
      height: 1000,
      settings: { prompt: 'A red fox in snow', model: 'flux-3d', size: '2:1', seed: 777, endpoint: 'imagine2', steps: 30 },
      model: 'flux-3d',
      source: 'chat'
    })
  )
  stores = createStores()
  await stores.settings.load()
  navigate = vi.fn<(id: string) => void>()
  onclose = vi.fn<() => void>()
  render(Viewer, { props: { stores, ids, startId, navigate, onclose } })
  await screen.findByTestId('viewer-details')
}

const viewer = (): HTMLElement => screen.getByTestId('viewer')
// The screens around the viewer show the toasts; here they are read from the store.
const lastToast = (): string => stores.toasts.items.at(-1)?.message ?? ''

describe('Viewer: details and navigation', () => {
  it('shows every setting of the item', async () => {
    await show()
    expect(media.bridge.callsOf('library.get')).toEqual([{ id: 'm1' }])
    expect(screen.getByTestId('viewer-prompt').textContent).toBe('A red fox in snow')
    const details = screen.getByTestId('viewer-details').textContent ?? ''
    for (const text of ['Model', 'flux-3d', 'Size', '2:1 · 2000 × 1000', 'Seed', '777', 'Endpoint', 'imagine2', 'Created', 'Source', 'Chat', 'image/png', 'steps', '30']) {
      expect(details).toContain(text)
    }
    expect(screen.getByTestId('viewer-image').getAttribute('src')).toBe('/media/images/2025/03/m1.png')
  })

  it('steps to the previous and next items with the arrows and the buttons', async () => {
    await show()
    expect(viewer().textContent).toContain('2 / 3')
    await fireEvent.keyDown(viewer(), { key: 'ArrowRight' })
    await waitFor(() => expect(screen.getByTestId('viewer-prompt').textContent).toBe('Picture number 2'))
    expect((screen.getByTestId('viewer-next') as HTMLButtonElement).disabled).toBe(true)
    await fireEvent.keyDown(viewer(), { key: 'ArrowLeft' })
    await fireEvent.click(screen.getByTestId('viewer-previous'))
    await waitFor(() => expect(viewer().textContent).toContain('1 / 3'))
    await fireEvent.keyDown(viewer(), { key: 'Escape' })
    expect(onclose).toHaveBeenCalledOnce()
  })

  it('fits by default, shows 100% and zooms in and out', async () => {
    await show()
    // 2000 x 1000 in a 1000 x 800 stage.
    await waitFor(() => expect(screen.getByTestId('zoom-percent').textContent).toBe('50%'))
    const image = screen.getByTestId('viewer-image')
    expect(image.getAttribute('draggable')).toBe('true')
    await fireEvent.click(screen.getByTestId('zoom-actual'))
    expect(screen.getByTestId('zoom-percent').textContent).toBe('100%')
    expect(image.style.transform).toContain('scale(1)')
    // Zoomed in past the stage, the image pans instead of dragging out.
    expect(image.getAttribute('draggable')).toBe('false')
    await fireEvent.click(screen.getByTestId('zoom-in'))
    expect(screen.getByTestId('zoom-percent').textContent).toBe('125%')
    await fireEvent.keyDown(viewer(), { key: '-' })
    expect(screen.getByTestId('zoom-percent').textContent).toBe('100%')
    await fireEvent.keyDown(viewer(), { key: '0' })
    expect(screen.getByTestId('zoom-percent').textContent).toBe('50%')
  })
})

describe('Viewer: actions', () => {
  it('copies the image, saves a copy, reveals and opens through main', async () => {
    await show()
    await fireEvent.click(screen.getByTestId('copy-image'))
    await waitFor(() => expect(media.bridge.callsOf('library.copyImage')).toEqual([{ id: 'm1' }]))
    await fireEvent.click(screen.getByTestId('save-copy'))
    await waitFor(() => expect(media.bridge.callsOf('library.saveCopy')).toEqual([{ id: 'm1' }]))
    await waitFor(() => expect(lastToast()).toContain('Saved a copy to /exports/copy.png.'))
    await fireEvent.click(screen.getByTestId('reveal'))
    await fireEvent.click(screen.getByTestId('open-external'))
    await waitFor(() => expect(media.bridge.callsOf('library.reveal')).toEqual([{ id: 'm1' }]))
    await waitFor(() => expect(media.bridge.callsOf('library.open')).toEqual([{ id: 'm1' }]))

    media.bridge.fail('library.open', { code: 'internal', message: 'No app for PNG files' })
    await fireEvent.click(screen.getByTestId('open-external'))
    await waitFor(() => expect(lastToast()).toContain('No app for PNG files'))
  })

  it('copies the prompt to the clipboard', async () => {
    await show()
    const writeText = vi.fn<(text: string) => Promise<void>>().mockResolvedValue()
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true })
    await fireEvent.click(screen.getByTestId('copy-prompt'))
    expect(writeText).toHaveBeenCalledWith('A red fox in snow')
    await waitFor(() => expect(lastToast()).toContain('Prompt copied.'))
  })

  it('drags the file out: main starts the drag and the page drag is cancelled', async () => {
    await show()
    const dragstart = new Event('dragstart', { bubbles: true, cancelable: true })
    screen.getByTestId('viewer-image').dispatchEvent(dragstart)
    expect(dragstart.defaultPrevented).toBe(true)
    await waitFor(() => expect(media.bridge.callsOf('library.startDrag')).toEqual([{ id: 'm1' }]))
  })

  it('reuses all settings, the prompt, or the settings with a new seed in the studio', async () => {
    await show()
    await fireEvent.click(screen.getByTestId('reuse-all'))
    expect(navigate).toHaveBeenCalledWith('studio')
    expect(onclose).toHaveBeenCalled()
    const studio = stores.studio
    expect([studio.prompt, studio.model, studio.size, studio.seedMode, studio.seedText, studio.endpoint]).toEqual([
      'A red fox in snow',
      'flux-3d',
      '2:1',
      'fixed',
      '777',
      'imagine2'
    ])

    studio.prompt = ''
    studio.setModel('flux')
    await fireEvent.click(screen.getByTestId('reuse-prompt'))
    expect([studio.prompt, studio.model]).toEqual(['A red fox in snow', 'flux'])

    await fireEvent.click(screen.getByTestId('reuse-new-seed'))
    expect(studio.model).toBe('flux-3d')
    expect(studio.seedMode).toBe('fixed')
    expect(studio.seedText).not.toBe('777')
  })

  it('sends the image to the chat composer', async () => {
    await show()
    await fireEvent.click(screen.getByTestId('send-to-chat'))
    await waitFor(() => expect(navigate).toHaveBeenCalledWith('chat'))
    expect(media.bridge.callsOf('attachments.fromLibrary')).toEqual([{ mediaId: 'm1' }])
    expect(stores.chat.attachments.map((attachment) => attachment.id)).toEqual(['att-m1'])
    expect(onclose).toHaveBeenCalled()
  })

  it('moves to the trash with undo, and shows the next item', async () => {
    await show()
    await fireEvent.click(screen.getByTestId('viewer-trash'))
    await waitFor(() => expect(media.bridge.callsOf('library.trash')).toEqual([{ ids: ['m1'] }]))
    await waitFor(() => expect(screen.getByTestId('viewer-prompt').textContent).toBe('Picture number 2'))
    expect(lastToast()).toContain('Moved 1 item to the trash.')
    const toast = stores.toasts.items.at(-1)!
    expect(toast.action?.label).toBe('Undo')
    await stores.toasts.act(toast.id)
    expect(media.bridge.callsOf('library.restore')).toEqual([{ ids: ['m1'] }])
  })

  it('deletes for good only after a confirmation', async () => {
    await show('m2')
    await fireEvent.click(screen.getByTestId('delete-forever'))
    expect(media.bridge.callsOf('library.deleteForever')).toEqual([])
    const confirm = screen.getByTestId('confirm-delete')
    expect(confirm.textContent).toContain('system trash')
    await fireEvent.click(within(confirm).getByText('Cancel'))
    expect(screen.queryByTestId('confirm-delete')).toBeNull()
    await fireEvent.click(screen.getByTestId('delete-forever'))
    await fireEvent.click(screen.getByTestId('confirm-delete-yes'))
    await waitFor(() => expect(media.bridge.callsOf('library.deleteForever')).toEqual([{ ids: ['m2'] }]))
    // The last item went: the one before it shows.
    await waitFor(() => expect(screen.getByTestId('viewer-prompt').textContent).toBe('A red fox in snow'))
  })

  it('describes the image: progress while the job runs, then the description main saved', async () => {
    await show()
    await fireEvent.click(screen.getByTestId('describe'))
    await waitFor(() => expect(media.bridge.callsOf('vision.describe')).toEqual([{ mediaId: 'm1' }]))
    const job = media.jobList().find((item) => item.kind === 'vision.describe')!
    media.run(job.id)
    await waitFor(() => expect(screen.getByTestId('describe-progress').textContent).toContain('Describing…'))
    // Main saves the text on the item and says so.
    media.finishText(job.id, 'A fox.')
    media.change('m1', { description: 'A red fox curled up in fresh snow.' })
    await waitFor(() => expect(screen.getByTestId('viewer-description').textContent).toBe('A red fox curled up in fresh snow.'))
    expect(screen.queryByTestId('describe-progress')).toBeNull()
  })

  it('shows a failed description with the server message and retries it', async () => {
    await show()
    await fireEvent.click(screen.getByTestId('describe'))
    await waitFor(() => expect(media.jobList()).toHaveLength(1))
    const job = media.jobList()[0]!
    media.failJob(job.id, { code: 'server_error', message: 'vision model overloaded', status: 503 })
    const notice = await screen.findByTestId('error-notice')
    expect(notice.textContent).toContain('vision model overloaded')
    await fireEvent.click(within(notice).getByRole('button', { name: /retry/i }))
    await waitFor(() => expect(media.bridge.callsOf('jobs.retry')).toEqual([{ id: job.id }]))
  })
})
