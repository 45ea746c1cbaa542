/**
 * The transport behaviours, run against both implementations: Oona on the machine's real Redis (each test under
 * its own key prefix) and the in-process bus. A behaviour that differs between them fails here.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sealEsperMessage } from '../../contracts/esper/envelope-signing';
import type { EsperMessageByKind } from '../../contracts/esper/registry';
import { oonaStreams, type EsperDelivery, type EsperHandler, type EsperTransport, type OonaStream } from '../../contracts/esper/transport';
import { InProcessStreamStore } from '../../bus/in-process-bus';
import { createStreamTransport } from '../../bus/stream-transport';
import { sealed, TEST_SECRET, testBuses, type TestBus } from '../esper/buses';
import { esperExamples, systemStateV1Example } from '../esper/examples';

const GROUP = 'relay';
const { normal, emergency } = oonaStreams;

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const eventually = (assertion: () => void | Promise<void>, timeout = 5_000) => vi.waitFor(assertion, { timeout, interval: 20 });

describe.each(testBuses)('$name', ({ open }) => {
  let bus: TestBus;
  let transport: EsperTransport;
  const running: { controller: AbortController; done: Promise<void> }[] = [];

  /** Starts a consumer; returns what it handled and how to stop it. */
  function consume(
    handler: EsperHandler = async () => undefined,
    options: { consumer?: string; streams?: OonaStream[]; on?: EsperTransport } = {},
  ) {
    const delivered: EsperDelivery[] = [];
    const controller = new AbortController();
    const done = (options.on ?? transport).consume({
      streams: options.streams ?? [normal, emergency],
      group: GROUP,
      consumer: options.consumer ?? 'worker-1',
      signal: controller.signal,
      handler: async (delivery, signal) => {
        delivered.push(delivery);
        await handler(delivery, signal);
      },
    });
    running.push({ controller, done });
    const stop = () => {
      controller.abort();
      return done;
    };
    return { delivered, stop };
  }

  const pending = (stream: OonaStream = normal) => bus.backend.listPending(stream, GROUP, { minIdleMs: 0, count: 100 });

  beforeEach(async () => {
    bus = await open();
    transport = bus.transport();
  });

  afterEach(async () => {
    for (const { controller } of running) controller.abort();
    await Promise.all(running.splice(0).map(({ done }) => done));
    await bus.cleanup();
    expect(bus.loopErrors).toEqual([]);
  });

  it('hands over a verified, typed message and acknowledges it only after the handler resolved', async () => {
    let release!: () => void;
    const accepted = new Promise<void>((resolve) => (release = resolve));
    const envelope = sealed('system-state', esperExamples['system-state']);
    await transport.publish(normal, envelope);
    const { delivered } = consume(() => accepted);

    await eventually(() => expect(delivered).toHaveLength(1));
    expect(delivered[0]).toMatchObject({
      kind: 'system-state',
      message: esperExamples['system-state'],
      attempt: 1,
      stream: normal,
      envelope,
    });
    await wait(150);
    expect(await pending()).toHaveLength(1); // still working: not acknowledged
    release();
    await eventually(async () => expect(await pending()).toEqual([]));
    expect(transport.counters()).toMatchObject({ handled: 1, handlerFailures: 0, deadLettered: 0 });
  });

  it('retries a failing handler with an attempt counter and dead-letters the entry after 5 attempts, with the error', async () => {
    const envelope = sealed('compile-request', esperExamples['compile-request']);
    await transport.publish(normal, envelope);
    const { delivered } = consume(async (delivery) => {
      throw new Error(`Tezzeret unavailable (attempt ${delivery.attempt})`);
    });

    await eventually(() => expect(transport.counters().deadLettered).toBe(1));
    expect(delivered.map((d) => d.attempt)).toEqual([1, 2, 3, 4, 5]);
    const [letter] = await transport.deadLetters();
    expect(letter).toMatchObject({ reason: 'handler_failed', attempts: 5, stream: normal, group: GROUP, consumer: 'worker-1' });
    expect(letter!.error).toBe('Error: Tezzeret unavailable (attempt 5)');
    expect(JSON.parse(letter!.envelope)).toEqual(envelope);
    expect(await pending()).toEqual([]);
    await wait(200);
    expect(delivered).toHaveLength(5); // no sixth attempt
    expect(transport.counters()).toMatchObject({ handled: 0, handlerFailures: 5, deadLettered: 1 });
  });

  it('handles an entry once when its handler fails twice and then succeeds', async () => {
    await transport.publish(normal, sealed('kernel-ready', esperExamples['kernel-ready']));
    const { delivered } = consume(async (delivery) => {
      if (delivery.attempt < 3) throw new Error('Temporal unreachable');
    });
    await eventually(() => expect(transport.counters().handled).toBe(1));
    expect(delivered.map((d) => d.attempt)).toEqual([1, 2, 3]);
    expect(await transport.deadLetters()).toEqual([]);
  });

  it('reads the emergency stream first when both have entries', async () => {
    for (let i = 0; i < 3; i += 1) await transport.publish(normal, sealed('telemetry', esperExamples.telemetry));
    await transport.publish(emergency, sealed('emergency-signal', esperExamples['emergency-signal']));
    const { delivered } = consume();
    await eventually(() => expect(delivered).toHaveLength(4));
    expect(delivered.map((d) => d.kind)).toEqual(['emergency-signal', 'telemetry', 'telemetry', 'telemetry']);
  });

  it('drains the emergency stream completely before normal entries, beyond one batch', async () => {
    for (let i = 0; i < 3; i += 1) await transport.publish(normal, sealed('telemetry', esperExamples.telemetry));
    for (let i = 0; i < 5; i += 1) await transport.publish(emergency, sealed('emergency-signal', esperExamples['emergency-signal']));
    const { delivered } = consume(async () => undefined, { on: bus.transport({ batchSize: 2 }) });
    await eventually(() => expect(delivered).toHaveLength(8));
    expect(delivered.map((d) => d.kind)).toEqual([...Array(5).fill('emergency-signal'), ...Array(3).fill('telemetry')]);
  });

  it('reads new emergency entries before retrying failed ones', async () => {
    const failing = sealed('telemetry', esperExamples.telemetry);
    await transport.publish(normal, failing);
    await transport.publish(normal, sealed('field-report', esperExamples['field-report']));
    const { delivered } = consume(async (delivery) => {
      if (delivery.envelope.id === failing.id && delivery.attempt === 1) throw new Error('first attempt fails');
      if (delivery.kind === 'field-report') {
        // While this runs, the failed entry's retry delay passes and an emergency arrives: which goes first?
        await transport.publish(emergency, sealed('emergency-signal', esperExamples['emergency-signal']));
        await wait(100);
      }
    });
    await eventually(() => expect(delivered).toHaveLength(4));
    expect(delivered.map((d) => `${d.kind}#${d.attempt}`)).toEqual(['telemetry#1', 'field-report#1', 'emergency-signal#1', 'telemetry#2']);
  });

  it('takes an emergency published while it works before the normal entries still waiting', async () => {
    for (let i = 0; i < 4; i += 1) await transport.publish(normal, sealed('telemetry', esperExamples.telemetry));
    const busy = bus.transport({ batchSize: 1 });
    const { delivered } = consume(() => wait(60), { on: busy });
    await eventually(() => expect(delivered.length).toBeGreaterThan(0));
    await busy.publish(emergency, sealed('emergency-signal', esperExamples['emergency-signal']));
    await eventually(() => expect(delivered).toHaveLength(5));
    expect(delivered.findIndex((d) => d.kind === 'emergency-signal')).toBeLessThanOrEqual(2);
  });

  it('drops envelopes with a bad signature, counts and acknowledges them, and goes on', async () => {
    const tampered = { ...sealed('adaptation-command', esperExamples['adaptation-command']) };
    tampered.payload = { ...(tampered.payload as object), targetSeedId: 'seed-l3-0' };
    const forged = sealEsperMessage(
      { kind: 'emergency-signal', payload: esperExamples['emergency-signal'], id: 'forged-1', origin: 'tamiyo', sentAt: new Date() },
      'an-attacker-secret-0123456789abcdef',
    );
    await transport.publish(normal, tampered);
    await transport.publish(emergency, forged);
    await transport.publish(normal, sealed('field-report', esperExamples['field-report']));
    const { delivered } = consume();

    await eventually(() => expect(transport.counters().handled).toBe(1));
    expect(delivered.map((d) => d.kind)).toEqual(['field-report']);
    expect(transport.counters().droppedBadSignature).toBe(2);
    expect([...(await pending(normal)), ...(await pending(emergency))]).toEqual([]);
    expect(await transport.deadLetters()).toEqual([]);
  });

  it('processes an envelope id once, even when it arrives in several entries', async () => {
    const envelope = sealed('adaptation-command', esperExamples['adaptation-command']);
    await transport.publish(normal, envelope);
    await transport.publish(normal, envelope);
    await transport.publish(emergency, envelope); // a replay onto another stream is the same message
    await transport.publish(normal, sealed('field-report', esperExamples['field-report']));
    const { delivered } = consume();

    await eventually(() => expect(transport.counters().handled).toBe(2));
    expect(delivered.filter((d) => d.envelope.id === envelope.id)).toHaveLength(1);
    expect(transport.counters().droppedDuplicate).toBe(2);
    expect(await pending()).toEqual([]);
  });

  it('reclaims an entry a dead consumer read but never acknowledged, after the idle time', async () => {
    await transport.publish(normal, sealed('kernel-error', esperExamples['kernel-error']));
    await bus.backend.ensureGroup(normal, GROUP);
    const reader = bus.backend.openReader(new AbortController().signal);
    expect(await reader.readNew([normal], GROUP, 'crashed-worker', { count: 1, blockMs: 0 })).toHaveLength(1);
    await reader.close();
    const readAt = Date.now();

    const { delivered } = consume(async () => undefined, { consumer: 'survivor' });
    await eventually(() => expect(transport.counters().handled).toBe(1));
    expect(Date.now() - readAt).toBeGreaterThanOrEqual(900);
    expect(delivered).toMatchObject([{ kind: 'kernel-error', attempt: 2 }]);
    expect(transport.counters().reclaimed).toBe(1);
    expect(await pending()).toEqual([]);
  });

  it('keeps an entry whose handler is slow but alive from being reclaimed by a peer', async () => {
    await transport.publish(normal, sealed('compile-request', esperExamples['compile-request']));
    const slow = async () => wait(1_600); // longer than the 1 s reclaim idle time
    const first = consume(slow, { consumer: 'worker-1' });
    const second = consume(slow, { consumer: 'worker-2' });
    await eventually(() => expect(transport.counters().handled).toBe(1));
    await wait(300);
    expect([...first.delivered, ...second.delivered]).toHaveLength(1);
    expect(transport.counters().reclaimed).toBe(0);
  });

  it('dead-letters an entry its consumers kept dying on, without running it a sixth time', async () => {
    await transport.publish(normal, sealed('kernel-error', esperExamples['kernel-error']));
    await bus.backend.ensureGroup(normal, GROUP);
    const reader = bus.backend.openReader(new AbortController().signal);
    const [entry] = await reader.readNew([normal], GROUP, 'crashed-1', { count: 1, blockMs: 0 });
    await reader.close();
    for (const consumer of ['crashed-2', 'crashed-3', 'crashed-4', 'crashed-5'])
      await bus.backend.claim(normal, GROUP, consumer, 0, [entry!.entryId]);

    const { delivered } = consume(async () => undefined, { consumer: 'survivor' });
    await eventually(() => expect(transport.counters().deadLettered).toBe(1));
    expect(delivered).toEqual([]);
    expect((await transport.deadLetters())[0]).toMatchObject({ reason: 'max_deliveries', attempts: 5, originalEntryId: entry!.entryId });
  });

  it('rejects a future version with a clear error, counts it and keeps it as a dead letter', async () => {
    const future = { ...esperExamples['system-state'], version: 3 } as unknown as EsperMessageByKind['system-state'];
    await transport.publish(normal, sealed('system-state', future));
    const { delivered } = consume();
    await eventually(() => expect(transport.counters().rejectedFutureVersion).toBe(1));
    expect(delivered).toEqual([]);
    const [letter] = await transport.deadLetters();
    expect(letter).toMatchObject({ reason: 'future_version', attempts: 1 });
    expect(letter!.error).toMatch(/^system-state version 3 is newer than the newest version this relay reads \(2\)/);
    expect(await pending()).toEqual([]);
  });

  it('upcasts an older version before handing it over', async () => {
    await transport.publish(normal, sealed('system-state', systemStateV1Example as never));
    const { delivered } = consume();
    await eventually(() => expect(delivered).toHaveLength(1));
    expect(delivered[0]).toMatchObject({
      kind: 'system-state',
      upcastFrom: 1,
      message: { version: 2, training: { loss: 0.612, accuracy: null } },
    });
    expect(transport.counters().upcasted).toBe(1);
  });

  it('dead-letters authentic but invalid messages naming the fields, and drops stale and unreadable entries', async () => {
    await transport.publish(normal, sealed('field-report', { ...esperExamples['field-report'], observationEpochs: -1 }));
    await transport.publish(normal, sealed('field-report', esperExamples['field-report'], { kind: 'seed-report' }));
    await transport.publish(normal, sealed('telemetry', esperExamples.telemetry, { sentAt: new Date(Date.now() - 61_000).toISOString() }));
    await bus.backend.append(normal, { envelope: '{"kind":' });
    const { delivered } = consume();

    await eventually(() =>
      expect(transport.counters()).toMatchObject({ rejectedInvalid: 1, rejectedUnknownKind: 1, droppedStale: 1, droppedMalformed: 1 }),
    );
    expect(delivered).toEqual([]);
    const letters = await transport.deadLetters();
    expect(letters.map((l) => l.reason)).toEqual(['unknown_kind', 'invalid']);
    expect(letters[1]!.error).toContain('observationEpochs');
    expect(await pending()).toEqual([]);
  });

  it('refuses to publish to the dead-letter stream, to an unknown stream or a malformed envelope, and to consume the dead letters', async () => {
    const envelope = sealed('telemetry', esperExamples.telemetry);
    await expect(transport.publish(oonaStreams.deadLetter, envelope)).rejects.toThrow(/dead letters are written by consumers/);
    await expect(transport.publish('oona.bogus' as OonaStream, envelope)).rejects.toThrow('unknown Oona stream "oona.bogus"');
    await expect(transport.publish(normal, { ...envelope, signature: 'unsigned' })).rejects.toThrow(/signature: must be 64 lower-case hex/);
    const signal = new AbortController().signal;
    await expect(
      transport.consume({ streams: [oonaStreams.deadLetter], group: GROUP, consumer: 'x', handler: async () => undefined, signal }),
    ).rejects.toThrow(/not a consumable Oona stream/);
  });

  it('stops cleanly: consume resolves on abort and nothing is taken afterwards', async () => {
    const { delivered, stop } = consume();
    await wait(50);
    const stoppedWithin = Date.now();
    await stop();
    expect(Date.now() - stoppedWithin).toBeLessThan(1_000);
    await transport.publish(normal, sealed('telemetry', esperExamples.telemetry));
    await wait(300);
    expect(delivered).toEqual([]);
    const next = consume(async () => undefined, { consumer: 'worker-2' });
    await eventually(() => expect(next.delivered).toHaveLength(1));
  });

  it('gives a handler that ignores the close its grace time, then leaves its entry pending and never acknowledges it', async () => {
    let finish!: () => void;
    const slow = new Promise<void>((resolve) => (finish = resolve));
    await transport.publish(normal, sealed('telemetry', esperExamples.telemetry));
    const { delivered, stop } = consume(() => slow);
    await eventually(() => expect(delivered).toHaveLength(1));
    const closing = Date.now();
    await stop();
    expect(Date.now() - closing).toBeGreaterThanOrEqual(450); // shutdownGraceMs
    finish();
    await wait(100);
    expect(await pending()).toHaveLength(1);
    expect(transport.counters().handled).toBe(0);
  });
});

describe('the consumer loop', () => {
  it('reports a failed round, waits, and carries on', async () => {
    const store = new InProcessStreamStore();
    let failures = 1;
    const flaky = new Proxy(store, {
      get(target, property, receiver) {
        if (property === 'listPending' && failures > 0) {
          failures -= 1;
          return async () => {
            throw new Error('connection reset');
          };
        }
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const errors: string[] = [];
    const transport = createStreamTransport(flaky, {
      secrets: [TEST_SECRET],
      blockMs: 50,
      onError: (error, during) => errors.push(`${during}: ${String(error)}`),
    });
    await transport.publish(normal, sealed('telemetry', esperExamples.telemetry));
    const controller = new AbortController();
    const done = transport.consume({
      streams: [normal],
      group: GROUP,
      consumer: 'worker-1',
      handler: async () => undefined,
      signal: controller.signal,
    });
    await eventually(() => expect(transport.counters().handled).toBe(1));
    controller.abort();
    await done;
    expect(errors).toEqual(['consumer worker-1 of group relay: Error: connection reset']);
  });
});
