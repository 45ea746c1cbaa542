/**
 * The one entry point for reading an Esper message: `parseEsperMessage(kind, raw)` validates untrusted input
 * against the contract of its kind and version, upcasts older versions step by step to the current one, and
 * answers a typed rejection instead of throwing. Schemas only: safe for workflows.
 */
import type { z } from 'zod';
import { adaptationCommandSchema, type AdaptationCommand } from './adaptation-command';
import { emergencySignalSchema, type EmergencySignal } from './emergency-signal';
import { benchmarkReportSchema, safetySheetSchema, type BenchmarkReport, type SafetySheet } from './evaluation';
import { fieldReportSchema, type FieldReport } from './field-report';
import {
  compileRequestSchema,
  kernelErrorSchema,
  kernelReadySchema,
  type CompileRequest,
  type KernelError,
  type KernelReady,
} from './kernels';
import { systemStatePacketSchema, systemStatePacketV1Schema, upcastSystemStateV1, type SystemStatePacket } from './system-state';
import { telemetryPacketSchema, type TelemetryPacket } from './telemetry';
import { validationRequestSchema, type ValidationRequest } from './validation-request';

/** The message type each kind carries, at its current version. */
export interface EsperMessageByKind {
  'system-state': SystemStatePacket;
  'adaptation-command': AdaptationCommand;
  'emergency-signal': EmergencySignal;
  telemetry: TelemetryPacket;
  'field-report': FieldReport;
  'compile-request': CompileRequest;
  'kernel-ready': KernelReady;
  'kernel-error': KernelError;
  'safety-sheet': SafetySheet;
  'benchmark-report': BenchmarkReport;
  'validation-request': ValidationRequest;
}
export type EsperMessageKind = keyof EsperMessageByKind;

/** A parsed message tagged with its kind, so a `switch (kind)` narrows `message`. */
export type EsperMessage = { [K in EsperMessageKind]: { kind: K; message: EsperMessageByKind[K] } }[EsperMessageKind];

/** Reads version `version` (already validated by `schema`) and returns the raw form of version `version + 1`. */
interface Upcaster {
  version: number;
  schema: z.ZodType;
  upcast: (old: never) => unknown;
}

interface KindContract<T> {
  /** The current version: what producers write and consumers receive. */
  version: number;
  schema: z.ZodType<T>;
  /** One per older version still readable, oldest first, each lifting its version by one. */
  upcasters: readonly Upcaster[];
}

const esperContracts: { [K in EsperMessageKind]: KindContract<EsperMessageByKind[K]> } = {
  'system-state': {
    version: 2,
    schema: systemStatePacketSchema,
    upcasters: [{ version: 1, schema: systemStatePacketV1Schema, upcast: upcastSystemStateV1 }],
  },
  'adaptation-command': { version: 1, schema: adaptationCommandSchema, upcasters: [] },
  'emergency-signal': { version: 1, schema: emergencySignalSchema, upcasters: [] },
  telemetry: { version: 1, schema: telemetryPacketSchema, upcasters: [] },
  'field-report': { version: 1, schema: fieldReportSchema, upcasters: [] },
  'compile-request': { version: 1, schema: compileRequestSchema, upcasters: [] },
  'kernel-ready': { version: 1, schema: kernelReadySchema, upcasters: [] },
  'kernel-error': { version: 1, schema: kernelErrorSchema, upcasters: [] },
  'safety-sheet': { version: 1, schema: safetySheetSchema, upcasters: [] },
  'benchmark-report': { version: 1, schema: benchmarkReportSchema, upcasters: [] },
  'validation-request': { version: 1, schema: validationRequestSchema, upcasters: [] },
};

/** Every message kind the relay reads. */
export const esperMessageKinds = Object.keys(esperContracts) as EsperMessageKind[];

/** The version producers must write for `kind`. */
export function currentEsperVersion(kind: EsperMessageKind): number {
  return esperContracts[kind].version;
}

/** Whether `kind` names a message kind the relay reads. */
export function isEsperMessageKind(kind: unknown): kind is EsperMessageKind {
  return typeof kind === 'string' && Object.hasOwn(esperContracts, kind);
}

/** One field a parse rejected: its dotted path (`seeds.0.stage`) and why. */
export interface EsperFieldIssue {
  path: string;
  message: string;
}

/** A message that passed its contract, at the current version. */
export type EsperParseSuccess = EsperMessage & {
  ok: true;
  /** The version the input was written in, when it was older and has been upcast. */
  upcastFrom?: number;
};

export interface EsperParseRejection {
  ok: false;
  /** `unknown_kind`: no such message; `future_version`: newer than this relay reads; `invalid`: anything else. */
  reason: 'unknown_kind' | 'future_version' | 'invalid';
  detail: string;
  /** The fields that failed validation (empty unless the reason is `invalid` because of fields). */
  issues: EsperFieldIssue[];
}

/** Either the typed message or a typed rejection; `parseEsperMessage` never throws. */
export type EsperParseResult = EsperParseSuccess | EsperParseRejection;

/** Validates (and, for an older version, upcasts) one message. Never throws on bad input. */
export function parseEsperMessage(kind: string, raw: unknown): EsperParseResult {
  if (!isEsperMessageKind(kind)) {
    return reject('unknown_kind', `unknown Esper message kind ${quote(kind)}; known kinds: ${esperMessageKinds.join(', ')}`);
  }
  const contract: KindContract<unknown> = esperContracts[kind];
  const version = readVersion(raw);
  if (version === undefined) {
    return reject('invalid', `invalid ${kind}: version must be a positive integer`, [
      { path: 'version', message: 'must be a positive integer' },
    ]);
  }
  if (version > contract.version) {
    return reject(
      'future_version',
      `${kind} version ${version} is newer than the newest version this relay reads (${contract.version}); upgrade esper-relay to accept it`,
    );
  }
  try {
    return upcastAndParse(kind, contract, version, raw);
  } catch (error) {
    // Upcasters are pure, but a bug in one must still surface as a rejection, never as a crashed consumer.
    return reject('invalid', `could not upcast ${kind} version ${version}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function upcastAndParse(kind: EsperMessageKind, contract: KindContract<unknown>, version: number, raw: unknown): EsperParseResult {
  const start = contract.upcasters.findIndex((upcaster) => upcaster.version === version);
  if (version !== contract.version && start < 0) {
    const oldest = contract.upcasters[0]?.version ?? contract.version;
    return reject('invalid', `${kind} version ${version} is not readable (readable versions: ${oldest}..${contract.version})`);
  }
  let value = raw;
  for (const upcaster of start < 0 ? [] : contract.upcasters.slice(start)) {
    const parsed = upcaster.schema.safeParse(value);
    if (!parsed.success) return invalid(`invalid ${kind} version ${upcaster.version}`, parsed.error);
    value = upcaster.upcast(parsed.data as never);
  }
  const parsed = contract.schema.safeParse(value);
  if (!parsed.success) {
    const what = start < 0 ? `invalid ${kind} version ${version}` : `${kind} upcast from version ${version} is invalid`;
    return invalid(what, parsed.error);
  }
  const message = { kind, message: parsed.data } as EsperMessage;
  return start < 0 ? { ok: true, ...message } : { ok: true, ...message, upcastFrom: version };
}

function readVersion(raw: unknown): number | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const version = (raw as { version?: unknown }).version;
  return typeof version === 'number' && Number.isSafeInteger(version) && version >= 1 ? version : undefined;
}

function invalid(what: string, error: z.ZodError): EsperParseRejection {
  const issues = error.issues.map((issue) => ({ path: issue.path.map(String).join('.') || '(message)', message: issue.message }));
  return reject('invalid', `${what}: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`, issues);
}

function reject(reason: EsperParseRejection['reason'], detail: string, issues: EsperFieldIssue[] = []): EsperParseRejection {
  return { ok: false, reason, detail, issues };
}

/** Quotes untrusted text for an error message, cut short so a hostile kind cannot flood the logs. */
function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text);
}
