import type { Update } from 'telegraf/types';
import { describe, expect, it } from 'vitest';
import { addressing } from '../../client/telegram/group-filter';

const bot = { id: 999, username: 'relay_test_bot' };
const inGroup = (fields: Record<string, unknown>, type = 'supergroup') =>
  ({ update_id: 1, message: { message_id: 1, date: 0, chat: { id: -100, type }, from: { id: 7 }, ...fields } }) as unknown as Update;

describe('group addressing', () => {
  it('answers everything in a private chat', () => {
    expect(addressing(inGroup({ text: 'hi' }, 'private'), bot)).toEqual({ addressed: true });
  });

  it('answers a group message that mentions the bot, without the mention in the text', () => {
    expect(addressing(inGroup({ text: 'hey @relay_test_bot what is up?' }), bot)).toEqual({ addressed: true, text: 'hey what is up?' });
    expect(addressing(inGroup({ text: '@Relay_Test_Bot status' }), bot)).toEqual({ addressed: true, text: 'status' });
  });

  it('answers a reply to one of its own messages, and commands unless they name another bot', () => {
    expect(addressing(inGroup({ text: 'and then?', reply_to_message: { from: { id: 999 } } }), bot)).toEqual({ addressed: true });
    expect(addressing(inGroup({ text: '/help' }), bot)).toEqual({ addressed: true });
    expect(addressing(inGroup({ text: '/help@relay_test_bot' }), bot)).toEqual({ addressed: true });
    expect(addressing(inGroup({ text: '/help@other_bot' }), bot)).toEqual({ addressed: false, reason: 'command for @other_bot' });
  });

  it('leaves the rest of the group conversation alone', () => {
    expect(addressing(inGroup({ text: 'lunch?' }), bot)).toMatchObject({ addressed: false });
    expect(addressing(inGroup({ text: 'mail relay_test_bot@example.com' }), bot)).toMatchObject({ addressed: false });
    expect(addressing(inGroup({ text: 'replying to Ann', reply_to_message: { from: { id: 5 } } }), bot)).toMatchObject({
      addressed: false,
    });
  });
});
