/**
 * Run in a child process by the song restart test: starts the app's services,
 * asks for a song, and says POLLING with the clip jobs' ids once the gateway
 * has been asked about them. The test then kills this process with SIGKILL,
 * mid-song.
 */
import { createAppServices } from '../../src/main/app-services'
import { nodePowers } from '../support/node-powers'

const [userDataDir, baseUrl] = process.argv.slice(2)
if (!userDataDir || !baseUrl) throw new Error('usage: song-child <userDataDir> <baseUrl>')

const services = await createAppServices(nodePowers({ userDataDir }), { songs: { pollBaseMs: 50, pollMaxMs: 50 } })
services.settings.update({ baseUrl })
const batch = await services.songs.create({ mode: 'simple', prompt: 'A song that outlives its app', title: '', instrumental: false, model: 'chirp-v3-5', source: 'studio' })
const ids = batch.jobs.map((job) => job.id)
services.jobs.onJobChange((job) => {
  // Polled once and put back to wait: the clip is mid-song.
  if (ids.includes(job.id) && job.state === 'queued' && job.runAt !== null) process.stdout.write(`POLLING ${ids.join(',')}\n`)
})
