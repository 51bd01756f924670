import { describe, expect, it } from 'vitest'
import { isImageOnly, modelCapabilities } from '../../src/shared/model-capabilities'

describe('model capabilities', () => {
  it('takes the documented lists first', () => {
    expect(modelCapabilities('gpt-4o')).toEqual(['chat', 'vision'])
    expect(modelCapabilities('llama-3.1-70b-chat')).toEqual(['chat'])
    expect(modelCapabilities('flux-realism')).toEqual(['image'])
    expect(modelCapabilities('chirp-v3-5')).toEqual(['song'])
    expect(modelCapabilities('gemini-pro-vision')).toEqual(['vision'])
  })

  it('guesses from the id where the catalog says nothing', () => {
    expect(modelCapabilities('deepseek-r1-distill-llama-70b')).toEqual(['chat', 'reasoning'])
    expect(modelCapabilities('o3-mini')).toEqual(['chat', 'vision', 'reasoning'])
    expect(modelCapabilities('claude-3-haiku')).toEqual(['chat', 'vision'])
    expect(modelCapabilities('dall-e-3')).toEqual(['image'])
    expect(modelCapabilities('tts-1-hd')).toEqual(['speech'])
    expect(modelCapabilities('some-unknown-model')).toEqual(['chat'])
  })

  it('knows which models make images only', () => {
    expect(isImageOnly('flux')).toBe(true)
    expect(isImageOnly('gpt-4o')).toBe(false)
  })
})
