/** The app's services (createAppServices) against the fake gateway, in a temporary data folder, for the sound tests. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createAppServices, type AppServices, type AppTuning } from '../../../src/main/app-services'
import { dispatch } from '../../../src/main/bridge'
import type { EventName, JobRecord, PayloadOf } from '../../../src/shared/contract'
import type { FakeApi } from '../../fake-api/server'
import { nodePowers, type NodePowers } from '../../support/node-powers'

export const KEY = 'sk-sound-test-1234'
const sink = { id: 1, send: () => {} }

export interface SoundHarness {
  dir: string
  powers: NodePowers
  services: AppServices
  broadcasts: Array<{ event: EventName; payload: unknown; at: number }>
  call<T>(method: string, args?: unknown): Promise<T>
  /** Payloads of one event, in order. */
  seen<E extends EventName>(event: E): Array<PayloadOf<E>>
  /** Resolves with the job once a window was told it reached one of `states`. */
  until(id: string, states: JobRecord['state'][], timeoutMs?: number): Promise<JobRecord>
  /** Resolves once `check` passes on the broadcasts so far. */
  waitFor<T>(what: string, check: () => T | undefined, timeoutMs?: number): Promise<T>
  close(): Promise<void>
}

/** Polls every 20 to 60 ms: the fake's songs take a fraction of a second. */
export const FAST_SONGS: AppTuning = { songs: { pollBaseMs: 40, pollMaxMs: 40 } }

export async function soundHarness(fake: FakeApi, options: { dir?: string; tuning?: AppTuning } = {}): Promise<SoundHarness> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'skyport-sound-'))
  const powers = nodePowers({ userDataDir: dir })
  const services = await createAppServices(powers, options.tuning ?? FAST_SONGS)
  services.settings.update({ baseUrl: fake.url })
  await services.keyVault.set(KEY, fake.url)
  const broadcasts: SoundHarness['broadcasts'] = []
  services.onBroadcast((event, payload) => void broadcasts.push({ event, payload, at: Date.now() }))
  const waitFor = async <T>(what: string, check: () => T | undefined, timeoutMs = 15_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const value = check()
      if (value !== undefined) return value
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  }
  const seen = <E extends EventName>(event: E) => broadcasts.filter((b) => b.event === event).map((b) => b.payload as PayloadOf<E>)
  return {
    dir,
    powers,
    services,
    broadcasts,
    async call<T>(method: string, args?: unknown): Promise<T> {
      const envelope = await dispatch(services.handlers, method, args, { sink })
      if (!envelope.ok) throw Object.assign(new Error(envelope.error.message), envelope.error)
      return envelope.result as T
    },
    seen,
    until: (id, states, timeoutMs) =>
      waitFor(
        `job ${id} to become ${states.join('/')} (saw ${seen('jobs.changed')
          .filter((job) => job.id === id)
          .map((job) => `${job.state}${job.error ? `: ${job.error.message}` : ''}`)
          .join(', ')})`,
        () => seen('jobs.changed').find((job) => job.id === id && states.includes(job.state)),
        timeoutMs
      ),
    waitFor,
    async close() {
      await services.close()
      if (!options.dir) rmSync(dir, { recursive: true, force: true })
    }
  }
}
