import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it, expect } from 'vitest';
import { builtinWorkspaces, loadWorkspaces, resolveWorkspace, type WorkspacesFile } from '../../contracts/workspaces';

const dir = mkdtempSync(path.join(tmpdir(), 'esper-relay-workspaces-'));
let counter = 0;

function writeWorkspaces(content: unknown): string {
  const file = path.join(dir, `workspaces-${++counter}.json`);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

const file: WorkspacesFile = {
  default: 'general',
  workspaces: {
    general: { systemPrompt: 'general prompt', chats: [] },
    coding: { systemPrompt: 'coding prompt', model: 'claude-opus-4', chats: ['100', '-200'] },
    ops: { systemPrompt: 'ops prompt', chats: ['100', '300'] },
  },
};

describe('resolveWorkspace', () => {
  it('uses the default for a chat nobody lists', () => {
    expect(resolveWorkspace(file, '999')).toEqual({ name: 'general', systemPrompt: 'general prompt', model: undefined });
  });

  it('uses the workspace that lists the chat over the default', () => {
    expect(resolveWorkspace(file, '-200')).toEqual({ name: 'coding', systemPrompt: 'coding prompt', model: 'claude-opus-4' });
    expect(resolveWorkspace(file, '300').name).toBe('ops');
  });

  it('uses the first listing workspace when several list the chat', () => {
    expect(resolveWorkspace(file, '100').name).toBe('coding');
  });

  it('uses the chat’s chosen workspace over a listing one and the default', () => {
    expect(resolveWorkspace(file, '100', 'ops').name).toBe('ops');
    expect(resolveWorkspace(file, '999', 'coding').name).toBe('coding');
  });

  it('ignores a chosen workspace that no longer exists', () => {
    expect(resolveWorkspace(file, '300', 'deleted').name).toBe('ops');
    expect(resolveWorkspace(file, '999', 'deleted').name).toBe('general');
  });

  it('ignores a chosen name that is only an Object.prototype member', () => {
    const workspace = resolveWorkspace(file, '999', 'constructor');
    expect(workspace.name).toBe('general');
    expect(workspace.systemPrompt).toBe('general prompt');
  });
});

describe('loadWorkspaces', () => {
  it('returns the builtin workspace when no file is configured', () => {
    expect(loadWorkspaces(undefined)).toBe(builtinWorkspaces);
  });

  it('returns the builtin workspace when the file does not exist', () => {
    expect(loadWorkspaces(path.join(dir, 'missing.json'))).toBe(builtinWorkspaces);
  });

  it('loads a valid file and fills in defaults', () => {
    const loaded = loadWorkspaces(
      writeWorkspaces({ workspaces: { general: { systemPrompt: 'hi' }, coding: { systemPrompt: 'code', chats: ['5'] } } }),
    );
    expect(loaded).toEqual({
      default: 'general',
      workspaces: { general: { systemPrompt: 'hi', chats: [] }, coding: { systemPrompt: 'code', chats: ['5'] } },
    });
    expect(resolveWorkspace(loaded, '5').name).toBe('coding');
  });

  it('rejects a file that is not JSON, naming the file', () => {
    const bad = writeWorkspaces('{ "workspaces": ');
    expect(() => loadWorkspaces(bad)).toThrow(/not valid JSON/);
    expect(() => loadWorkspaces(bad)).toThrow(bad);
  });

  it('rejects a default that names no workspace', () => {
    const bad = writeWorkspaces({ default: 'missing', workspaces: { general: { systemPrompt: 'hi' } } });
    expect(() => loadWorkspaces(bad)).toThrow(/default must name one of the workspaces/);
  });

  it('rejects a default that only names an Object.prototype member', () => {
    const bad = writeWorkspaces({ default: 'constructor', workspaces: { general: { systemPrompt: 'hi' } } });
    expect(() => loadWorkspaces(bad)).toThrow(/default must name one of the workspaces/);
  });

  it('rejects a workspace name with capitals or spaces, naming it', () => {
    const bad = writeWorkspaces({ default: 'Bad Name', workspaces: { 'Bad Name': { systemPrompt: 'hi' } } });
    expect(() => loadWorkspaces(bad)).toThrow(/is invalid: workspaces\.Bad Name: /);
  });

  it('rejects an empty system prompt, naming the field', () => {
    const bad = writeWorkspaces({ workspaces: { general: { systemPrompt: '' } } });
    expect(() => loadWorkspaces(bad)).toThrow(/workspaces\.general\.systemPrompt/);
  });

  it('rejects a non-numeric chat id, naming the field', () => {
    const bad = writeWorkspaces({ workspaces: { general: { systemPrompt: 'hi', chats: ['@channel'] } } });
    expect(() => loadWorkspaces(bad)).toThrow(/workspaces\.general\.chats\.0/);
  });

  it('rejects a file without workspaces', () => {
    expect(() => loadWorkspaces(writeWorkspaces({ default: 'general' }))).toThrow(/is invalid: workspaces/);
  });
});
