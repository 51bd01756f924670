import { describe, expect, it } from 'vitest'
import { canSeeImages, visionChatModel } from './catalog'

describe('canSeeImages', () => {
  it('knows the chat models that take images, and counts unknown ones as blind', () => {
    for (const model of ['gpt-4o', 'gpt-4o-mini', 'gpt-4-turbo', 'claude-3-haiku', 'gemini-1.5-pro', 'llava-v1.6', 'qwen2-vl-7b', 'llama-3.2-11b-vision']) {
      expect(canSeeImages(model), model).toBe(true)
    }
    for (const model of ['llama-3.1-70b-chat', 'phi-2', 'mistral-7b', 'some-new-model']) {
      expect(canSeeImages(model), model).toBe(false)
    }
  })

  it('does not offer a describe-only vision model for chatting', () => {
    expect(canSeeImages('gemini-pro-vision')).toBe(false)
  })
})

describe('visionChatModel', () => {
  it('is the default vision model when it can chat about images', () => {
    expect(visionChatModel('gpt-4o-mini')).toEqual({ model: 'gpt-4o-mini', note: null })
  })

  it('is gpt-4o, saying why, when the default cannot', () => {
    expect(visionChatModel('gemini-pro-vision')).toEqual({
      model: 'gpt-4o',
      note: 'The default vision model, gemini-pro-vision, only describes images and cannot chat.'
    })
    expect(visionChatModel('llama-3.1-8b-chat').note).toBe('The default vision model, llama-3.1-8b-chat, is not known to see images.')
    expect(visionChatModel('')).toEqual({ model: 'gpt-4o', note: null })
  })
})
