import type { ContentBlockParam } from '@anthropic-ai/sdk/resources/messages';
import { failureTypes, retryableFailure } from '../contracts/errors';
import type { InboundMessage } from '../contracts/message';
import { translateTelegramError } from './channels/telegram';
import type { TelegramApi } from './deps';

/** Claude's limit for one image in a request. */
export const CLAUDE_IMAGE_MAX_BYTES = 5 * 1024 * 1024;
/** Text files are passed inline up to this many characters. */
const TEXT_FILE_MAX_CHARS = 100_000;

const imageTypes = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'] as const;
type ImageType = (typeof imageTypes)[number];
const isTextType = (mime: string) =>
  mime.startsWith('text/') || ['application/json', 'application/xml', 'application/x-yaml'].includes(mime);

export type AttachmentContent = { ok: true; blocks: ContentBlockParam[] } | { ok: false; notice: string };

/**
 * Fetches a photo or document from Telegram (the history carries only its file id) and turns it into Claude
 * content: images as vision input, PDFs as document input, text files inline. Anything else gets a notice.
 */
export async function loadAttachment(telegram: TelegramApi, message: InboundMessage, signal?: AbortSignal): Promise<AttachmentContent> {
  const attachment = message.attachment!;
  const mime = message.kind === 'photo' ? 'image/jpeg' : (attachment.mimeType ?? 'application/octet-stream');
  const name = attachment.fileName ?? (message.kind === 'photo' ? 'photo' : 'file');
  const readable = imageTypes.includes(mime as ImageType) || mime === 'application/pdf' || isTextType(mime);
  if (!readable) return { ok: false, notice: `I can read images, PDFs and text files; ${name} is ${mime}.` };

  const bytes = await download(telegram, attachment.fileId, signal);
  if (imageTypes.includes(mime as ImageType)) {
    if (bytes.length > CLAUDE_IMAGE_MAX_BYTES) {
      return { ok: false, notice: `That image is ${megabytes(bytes.length)} MB; the assistant reads images up to 5 MB.` };
    }
    return {
      ok: true,
      blocks: [{ type: 'image', source: { type: 'base64', media_type: mime as ImageType, data: bytes.toString('base64') } }],
    };
  }
  if (mime === 'application/pdf') {
    return {
      ok: true,
      blocks: [{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: bytes.toString('base64') } }],
    };
  }
  const text = bytes.toString('utf8');
  const shown =
    text.length > TEXT_FILE_MAX_CHARS ? `${text.slice(0, TEXT_FILE_MAX_CHARS)}\n[… cut at ${TEXT_FILE_MAX_CHARS} characters]` : text;
  return { ok: true, blocks: [{ type: 'text', text: `File ${name}:\n${shown}` }] };
}

async function download(telegram: TelegramApi, fileId: string, signal?: AbortSignal): Promise<Buffer> {
  let link: URL;
  try {
    link = await telegram.getFileLink(fileId);
  } catch (error) {
    throw translateTelegramError(error);
  }
  let response: Response;
  try {
    response = await fetch(link, { signal });
  } catch (error) {
    // The link holds the bot token: never put it in an error.
    throw retryableFailure(failureTypes.networkFailed, `could not download a Telegram file: ${(error as Error).name}`);
  }
  if (!response.ok) throw retryableFailure(failureTypes.remoteFailed, `Telegram file download answered ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

const megabytes = (bytes: number) => (bytes / (1024 * 1024)).toFixed(1);
