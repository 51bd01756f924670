/**
 * Images and vision as job kinds: `/v1/imagine` and `/v1/imagine2` make
 * images that the library keeps with their settings; a vision model
 * describes a library image or a remote one (`/v1/images/vision`).
 */
import type { ImageBatch, ImageEndpoint, ImageModelList, ImageSize, JobRecord, MediaItem, RemotePreview } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'

export interface ImageRequest {
  prompt: string
  models: string[]
  size: ImageSize
  seed: number | null
  endpoint: ImageEndpoint
  count: number
  source: 'studio' | 'chat' | 'quick'
  conversationId?: string | undefined
}

function notBuilt(): never {
  throw new AppError('internal', 'Images are not built yet.')
}

export class ImageService {
  generate(_request: ImageRequest): ImageBatch {
    return notBuilt()
  }

  async models(): Promise<ImageModelList> {
    return notBuilt()
  }

  describe(_mediaId: string, _model?: string): JobRecord {
    return notBuilt()
  }

  async preview(_url: string): Promise<RemotePreview> {
    return notBuilt()
  }

  describeUrl(_url: string, _model: string): JobRecord {
    return notBuilt()
  }

  async keepPreview(_previewId: string, _description?: string): Promise<MediaItem> {
    return notBuilt()
  }
}
