/**
 * A song asked for just before the app was killed (SIGKILL: no cleanup runs)
 * finishes after the next start: its clip jobs are in the database and the
 * runner resumes polling them, then downloads and keeps the song.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAppServices } from '../../../src/main/app-services'
import { startFakeApi, type FakeApi } from '../../fake-api/server'
import { bundleChildScript } from '../../support/child-script'
import { nodePowers } from '../../support/node-powers'

let fake: FakeApi
let childScript: string

beforeAll(async () => {
  fake = await startFakeApi({ songMs: 2_500, songStreamMs: 500 })
  childScript = await bundleChildScript('tests/crash/song-child.ts', 'song-child')
}, 60_000)

afterAll(async () => {
  await fake.close()
})

describe('a song across a crash', () => {
  it('resumes polling after the app is killed mid-song, and the song finishes and is saved', async () => {
    const userDataDir = mkdtempSync(join(tmpdir(), 'skyport-song-crash-'))
    const child = spawn(process.execPath, [childScript, userDataDir, fake.url], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const ids = await new Promise<string[]>((resolveLine, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        const match = /POLLING (\S+)/.exec(chunk.toString())
        if (match) resolveLine(match[1]!.split(','))
      })
      child.on('exit', (code) => reject(new Error(`child exited early (${code}): ${stderr}`)))
    })
    child.kill('SIGKILL')
    await new Promise((resolveExit) => child.once('exit', resolveExit))
    const pollsBefore = fake.requests.filter((r) => r.path.startsWith('/v1/suno/')).length
    expect(pollsBefore).toBeGreaterThan(0)
    expect(fake.requests.some((r) => r.origin === 'media')).toBe(false)

    const powers = nodePowers({ userDataDir })
    const services = await createAppServices(powers, { songs: { pollBaseMs: 50, pollMaxMs: 50 } })
    try {
      const deadline = Date.now() + 30_000
      while (ids.some((id) => services.jobs.get(id).state !== 'saved')) {
        const failed = ids.map((id) => services.jobs.get(id)).find((job) => job.state === 'failed')
        if (failed) throw new Error(`a clip failed: ${failed.error?.message}`)
        if (Date.now() > deadline) throw new Error(`clips never saved: ${ids.map((id) => services.jobs.get(id).state).join(', ')}`)
        await new Promise((resolveWait) => setTimeout(resolveWait, 50))
      }
      // Polled again after the start, then downloaded and kept, once each.
      expect(fake.requests.filter((r) => r.path.startsWith('/v1/suno/')).length).toBeGreaterThan(pollsBefore)
      expect(fake.requests.filter((r) => r.method === 'POST')).toHaveLength(1)
      const songs = services.library.query({ kinds: ['song'] }).cards
      expect(songs).toHaveLength(2)
      expect(songs.map((card) => card.id).sort()).toEqual(ids.map((id) => services.jobs.get(id).result!.mediaId!).sort())
      expect(powers.notifications).toHaveLength(2)
    } finally {
      await services.close()
      rmSync(userDataDir, { recursive: true, force: true })
    }
  }, 90_000)
})
