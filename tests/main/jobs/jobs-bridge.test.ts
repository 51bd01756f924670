/**
 * The job runner as the app builds it (createAppServices) and as windows
 * reach it (dispatch of the `jobs.*` methods): a small test kind's changes
 * are broadcast to every window as `jobs.changed` and `jobs.queue`, and the
 * concurrency setting takes effect at once.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createAppServices, type AppServices } from '../../../src/main/app-services'
import { dispatch } from '../../../src/main/bridge'
import type { EventName, JobRecord, QueueState } from '../../../src/shared/contract'
import { nodePowers } from '../../support/node-powers'
import { controlledKind, type ControlledKind } from './kinds'
import { settle } from './support'

const sink = { id: 1, send: () => {} }

let dir: string
let services: AppServices
let work: ControlledKind
let broadcasts: Array<{ event: EventName; payload: unknown }>

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'skyport-jobs-bridge-'))
  services = await createAppServices(nodePowers({ userDataDir: dir }))
  broadcasts = []
  services.onBroadcast((event, payload) => void broadcasts.push({ event, payload }))
  work = controlledKind({ name: 'test.bridge' })
  // The app defines its kinds before start; a test kind on a fresh database may come after.
  services.jobs.define(work.kind)
})

afterEach(async () => {
  await services.close()
  rmSync(dir, { recursive: true, force: true })
})

const call = (method: string, args?: unknown) => dispatch(services.handlers, method, args, { sink })
const jobEvents = (id: string): JobRecord[] =>
  broadcasts.filter((b) => b.event === 'jobs.changed' && (b.payload as JobRecord).id === id).map((b) => b.payload as JobRecord)
const queueEvents = (): QueueState[] => broadcasts.filter((b) => b.event === 'jobs.queue').map((b) => b.payload as QueueState)

describe('jobs through the bridge', () => {
  it('broadcast every change of a job and its queue, and answer list, queues, cancel, retry and cancelAll', async () => {
    const job = services.jobs.enqueue('test.bridge', { queue: 'imagine' }, { groupId: 'g1' })
    await settle()
    expect(jobEvents(job.id).map((record) => record.state)).toEqual(['queued', 'running'])
    expect(queueEvents().at(-1)).toEqual({ queue: 'imagine', concurrency: 1, running: 1, queued: 0, pausedUntil: null, pauseReason: null })

    expect(await call('jobs.list', { active: true })).toMatchObject({ ok: true, result: [{ id: job.id, state: 'running', groupId: 'g1' }] })
    expect(await call('jobs.queues', null)).toMatchObject({ ok: true, result: [{ queue: 'imagine', running: 1 }] })

    work.last(job.id).done.resolve({ mediaId: 'm1' })
    await settle()
    expect(jobEvents(job.id).at(-1)).toMatchObject({ state: 'saved', result: { mediaId: 'm1' } })

    const second = services.jobs.enqueue('test.bridge', { queue: 'imagine' })
    await settle()
    expect(await call('jobs.cancel', { id: second.id })).toMatchObject({ ok: true, result: { state: 'cancelled' } })
    await settle()
    expect(jobEvents(second.id).at(-1)?.state).toBe('cancelled')
    expect(await call('jobs.retry', { id: second.id })).toMatchObject({ ok: true, result: { state: 'queued', attempts: 2 } })
    await settle()
    expect(await call('jobs.cancelAll', { queue: 'imagine' })).toEqual({ ok: true, result: { cancelled: 1 } })
    expect(await call('jobs.cancel', { id: 'no-such-job' })).toMatchObject({ ok: false, error: { code: 'not_found' } })
    expect(await call('jobs.retry', { id: job.id })).toMatchObject({ ok: false, error: { code: 'invalid_argument' } })
    expect(await call('jobs.list', { groupId: 'g1' })).toMatchObject({ ok: true, result: [{ id: job.id, state: 'saved' }] })
  })

  it('start more jobs at once when the concurrency setting is raised', async () => {
    const jobs = [1, 2, 3].map(() => services.jobs.enqueue('test.bridge', { queue: 'imagine' }))
    await settle()
    expect(jobs.map((job) => services.jobs.get(job.id).state)).toEqual(['running', 'queued', 'queued'])
    expect(await call('settings.update', { jobs: { concurrency: 2 } })).toMatchObject({ ok: true })
    await settle()
    expect(jobs.map((job) => services.jobs.get(job.id).state)).toEqual(['running', 'running', 'queued'])
    expect(queueEvents().at(-1)).toMatchObject({ concurrency: 2, running: 2, queued: 1 })
  })
})
