import { fireEvent, render, screen, waitFor } from '@testing-library/svelte'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { JobRecord, SongStatus } from '@shared/contract'
import { createStores, type AppStores } from '../../lib/state/stores'
import { installFakeBridge, type FakeBridge } from '../../test-support/fake-bridge'
import StudioScreen from './StudioScreen.svelte'

let bridge: FakeBridge
let stores: AppStores

afterEach(() => {
  stores?.jobs.dispose()
  stores?.songs.dispose()
})

function job(id: string): JobRecord {
  return { id, kind: 'song.clip', queue: 'suno', state: 'running', progress: null, detail: null, attempts: 1, input: {}, result: null, error: null, groupId: 'g1', createdAt: 1, updatedAt: 1, runAt: null }
}

function clip(jobId: string, fields: Partial<SongStatus> = {}): SongStatus {
  return { jobId, groupId: 'g1', clipId: `clip-${jobId}`, title: 'Road trip', phase: 'generating', listenUrl: null, progress: null, mediaId: null, error: null, ...fields }
}

async function showSongPage(): Promise<void> {
  bridge = installFakeBridge()
  bridge.respond('jobs.list', []).respond('jobs.queues', []).respond('song.list', [])
  bridge.respond('song.create', () => ({ groupId: 'g1', jobs: [job('j1'), job('j2')], clips: [clip('j1'), clip('j2')] }))
  stores = createStores()
  await stores.settings.load()
  render(StudioScreen, { props: { stores, navigate: vi.fn() } })
  await fireEvent.click(screen.getByTestId('studio-tab-song'))
  await screen.findByTestId('view-song')
}

const input = (id: string) => screen.getByTestId(id) as HTMLInputElement | HTMLTextAreaElement
const count = (field: string) => screen.getByTestId(`song-${field}-count`).textContent?.trim()

describe('SongPage', () => {
  it('counts as the person types and checks the seed limits before anything is sent', async () => {
    await showSongPage()
    expect(count('prompt')).toBe('0 / 200')
    await fireEvent.click(screen.getByTestId('song-create'))
    expect(screen.getByTestId('song-prompt-problem').textContent).toContain('needs a description of the song')
    await fireEvent.input(input('song-prompt'), { target: { value: 'x'.repeat(201) } })
    expect(count('prompt')).toBe('201 / 200')
    expect(screen.getByTestId('song-prompt-count').classList.contains('over')).toBe(true)
    await fireEvent.click(screen.getByTestId('song-create'))

    // Custom mode: the lyrics limit follows the model (3,000 for chirp-v3-5, 1,250 for the others).
    await fireEvent.click(screen.getByTestId('song-mode-custom'))
    await fireEvent.input(input('song-lyrics'), { target: { value: 'la '.repeat(500) } })
    expect(count('lyrics')).toBe('1,500 / 3,000')
    await fireEvent.change(screen.getByTestId('song-model'), { target: { value: 'chirp-v3-0' } })
    expect(count('lyrics')).toBe('1,500 / 1,250')
    await fireEvent.click(screen.getByTestId('song-create'))
    expect(screen.getByTestId('song-lyrics-problem').textContent).toContain('longer than this model takes')
    expect(screen.getByTestId('song-style-problem').textContent).toContain('needs a style')
    await fireEvent.input(input('song-style'), { target: { value: 's'.repeat(121) } })
    expect(count('style')).toBe('121 / 120')
    expect(bridge.callsOf('song.create')).toEqual([])

    await fireEvent.change(screen.getByTestId('song-model'), { target: { value: 'chirp-v3-5' } })
    await fireEvent.input(input('song-style'), { target: { value: 'sea shanty' } })
    await fireEvent.input(input('song-title'), { target: { value: 'Bugs Ahoy' } })
    await fireEvent.click(screen.getByTestId('song-instrumental'))
    await fireEvent.click(screen.getByTestId('song-create'))
    await waitFor(() => expect(bridge.callsOf('song.create')).toHaveLength(1))
    expect(bridge.callsOf('song.create')[0]).toEqual({
      mode: 'custom',
      lyrics: 'la '.repeat(500),
      style: 'sea shanty',
      title: 'Bugs Ahoy',
      instrumental: true,
      model: 'chirp-v3-5',
      source: 'studio'
    })
  })

  it('shows each clip’s progress and offers Listen now as soon as it can be heard, while still generating', async () => {
    await showSongPage()
    await fireEvent.input(input('song-prompt'), { target: { value: 'A road trip song' } })
    await fireEvent.click(screen.getByTestId('song-create'))
    await waitFor(() => expect(screen.getAllByTestId('song-clip')).toHaveLength(2))
    expect(screen.queryByTestId('song-listen')).toBeNull()
    expect(screen.getAllByTestId('song-progress')[0]?.textContent).toContain('Generating')

    bridge.emit('song.status', clip('j1', { phase: 'streaming', listenUrl: '/live/songs/j1.mp3' }))
    const listen = await screen.findByTestId('song-listen')
    expect(screen.getAllByTestId('song-progress')[0]?.textContent).toContain('can be heard now')
    await fireEvent.click(listen)
    expect(stores.player.current).toMatchObject({ id: 'j1', kind: 'song', url: '/live/songs/j1.mp3' })

    bridge.emit('song.status', clip('j2', { phase: 'failed', error: { code: 'server_error', message: 'Failed to generate, please try again later.' } }))
    await screen.findByTestId('song-retry')
    expect(screen.getAllByTestId('song-clip')[1]?.textContent).toContain('Failed to generate')
  })
})
