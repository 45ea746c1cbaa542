/** The compensation helper on its own: no Temporal, just the order and the bookkeeping of the undos. */
import { describe, expect, it } from 'vitest';
import { Saga } from '../../workflows/saga';

/** A saga whose undos record their names in `ran`; `failing` names undos that throw. */
function recordingSaga(failing: string[] = []) {
  const ran: string[] = [];
  const failures: string[] = [];
  const saga = new Saga({ onFailure: (name) => failures.push(name) });
  const add = (name: string) =>
    saga.add(name, async () => {
      ran.push(name);
      if (failing.includes(name)) throw Object.assign(new Error('Activity task failed'), { cause: new Error(`${name} is stuck`) });
    });
  return { saga, ran, failures, add };
}

describe('Saga', () => {
  it('unwinds the registered compensations newest first and reports each', async () => {
    const { saga, ran, add } = recordingSaga();
    for (const name of ['release slot', 'close entry', 'archive kernel']) add(name);
    expect(saga.pending).toEqual(['release slot', 'close entry', 'archive kernel']);

    const records = await saga.compensate();
    expect(ran).toEqual(['archive kernel', 'close entry', 'release slot']);
    expect(records).toEqual([
      { name: 'archive kernel', ok: true },
      { name: 'close entry', ok: true },
      { name: 'release slot', ok: true },
    ]);
  });

  it('keeps unwinding past a failing compensation and records why it failed', async () => {
    const { saga, ran, failures, add } = recordingSaga(['close entry']);
    for (const name of ['release slot', 'close entry', 'archive kernel']) add(name);

    const records = await saga.compensate();
    expect(ran).toEqual(['archive kernel', 'close entry', 'release slot']);
    expect(records[1]).toEqual({ name: 'close entry', ok: false, error: 'Activity task failed: close entry is stuck' });
    expect(failures).toEqual(['close entry']);
  });

  it('runs each compensation once, however often it is asked to unwind', async () => {
    const { saga, ran, add } = recordingSaga();
    add('release slot');
    await saga.compensate();
    expect(await saga.compensate()).toEqual([]);
    expect(ran).toEqual(['release slot']);
  });

  it('forgets a step the forward path already undid (the newest of that name)', async () => {
    const { saga, ran, add } = recordingSaga();
    add('release slot');
    add('close entry');
    saga.forget('release slot');
    saga.forget('not registered');
    await saga.compensate();
    expect(ran).toEqual(['close entry']);
  });

  it('runs the whole unwinding inside the shield (a workflow passes CancellationScope.nonCancellable)', async () => {
    const events: string[] = [];
    const saga = new Saga({
      shield: async (unwind) => {
        events.push('shield on');
        const result = await unwind();
        events.push('shield off');
        return result;
      },
    });
    saga.add('a', async () => events.push('undo a'));
    saga.add('b', async () => events.push('undo b'));
    await saga.compensate();
    expect(events).toEqual(['shield on', 'undo b', 'undo a', 'shield off']);
  });

  it('unwinds nothing when nothing succeeded yet', async () => {
    expect(await new Saga().compensate()).toEqual([]);
  });
});
