import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { IMAGE_MODELS } from '@shared/catalog'
import { LIMITS } from '@shared/limits'
import { JobsStore } from '../../lib/state/jobs.svelte'
import { createStores, type AppStores } from '../../lib/state/stores'
import { StudioStore } from '../../lib/state/studio.svelte'
import { installMediaBackend, MEDIA_NOW, type FakeMediaBackend } from '../../test-support/fake-media'
import { stubResizeObserver } from '../chat/chat-fixtures'
import StudioView from './StudioView.svelte'

let media: FakeMediaBackend
let stores: AppStores
let clock: number
let restoreResizeObserver: () => void

beforeEach(() => {
  restoreResizeObserver = stubResizeObserver()
})

afterEach(() => {
  restoreResizeObserver()
  stores?.jobs.dispose()
  vi.restoreAllMocks()
})

/** The app's stores, with a jobs clock the test moves (ticking every 10 ms of real time). */
async function show(): Promise<void> {
  clock = MEDIA_NOW
  media = installMediaBackend({ now: () => clock })
  const base = createStores()
  const jobs = new JobsStore({ now: () => clock, tickMs: 10 })
  let seed = 500
  const studio = new StudioStore({ jobs, defaultModel: () => base.settings.settings?.defaultModels.image ?? '', now: () => clock, seeds: () => ++seed })
  stores = { ...base, jobs, studio }
  await stores.settings.load()
  render(StudioView, { props: { stores, navigate: vi.fn() } })
  await screen.findByTestId('view-studio')
}

const prompt = (): HTMLTextAreaElement => screen.getByTestId('studio-prompt') as HTMLTextAreaElement
const generateButton = (): HTMLButtonElement => screen.getByTestId('studio-generate') as HTMLButtonElement
const tiles = (): HTMLElement[] => screen.queryAllByTestId('result-tile')
const calls = () => media.bridge.callsOf('images.generate')

async function type(text: string): Promise<void> {
  await fireEvent.input(prompt(), { target: { value: text } })
}

async function generate(): Promise<void> {
  await fireEvent.click(generateButton())
}

describe('StudioView: the form', () => {
  it('says a prompt is too long before anything is sent', async () => {
    await show()
    await generate()
    expect(screen.getByTestId('studio-problem').textContent).toContain('Write a prompt first.')
    expect(calls()).toEqual([])

    await type('a'.repeat(LIMITS.imagePromptChars + 20))
    expect(screen.getByTestId('studio-problem').textContent).toContain('The prompt is 4,020 characters long; the limit is 4,000.')
    expect(screen.getByTestId('prompt-count').textContent).toContain('4,020 / 4,000')
    expect(prompt().getAttribute('aria-invalid')).toBe('true')
    expect(generateButton().disabled).toBe(true)

    await type('a'.repeat(LIMITS.imagePromptChars))
    expect(screen.queryByTestId('studio-problem')).toBeNull()
    expect(generateButton().disabled).toBe(false)
  })

  it('lists the documented models and the ones the server adds', async () => {
    await show()
    media.bridge.respond('images.models', { models: [...IMAGE_MODELS, 'flux-schnell'], source: 'server' })
    await stores.studio.loadModels()
    const select = screen.getByTestId('studio-model') as HTMLSelectElement
    await waitFor(() => expect([...select.options].map((option) => option.value)).toEqual([...IMAGE_MODELS, 'flux-schnell']))
    // The default image model from the settings is chosen.
    expect(select.value).toBe('flux')
  })

  it('shows the seven ratios as chips drawn at their ratio', async () => {
    await show()
    const chips = screen.getAllByTestId('size-chip')
    expect(chips.map((chip) => chip.dataset.size)).toEqual(['1:1', '16:9', '9:16', '21:9', '9:21', '1:2', '2:1'])
    const shape = (size: string) => chips.find((chip) => chip.dataset.size === size)!.querySelector<HTMLElement>('.shape')!.style
    const px = (value: string) => Number.parseFloat(value)
    expect(px(shape('16:9').width)).toBe(22)
    expect(px(shape('16:9').height)).toBeCloseTo(22 * (9 / 16), 3)
    expect(px(shape('9:21').width)).toBeCloseTo(22 * (9 / 21), 3)
    expect(px(shape('9:21').height)).toBe(22)
    await fireEvent.click(chips[3]!)
    expect(chips[3]!.getAttribute('aria-checked')).toBe('true')
    expect(stores.studio.size).toBe('21:9')
    await fireEvent.keyDown(chips[3]!, { key: 'ArrowRight' })
    expect(stores.studio.size).toBe('9:21')
  })

  it('seed: random, fixed, rolled again and locked', async () => {
    await show()
    expect(screen.getByTestId('seed-random').getAttribute('aria-checked')).toBe('true')
    expect(screen.queryByTestId('seed-value')).toBeNull()
    await fireEvent.click(screen.getByTestId('seed-roll'))
    const value = screen.getByTestId('seed-value') as HTMLInputElement
    expect(value.value).toBe('501')
    await fireEvent.click(screen.getByTestId('seed-roll'))
    expect(value.value).toBe('502')
    await fireEvent.click(screen.getByTestId('seed-lock'))
    expect(screen.getByTestId('seed-lock').getAttribute('aria-pressed')).toBe('true')
    expect((screen.getByTestId('seed-roll') as HTMLButtonElement).disabled).toBe(true)
    expect(value.readOnly).toBe(true)
    expect((screen.getByTestId('seed-random') as HTMLButtonElement).disabled).toBe(true)
  })

  it('says what each endpoint does', async () => {
    await show()
    expect(screen.getByTestId('endpoint-note').textContent).toBe('imagine: The original endpoint.')
    await fireEvent.click(screen.getByTestId('endpoint-imagine2'))
    expect(screen.getByTestId('endpoint-note').textContent).toBe('imagine2: Faster and more stable, same models.')
  })
})

describe('StudioView: generating', () => {
  it('sends one image with the form, then shows a placeholder of its ratio with the elapsed time', async () => {
    await show()
    await type('A lighthouse in fog')
    await fireEvent.click(screen.getAllByTestId('size-chip')[1]!)
    await generate()
    await waitFor(() => expect(calls()).toHaveLength(1))
    expect(calls()[0]).toEqual({ prompt: 'A lighthouse in fog', models: ['flux'], size: '16:9', seed: null, endpoint: 'imagine', count: 1, source: 'studio' })

    const [tile] = tiles()
    expect(tile!.dataset.state).toBe('queued')
    expect(within(tile!).getByTestId('result-frame').style.aspectRatio).toBe('16 / 9')
    expect(within(tile!).getByTestId('result-elapsed').textContent).toBe('0 s')
    clock += 12_000
    await waitFor(() => expect(within(tile!).getByTestId('result-elapsed').textContent).toBe('12 s'))
    expect(screen.getByTestId('studio-announcement').textContent).toBe('0 of 1 images saved')
  })

  it('several images: one job each, on imagine2 with a fixed seed', async () => {
    await show()
    await type('Koi pond')
    await fireEvent.click(screen.getByTestId('endpoint-imagine2'))
    await fireEvent.click(screen.getByTestId('seed-fixed'))
    await fireEvent.input(screen.getByTestId('seed-value'), { target: { value: '4242' } })
    await fireEvent.click(screen.getByRole('button', { name: 'More images' }))
    await fireEvent.click(screen.getByRole('button', { name: 'More images' }))
    expect(generateButton().textContent).toContain('Generate 3 images')
    await generate()
    await waitFor(() => expect(calls()).toHaveLength(1))
    expect(calls()[0]).toEqual({ prompt: 'Koi pond', models: ['flux'], size: '1:1', seed: 4242, endpoint: 'imagine2', count: 3, source: 'studio' })
    await waitFor(() => expect(tiles()).toHaveLength(3))
    expect(within(screen.getByTestId('batch')).getByText('flux · 1:1 · seed 4242 · imagine2')).toBeTruthy()
  })

  it('compare: one prompt and seed across the ticked models, a grid labelled by model', async () => {
    await show()
    await type('Same prompt')
    await fireEvent.click(screen.getByTestId('compare-toggle'))
    const ticks = within(screen.getByTestId('compare-models'))
    await fireEvent.click(ticks.getByLabelText('flux-realism'))
    await fireEvent.click(ticks.getByLabelText('any-dark'))
    expect(generateButton().textContent).toContain('Compare 2 models')
    await generate()
    await waitFor(() => expect(calls()).toHaveLength(1))
    expect(calls()[0]).toEqual({ prompt: 'Same prompt', models: ['flux-realism', 'any-dark'], size: '1:1', seed: 501, endpoint: 'imagine', count: 1, source: 'studio' })
    await waitFor(() => expect(screen.getAllByTestId('result-label').map((label) => label.textContent)).toEqual(['flux-realism', 'any-dark']))
  })

  it('counts the rate-limit pause down, then shows the image when it is saved and opens it', async () => {
    await show()
    await type('Paused')
    await generate()
    await waitFor(() => expect(tiles()).toHaveLength(1))
    const jobId = tiles()[0]!.dataset.job!
    media.setJob(jobId, { state: 'waiting', runAt: clock + 42_000 })
    media.pause('imagine', clock + 42_000)
    await waitFor(() => expect(screen.getByTestId('result-countdown').textContent).toBe('Rate limit: resumes in 42 s'))
    expect(screen.getByTestId('queue-paused').textContent).toBe('Rate limit on imagine: resumes in 42 s')
    expect(screen.getByTestId('studio-announcement').textContent).toBe('0 of 1 images saved, paused by the rate limit')
    clock += 2_000
    await waitFor(() => expect(screen.getByTestId('result-countdown').textContent).toBe('Rate limit: resumes in 40 s'))

    clock += 40_000
    media.run(jobId)
    await waitFor(() => expect(screen.queryByTestId('result-countdown')).toBeNull())
    const item = media.save(jobId)
    const open = await screen.findByTestId('result-open')
    await waitFor(() => expect(open.querySelector('img')?.getAttribute('src')).toBe(item.largeThumbUrl))
    expect(screen.getByTestId('studio-announcement').textContent).toBe('1 of 1 images saved')
    await fireEvent.click(open)
    await screen.findByTestId('viewer')
    await waitFor(() => expect(screen.getByTestId('viewer-prompt').textContent).toBe('Paused'))
  })

  it('shows the server message of a failed image and retries it', async () => {
    await show()
    await type('Fails')
    await generate()
    await waitFor(() => expect(tiles()).toHaveLength(1))
    const jobId = tiles()[0]!.dataset.job!
    media.failJob(jobId, { code: 'bad_response', message: 'The server sent an HTML page instead of an image' })
    await waitFor(() => expect(screen.getByTestId('result-error').textContent).toContain('The server sent an HTML page instead of an image'))
    await fireEvent.click(screen.getByTestId('result-retry'))
    await waitFor(() => expect(media.bridge.callsOf('jobs.retry')).toEqual([{ id: jobId }]))
    await waitFor(() => expect(tiles()[0]!.dataset.state).toBe('queued'))
  })

  it('cancels one image and all of them', async () => {
    await show()
    await type('Cancel me')
    await fireEvent.click(screen.getByRole('button', { name: 'More images' }))
    await generate()
    await waitFor(() => expect(tiles()).toHaveLength(2))
    const [first] = tiles()
    await fireEvent.click(within(first!).getByTestId('result-cancel'))
    await waitFor(() => expect(media.bridge.callsOf('jobs.cancel')).toEqual([{ id: first!.dataset.job! }]))
    await waitFor(() => expect(first!.dataset.state).toBe('cancelled'))
    expect(within(first!).getByTestId('result-retry')).toBeTruthy()

    await fireEvent.click(screen.getByTestId('cancel-all'))
    await waitFor(() => expect(media.bridge.callsOf('jobs.cancelAll')).toEqual([{}]))
    await waitFor(() => expect(tiles().every((tile) => tile.dataset.state === 'cancelled')).toBe(true))
    expect(screen.queryByTestId('cancel-all')).toBeNull()
  })

  it('shows a refusal from main and keeps the prompt', async () => {
    await show()
    media.bridge.fail('images.generate', { code: 'invalid_argument', message: 'models: can compare at most 10 models' })
    await type('Refused')
    await generate()
    await screen.findByTestId('error-notice')
    expect(prompt().value).toBe('Refused')
    expect(tiles()).toEqual([])
  })
})

describe('StudioView: describe an image from a link', () => {
  it('previews from a local copy, describes with the chosen model and keeps it in the library', async () => {
    await show()
    await fireEvent.click(screen.getByTestId('describe-toggle'))
    await fireEvent.input(screen.getByTestId('describe-url'), { target: { value: 'https://example.com/cat.png' } })
    await fireEvent.click(screen.getByTestId('describe-load'))
    await waitFor(() => expect(media.bridge.callsOf('vision.preview')).toEqual([{ url: 'https://example.com/cat.png' }]))
    const preview = await screen.findByTestId('describe-preview')
    expect(preview.getAttribute('src')).toBe('/media/previews/p1.png')
    // The remote address is never put into an image.
    expect([...document.querySelectorAll('img')].some((image) => image.getAttribute('src')?.startsWith('http'))).toBe(false)

    await fireEvent.click(screen.getByLabelText('gpt-4o-mini'))
    await fireEvent.click(screen.getByTestId('describe-run'))
    await waitFor(() => expect(media.bridge.callsOf('vision.describeUrl')).toEqual([{ url: 'https://example.com/cat.png', model: 'gpt-4o-mini' }]))
    const job = media.jobList().find((item) => item.kind === 'vision.describeUrl')!
    media.run(job.id)
    await waitFor(() => expect(screen.getByTestId('describe-link-progress').textContent).toContain('Describing with gpt-4o-mini'))
    media.finishText(job.id, 'A grey cat asleep on a windowsill.')
    await waitFor(() => expect(screen.getByTestId('describe-result').textContent).toBe('A grey cat asleep on a windowsill.'))

    await fireEvent.click(screen.getByTestId('describe-keep'))
    await waitFor(() => expect(media.bridge.callsOf('vision.keepPreview')).toEqual([{ previewId: 'p1', description: 'A grey cat asleep on a windowsill.' }]))
    await screen.findByTestId('describe-kept')
  })

  it('refuses an address that is not http(s) without asking main', async () => {
    await show()
    await fireEvent.click(screen.getByTestId('describe-toggle'))
    await fireEvent.input(screen.getByTestId('describe-url'), { target: { value: 'file:///etc/passwd' } })
    await fireEvent.click(screen.getByTestId('describe-load'))
    expect((await screen.findByTestId('error-notice')).textContent).toContain('Enter an http:// or https:// address')
    expect(media.bridge.callsOf('vision.preview')).toEqual([])
  })
})
