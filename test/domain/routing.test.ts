import { describe, it, expect } from 'vitest';
import { parseInboundMessage, type InboundMessage } from '../../contracts/message';
import { builtinCommands, parseCommand, planRoute } from '../../domain/routing';

function message(overrides: Record<string, unknown> = {}): InboundMessage {
  return parseInboundMessage({
    channel: 'telegram',
    chatId: '1001',
    userId: '42',
    messageId: 'm-1',
    kind: 'text',
    receivedAt: '2025-01-01T00:00:00.000Z',
    ...overrides,
  });
}

describe('parseCommand', () => {
  it('parses a bare command with empty args', () => {
    expect(parseCommand('/help')).toEqual({ name: 'help', args: '' });
  });

  it('strips an @botname suffix and keeps the arguments', () => {
    expect(parseCommand('/help@relay_bot args')).toEqual({ name: 'help', args: 'args' });
  });

  it('lowercases the command name but keeps argument case', () => {
    expect(parseCommand('/Workspace Coding')).toEqual({ name: 'workspace', args: 'Coding' });
  });

  it('trims surrounding whitespace and keeps multi-line arguments', () => {
    expect(parseCommand('  /workspace   a\nb  ')).toEqual({ name: 'workspace', args: 'a\nb' });
  });

  it('returns undefined for plain text and for text that merely contains a slash', () => {
    expect(parseCommand('hello')).toBeUndefined();
    expect(parseCommand('see /help')).toBeUndefined();
    expect(parseCommand('/')).toBeUndefined();
    expect(parseCommand('/1abc')).toBeUndefined();
  });
});

describe('planRoute', () => {
  describe('text messages', () => {
    it('routes plain text to the agent with the trimmed text as prompt', () => {
      expect(planRoute(message({ text: '  hello there  ' }))).toEqual({ route: 'text', handler: 'agent', prompt: 'hello there' });
    });

    it.each(Object.keys(builtinCommands))('routes /%s to the builtin handler', (name) => {
      expect(planRoute(message({ text: `/${name}` }))).toEqual({ route: 'command', handler: 'builtin', command: { name, args: '' } });
    });

    it('routes /help@relay_bot args to the builtin handler with the args', () => {
      expect(planRoute(message({ text: '/help@relay_bot args' }))).toEqual({
        route: 'command',
        handler: 'builtin',
        command: { name: 'help', args: 'args' },
      });
    });

    it('sends an unknown command to the agent as text', () => {
      expect(planRoute(message({ text: '/translate bonjour' }))).toEqual({ route: 'text', handler: 'agent', prompt: '/translate bonjour' });
    });

    it('sends a command named like an Object.prototype member to the agent, not the builtin handler', () => {
      // `name in builtinCommands` also sees inherited properties such as `constructor`.
      expect(planRoute(message({ text: '/constructor' }))).toEqual({ route: 'text', handler: 'agent', prompt: '/constructor' });
    });
  });

  describe('edited messages', () => {
    it('answers an edited text message with a notice instead of calling the agent', () => {
      const plan = planRoute(message({ text: 'fixed typo', edited: true }));
      expect(plan.route).toBe('edited');
      expect(plan.handler).toBe('notice');
      expect(plan.notice).toMatch(/edit/i);
    });

    it('treats an edited command as an edit, not a command', () => {
      expect(planRoute(message({ text: '/help', edited: true })).route).toBe('edited');
    });

    it('treats an edited photo caption as an edit', () => {
      expect(planRoute(message({ kind: 'photo', text: 'caption', edited: true })).route).toBe('edited');
    });
  });

  describe('callbacks', () => {
    it('answers a callback with an expired-button notice', () => {
      expect(planRoute(message({ kind: 'callback', callbackData: 'btn:1' }))).toEqual({
        route: 'callback',
        handler: 'notice',
        notice: 'This button has expired.',
      });
    });

    it('routes a callback as a callback even when flagged as edited', () => {
      expect(planRoute(message({ kind: 'callback', edited: true })).route).toBe('callback');
    });
  });

  describe('photos and documents', () => {
    it('uses a photo caption as the agent prompt', () => {
      expect(planRoute(message({ kind: 'photo', text: ' look at this ', attachment: { fileId: 'f1' } }))).toEqual({
        route: 'photo',
        handler: 'agent',
        prompt: 'look at this',
      });
    });

    it('describes an uncaptioned photo for the agent', () => {
      expect(planRoute(message({ kind: 'photo', attachment: { fileId: 'f1' } }))).toEqual({
        route: 'photo',
        handler: 'agent',
        prompt: 'The user sent a photo without a caption.',
      });
    });

    it('names an uncaptioned document by its file name', () => {
      const plan = planRoute(message({ kind: 'document', attachment: { fileId: 'f2', fileName: 'report.pdf' } }));
      expect(plan).toEqual({ route: 'document', handler: 'agent', prompt: 'The user sent a document named report.pdf.' });
    });

    it('describes an uncaptioned, unnamed document', () => {
      expect(planRoute(message({ kind: 'document', attachment: { fileId: 'f2' } })).prompt).toBe('The user sent a document.');
    });

    it('prefers a document caption over its file name', () => {
      expect(planRoute(message({ kind: 'document', text: 'summarise', attachment: { fileId: 'f2', fileName: 'a.txt' } })).prompt).toBe(
        'summarise',
      );
    });
  });

  describe('locations', () => {
    it('routes a location with coordinates to the agent with the coordinates in the prompt', () => {
      expect(planRoute(message({ kind: 'location', location: { latitude: 52.52, longitude: -13.405 } }))).toEqual({
        route: 'location',
        handler: 'agent',
        prompt: 'The user shared a location: 52.52, -13.405.',
      });
    });

    it('answers a location without coordinates with a notice', () => {
      expect(planRoute(message({ kind: 'location' }))).toEqual({
        route: 'unsupported',
        handler: 'notice',
        notice: 'That location was empty.',
      });
    });
  });

  describe('unsupported media', () => {
    it.each([
      ['voice', 'voice', 'voice messages'],
      ['audio', 'voice', 'voice messages'],
      ['video', 'video', 'videos'],
      ['sticker', 'sticker', 'stickers'],
      ['contact', 'unsupported', 'messages of this type'],
      ['unknown', 'unsupported', 'messages of this type'],
    ])('answers a %s message on route %s with a "%s are not supported" notice', (kind, route, what) => {
      const plan = planRoute(message({ kind, attachment: { fileId: 'f3' } }));
      expect(plan.route).toBe(route);
      expect(plan.handler).toBe('notice');
      expect(plan.notice).toBe(`Sorry, ${what} are not supported yet. Send text, a photo or a document.`);
      expect(plan.prompt).toBeUndefined();
    });
  });
});
