/**
 * The workspaces file: named workspaces, each with its own system prompt and model, and which chats use them.
 * A chat can switch with `/workspace NAME`; otherwise the first workspace listing the chat wins, then the default.
 */
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Workspace } from './message';

const workspaceSchema = z.object({
  systemPrompt: z.string().min(1).max(20_000),
  model: z.string().min(1).optional(),
  chats: z.array(z.string().regex(/^-?\d{1,20}$/)).default([]),
});

export const workspacesFileSchema = z
  .object({
    default: z.string().min(1).default('general'),
    workspaces: z.record(
      z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'workspace names are lowercase a-z, 0-9, _ and -'),
      workspaceSchema,
    ),
  })
  .refine((file) => Object.hasOwn(file.workspaces, file.default), { message: 'default must name one of the workspaces' });

export type WorkspacesFile = z.infer<typeof workspacesFileSchema>;

export const builtinWorkspaces: WorkspacesFile = {
  default: 'general',
  workspaces: {
    general: {
      systemPrompt: 'You are the esper-relay assistant. Answer concisely and plainly; the operator reads you on a phone.',
      chats: [],
    },
  },
};

/** Loads and validates the workspaces file, or the built-in single workspace when there is none. */
export function loadWorkspaces(file: string | undefined): WorkspacesFile {
  if (!file || !existsSync(file)) return builtinWorkspaces;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`workspaces file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = workspacesFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(
      `workspaces file ${file} is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}

/** Picks the workspace for a chat: its explicit choice, then one that lists it, then the default. */
export function resolveWorkspace(file: WorkspacesFile, chatId: string, chosen?: string): Workspace {
  const name =
    (chosen && Object.hasOwn(file.workspaces, chosen) ? chosen : undefined) ??
    Object.keys(file.workspaces).find((candidate) => file.workspaces[candidate]!.chats.includes(chatId)) ??
    file.default;
  const workspace = file.workspaces[name]!;
  return { name, systemPrompt: workspace.systemPrompt, model: workspace.model };
}
