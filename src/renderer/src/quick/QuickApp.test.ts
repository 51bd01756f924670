import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte'
import { beforeEach, describe, expect, it } from 'vitest'
import type { SongStatus } from '@shared/contract'
import { installFakeBridge, makeSettingsState, type FakeBridge } from '../test-support/fake-bridge'
import { makeJob, MEDIA_NOW } from '../test-support/fake-media'
import QuickApp from './QuickApp.svelte'

let bridge: FakeBridge

beforeEach(() => {
  const state = makeSettingsState()
  state.settings.defaultModels = { ...state.settings.defaultModels, song: 'chirp-v3-0', speech: 'sophia' }
  bridge = installFakeBridge(state)
  bridge.respond('quick.openLibrary', undefined)
})

async function ask(text: string): Promise<void> {
  const input = await screen.findByTestId('quick-input')
  await fireEvent.input(input, { target: { value: text } })
  await fireEvent.keyDown(input, { key: 'Enter' })
}

const speechJob = (fields: Partial<Parameters<typeof makeJob>[0]> = {}) =>
  makeJob({ id: 'sp1', kind: 'speech.create', queue: 'speech', state: 'running', detail: 'part 1 of 3', ...fields })

function clip(jobId: string): SongStatus {
  return { jobId, groupId: 'g1', clipId: `clip-${jobId}`, title: 'Harbour lights', phase: 'generating', listenUrl: null, progress: null, mediaId: null, error: null }
}

describe('quick-ask window: /say and /song', () => {
  it('/say starts a speech from the quick window, says so, follows it to the library and opens the library', async () => {
    bridge.respond('speech.create', (args) => ({ job: speechJob(), mediaId: 'media-sp1', partCount: 3, spokenText: args.text }))
    bridge.respond('speech.status', { jobId: 'sp1', mediaId: 'media-sp1', voice: 'sophia', title: 'x', partCount: 3, parts: [], state: 'running', url: null, error: null })
    render(QuickApp)
    await ask('/say Good morning, everyone.')

    await waitFor(() => expect(bridge.callsOf('speech.create')).toHaveLength(1))
    expect(bridge.callsOf('speech.create')[0]).toEqual({ text: 'Good morning, everyone.', title: 'Good morning, everyone.', source: 'quick' })
    const sound = await screen.findByTestId('quick-sound')
    expect(within(sound).getByTestId('quick-sound-note').textContent).toBe('Started reading it aloud (3 parts). It goes into the library when it is ready.')
    expect(sound.textContent).toContain('part 1 of 3')
    // The old "needs the sound features" note is gone for good.
    expect(document.body.textContent).not.toContain('does not have yet')
    // A job started by a command blocks no question.
    expect(screen.queryByTestId('quick-stop')).toBeNull()

    bridge.emit('jobs.changed', speechJob({ state: 'saved', detail: null, result: { mediaId: 'media-sp1' }, updatedAt: MEDIA_NOW + 5_000 }))
    await waitFor(() => expect(sound.dataset.status).toBe('complete'))
    expect(within(sound).getByTestId('quick-sound-saved').textContent).toBe('Saved in the library.')

    await fireEvent.click(within(sound).getByTestId('quick-open-library'))
    expect(bridge.callsOf('quick.openLibrary')).toEqual([undefined])
    // Speech goes to the library only: no empty quick conversation is left behind.
    expect(bridge.callsOf('conversations.create')).toEqual([])
  })

  it('/song starts a simple song with the default model from the quick window, and a failed clip says why', async () => {
    const jobs = [makeJob({ id: 's1', kind: 'song.clip', queue: 'suno', groupId: 'g1' }), makeJob({ id: 's2', kind: 'song.clip', queue: 'suno', groupId: 'g1' })]
    bridge.respond('song.create', { groupId: 'g1', jobs, clips: [clip('s1'), clip('s2')] })
    bridge.respond('jobs.list', jobs)
    render(QuickApp)
    await ask('/song a sea shanty about debugging')

    await waitFor(() => expect(bridge.callsOf('song.create')).toHaveLength(1))
    expect(bridge.callsOf('song.create')[0]).toEqual({ mode: 'simple', prompt: 'a sea shanty about debugging', title: '', instrumental: false, model: 'chirp-v3-0', source: 'quick' })
    const sound = await screen.findByTestId('quick-sound')
    expect(within(sound).getByTestId('quick-sound-note').textContent).toBe('Started making a song (2 clips). It goes into the library when it is ready.')
    expect(sound.dataset.status).toBe('streaming')

    bridge.emit('jobs.changed', { ...jobs[0]!, state: 'saved', updatedAt: MEDIA_NOW + 1 })
    await waitFor(() => expect(bridge.callsOf('jobs.list')).toHaveLength(1))
    expect(sound.dataset.status).toBe('streaming')
    bridge.emit('jobs.changed', { ...jobs[1]!, state: 'failed', error: { code: 'server_error', message: 'The clip failed on the server.' }, updatedAt: MEDIA_NOW + 2 })
    await waitFor(() => expect(sound.dataset.status).toBe('error'))
    expect(within(sound).getByRole('alert').textContent).toContain('The clip failed on the server.')
    expect(within(sound).getByTestId('quick-open-library')).toBeTruthy()
  })

  it('without text, /say and /song say what is missing and keep the input', async () => {
    render(QuickApp)
    await ask('/say')
    expect((await screen.findByTestId('quick-error')).textContent).toContain('Write the text to read after /say.')
    expect((screen.getByTestId('quick-input') as HTMLTextAreaElement).value).toBe('/say')
    await ask('/song   ')
    await waitFor(() => expect(screen.getByTestId('quick-error').textContent).toContain('Write what the song should be about after /song.'))
    expect(bridge.callsOf('speech.create')).toEqual([])
    expect(bridge.callsOf('song.create')).toEqual([])
    expect(screen.queryByTestId('quick-turn')).toBeNull()
  })
})
