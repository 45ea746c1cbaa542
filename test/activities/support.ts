/**
 * Shared set-up for activity-level tests: real clients pointed at the doubles, a real SQL store on a fresh PostgreSQL database,
 * and activities run inside Temporal's MockActivityEnvironment.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../../activities';
import { loadConfig, type RelayConfig } from '../../contracts/config';
import type { InboundMessage } from '../../contracts/message';
import { testMessage } from '../support/harness';
import { openTestStore, reopenTestStore, type TestStore } from '../support/postgres';

/** Temp dirs and closables created by a test; `cleanup()` releases them (call it from afterEach). */
export class Resources {
  private readonly dirs: string[] = [];
  private readonly closables: Array<{ close(): Promise<void> }> = [];

  tempDir(prefix = 'relay-activity-test-'): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
    this.dirs.push(dir);
    return dir;
  }

  track<T extends { close(): Promise<void> }>(closable: T): T {
    this.closables.push(closable);
    return closable;
  }

  async cleanup(): Promise<void> {
    const closables = this.closables.splice(0);
    await Promise.allSettled(closables.map((closable) => closable.close()));
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}

/** The relay config as the worker would load it from these environment variables (no `.env` file). */
export function makeConfig(env: Record<string, string> = {}): RelayConfig {
  return loadConfig({ RELAY_LOG_LEVEL: 'silent', ...env }, '/nonexistent/.env');
}

/** A store on a fresh database, closed (and the database dropped) by `resources.cleanup()`. */
export async function makeStore(resources: Resources): Promise<TestStore> {
  return resources.track(await openTestStore());
}

/** Another store on the same database, as a restarted worker (or a second process) would open it. */
export function reopenStore(resources: Resources, store: TestStore): TestStore {
  return resources.track(reopenTestStore(store));
}

export function makeActivities(deps: ActivityDeps) {
  return createActivities(deps);
}

const quietLogger = new DefaultLogger('ERROR');

/** Runs one activity invocation (one attempt) in a fresh mock activity context. */
export function runActivity<P extends unknown[], R>(fn: (...args: P) => Promise<R>, ...args: P): Promise<R> {
  return new MockActivityEnvironment(undefined, { logger: quietLogger }).run(fn, ...args);
}

/** Awaits a promise that must reject with an ApplicationFailure and returns that failure. */
export async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  if (caught === undefined) throw new Error('expected the activity to fail, but it succeeded');
  if (!(caught instanceof ApplicationFailure)) {
    throw new Error(`expected an ApplicationFailure, got ${String(caught)}`, { cause: caught });
  }
  return caught;
}

/** A validated inbound message (a CLI text message "hello" unless overridden). */
export function inbound(overrides: Partial<InboundMessage> = {}): InboundMessage {
  return testMessage(overrides.text ?? 'hello', overrides);
}

type Activities = ReturnType<typeof createActivities>;

/** Runs steps 1-3 (gate, context, route) for a message, giving the input of `orchestrateAgent`. */
export async function prepareOrchestration(activities: Activities, message: InboundMessage) {
  const gate = await runActivity(activities.securityGate, message);
  const context = await runActivity(activities.buildContext, message);
  const plan = await runActivity(activities.routeMessage, message);
  return { message, gate, context, plan };
}

/** Runs steps 1-4 for a message and returns the agent's reply (the gate must allow it). */
export async function converse(activities: Activities, message: InboundMessage) {
  const input = await prepareOrchestration(activities, message);
  if (!input.gate.allowed) throw new Error(`gate denied the message: ${input.gate.reason}`);
  return runActivity(activities.orchestrateAgent, input);
}
