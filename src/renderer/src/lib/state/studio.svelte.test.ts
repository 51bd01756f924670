import { describe, expect, it } from 'vitest'
import { IMAGE_MODELS } from '@shared/catalog'
import { LIMITS } from '@shared/limits'
import { installMediaBackend, MEDIA_NOW } from '../../test-support/fake-media'
import { JobsStore } from './jobs.svelte'
import { chatImageRequest, StudioStore } from './studio.svelte'

function setup(defaultModel = 'flux-anime'): { studio: StudioStore; jobs: JobsStore; media: ReturnType<typeof installMediaBackend> } {
  const media = installMediaBackend()
  const jobs = new JobsStore({ now: () => MEDIA_NOW })
  let seed = 1000
  const studio = new StudioStore({ jobs, defaultModel: () => defaultModel, now: () => MEDIA_NOW, seeds: () => ++seed })
  return { studio, jobs, media }
}

describe('StudioStore: the form', () => {
  it('says what is wrong before anything is sent', async () => {
    const { studio, media } = setup()
    expect(studio.problem).toBe('Write a prompt first.')
    expect(await studio.generate()).toBe(false)
    expect(media.bridge.callsOf('images.generate')).toEqual([])

    studio.prompt = 'x'.repeat(LIMITS.imagePromptChars + 1)
    expect(studio.promptTooLong).toBe(true)
    expect(studio.problem).toBe('The prompt is 4,001 characters long; the limit is 4,000.')
    studio.prompt = 'x'.repeat(LIMITS.imagePromptChars)
    expect(studio.problem).toBeNull()

    studio.compare = true
    studio.toggleCompareModel('flux')
    expect(studio.problem).toBe('Tick at least two models to compare.')
    studio.toggleCompareModel('any-dark')
    expect(studio.problem).toBeNull()
    studio.compare = false

    studio.setSeedMode('fixed')
    studio.seedText = '12.5'
    expect(studio.problem).toMatch(/^The seed is a whole number from 0 to 2,147,483,647/)
    studio.seedText = String(2 ** 31)
    expect(studio.problem).toMatch(/^The seed is a whole number/)
    studio.seedText = '77'
    expect(studio.problem).toBeNull()
    expect(await studio.generate()).toBe(true)
  })

  it('offers the documented models plus those the server lists, and follows the default model', async () => {
    const { studio, media } = setup()
    expect(studio.modelOptions).toEqual([...IMAGE_MODELS])
    expect(studio.model).toBe('flux-anime')
    media.bridge.respond('images.models', { models: [...IMAGE_MODELS, 'flux-schnell'], source: 'server' })
    await studio.loadModels()
    expect(studio.modelOptions).toEqual([...IMAGE_MODELS, 'flux-schnell'])
    studio.setModel('flux-schnell')
    expect(studio.model).toBe('flux-schnell')

    // A server that cannot list leaves the documented models.
    media.bridge.fail('images.models', { code: 'network', message: 'offline' })
    await studio.loadModels()
    expect(studio.modelOptions).toContain('flux-schnell')
  })

  it('keeps the count from 1 to 8', () => {
    const { studio } = setup()
    studio.setCount(0)
    expect(studio.count).toBe(1)
    studio.setCount(12)
    expect(studio.count).toBe(8)
    studio.setCount(3.4)
    expect(studio.count).toBe(3)
  })

  it('seed: random by default, fixed, rolled again, and locked', () => {
    const { studio } = setup()
    expect(studio.seedMode).toBe('random')
    studio.rollSeed()
    expect(studio.seedMode).toBe('fixed')
    expect(studio.seedText).toBe('1001')
    studio.rollSeed()
    expect(studio.seedText).toBe('1002')
    studio.setSeedLocked(true)
    studio.rollSeed()
    studio.setSeedMode('random')
    studio.reuse({ prompt: 'p', seed: 5 }, 'all')
    studio.reuse({ prompt: 'p' }, 'newSeed')
    expect(studio.seedMode).toBe('fixed')
    expect(studio.seedText).toBe('1002')
    studio.setSeedLocked(false)
    studio.setSeedMode('random')
    expect(studio.seedMode).toBe('random')
    // Locking a random seed fixes one first.
    studio.setSeedLocked(true)
    expect(studio.seedMode).toBe('fixed')
    expect(studio.seedText).toBe('1003')
  })

  it('reuses all settings, only the prompt, or all with a new seed', () => {
    const { studio } = setup()
    const settings = { prompt: 'A red fox', model: 'flux-3d', size: '9:16' as const, seed: 1234, endpoint: 'imagine2' as const }
    studio.compare = true
    studio.reuse(settings, 'prompt')
    expect([studio.prompt, studio.model, studio.size, studio.seedMode, studio.compare]).toEqual(['A red fox', 'flux-anime', '1:1', 'random', true])
    studio.reuse(settings, 'all')
    expect([studio.model, studio.size, studio.seedMode, studio.seedText, studio.endpoint, studio.compare]).toEqual([
      'flux-3d',
      '9:16',
      'fixed',
      '1234',
      'imagine2',
      false
    ])
    studio.reuse(settings, 'newSeed')
    expect(studio.seedText).toBe('1001')
    expect(studio.model).toBe('flux-3d')
  })
})

describe('StudioStore: generating', () => {
  it('one image: the form as images.generate arguments, with a random seed as null', async () => {
    const { studio, jobs, media } = setup()
    studio.prompt = 'A lighthouse in fog'
    studio.size = '16:9'
    expect(await studio.generate()).toBe(true)
    expect(media.bridge.callsOf('images.generate')).toEqual([
      { prompt: 'A lighthouse in fog', models: ['flux-anime'], size: '16:9', seed: null, endpoint: 'imagine', count: 1, source: 'studio' }
    ])
    const [batch] = studio.batches
    expect(batch?.slots).toHaveLength(1)
    expect(batch?.slots[0]?.model).toBe('flux-anime')
    expect(jobs.get(batch!.slots[0]!.jobId)?.state).toBe('queued')
  })

  it('several images: count and a fixed seed on imagine2', async () => {
    const { studio, media } = setup()
    studio.prompt = 'Koi pond'
    studio.setCount(4)
    studio.setSeedMode('fixed')
    studio.seedText = '99'
    studio.endpoint = 'imagine2'
    await studio.generate()
    expect(media.bridge.callsOf('images.generate')[0]).toEqual({
      prompt: 'Koi pond',
      models: ['flux-anime'],
      size: '1:1',
      seed: 99,
      endpoint: 'imagine2',
      count: 4,
      source: 'studio'
    })
    expect(studio.batches[0]?.slots).toHaveLength(4)
  })

  it('compare: one prompt and one seed across the ticked models, each slot labelled with its model', async () => {
    const { studio, media } = setup()
    studio.prompt = 'Same prompt'
    studio.compare = true
    studio.toggleCompareModel('flux')
    studio.toggleCompareModel('flux-pixel')
    studio.toggleCompareModel('any-dark')
    studio.toggleCompareModel('flux-pixel')
    expect(studio.imageCount).toBe(2)
    await studio.generate()
    const args = media.bridge.callsOf('images.generate')[0]
    // Random mode still sends one seed, so the models are compared on the same one.
    expect(args).toEqual({ prompt: 'Same prompt', models: ['flux', 'any-dark'], size: '1:1', seed: 1001, endpoint: 'imagine', count: 1, source: 'studio' })
    expect(studio.batches[0]?.slots.map((slot) => slot.model)).toEqual(['flux', 'any-dark'])
    expect(studio.batches[0]?.compare).toBe(true)
  })

  it('keeps a refusal from main and the form as it was', async () => {
    const { studio, media } = setup()
    media.bridge.fail('images.generate', { code: 'invalid_argument', message: 'prompt: is longer than 4,000 characters' })
    studio.prompt = 'ok'
    expect(await studio.generate()).toBe(false)
    expect(studio.error?.message).toBe('prompt: is longer than 4,000 characters')
    expect(studio.prompt).toBe('ok')
    expect(studio.batches).toEqual([])
  })

  it('a retry that answers with a new job moves the slot to it', async () => {
    const { studio, media } = setup()
    studio.prompt = 'Retry me'
    await studio.generate()
    const jobId = studio.batches[0]!.slots[0]!.jobId
    media.bridge.respond('jobs.retry', () => ({ ...media.jobs.get(jobId)!, id: 'job-new', state: 'queued' as const }))
    await studio.retry(jobId)
    expect(media.bridge.callsOf('jobs.retry')).toEqual([{ id: jobId }])
    expect(studio.batches[0]?.slots[0]?.jobId).toBe('job-new')
  })
})

describe('chatImageRequest', () => {
  it('is one 1:1 image on imagine with the chat as its source', () => {
    expect(chatImageRequest('A cat', 'flux', 'c1')).toEqual({
      prompt: 'A cat',
      models: ['flux'],
      size: '1:1',
      seed: null,
      endpoint: 'imagine',
      count: 1,
      source: 'chat',
      conversationId: 'c1'
    })
    expect(chatImageRequest('A cat', 'flux', null)).not.toHaveProperty('conversationId')
  })
})
