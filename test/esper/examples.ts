/**
 * One realistic example of every Esper message, typed against the contracts (a contract change that breaks an
 * example fails the type check) and pinned on disk by the golden tests.
 */
import type { EsperMessageByKind } from '../../contracts/esper/registry';
import type { SystemStatePacketV1 } from '../../contracts/esper/system-state';

const hardware = { device: 'cuda:0', utilization: 0.87, memoryUsedGb: 17.5, memoryTotalGb: 24 };
const seeds = [
  { seedId: 'seed-l3-0', stage: 'TRAINING' as const, gradientNorm: 0.42, riskScore: 0.12, blueprintId: 'BP007' },
  { seedId: 'seed-l5-1', stage: 'DORMANT' as const, gradientNorm: 0, riskScore: 0 },
];

export const esperExamples: { [K in keyof EsperMessageByKind]: EsperMessageByKind[K] } = {
  'system-state': {
    version: 2,
    runId: 'run-2025-06-01-cifar',
    epoch: 42,
    globalStep: 16_464,
    capturedAt: '2025-06-01T12:00:00.000Z',
    hardware,
    seeds,
    training: { loss: 0.612, accuracy: 0.803 },
    validation: { loss: 0.701, accuracy: 0.774 },
  },
  'adaptation-command': {
    version: 1,
    commandId: 'cmd-0a1b2c3d',
    type: 'SEED',
    runId: 'run-2025-06-01-cifar',
    targetSeedId: 'seed-l5-1',
    issuedAt: '2025-06-01T12:00:00.018Z',
    issuedBy: 'tamiyo',
    executionDeadline: '2025-06-01T12:00:30.000Z',
    payload: { action: 'GERMINATE', blueprintId: 'BP012' },
  },
  'emergency-signal': {
    version: 1,
    level: 'CONSERVATIVE',
    reason: 'Tezzeret circuit breaker open after 3 failed compiles',
    origin: 'tamiyo',
    runId: 'run-2025-06-01-cifar',
    raisedAt: '2025-06-01T12:01:10.000Z',
  },
  telemetry: {
    version: 1,
    source: 'kasmina',
    runId: 'run-2025-06-01-cifar',
    capturedAt: '2025-06-01T12:00:05.000Z',
    health: 'DEGRADED',
    metrics: [
      { name: 'kasmina.epoch_hook_ms', value: 19.4, unit: 'ms' },
      { name: 'kasmina.active_seeds', value: 1, labels: { layer: 'l3' } },
    ],
    events: [
      {
        name: 'kasmina.kernel_fetch_slow',
        severity: 'WARNING',
        message: 'kernel fetch took 14 ms (budget 10 ms)',
        at: '2025-06-01T12:00:04.250Z',
        attributes: { seed_id: 'seed-l3-0' },
      },
    ],
  },
  'field-report': {
    version: 1,
    reportId: 'fr-cmd-0a1b2c3d',
    commandId: 'cmd-0a1b2c3d',
    runId: 'run-2025-06-01-cifar',
    seedId: 'seed-l5-1',
    blueprintId: 'BP012',
    outcome: 'SUCCESS',
    observationEpochs: 5,
    metricDeltas: { val_loss: -0.041, val_accuracy: 0.012 },
    reportedBy: 'tamiyo',
    reportedAt: '2025-06-01T12:09:00.000Z',
  },
  'compile-request': {
    version: 1,
    jobId: 'compile-BP012-7f3e',
    blueprintId: 'BP012',
    tier: 'SAFE',
    strategy: 'FAST',
    requestedBy: 'relay',
    requestedAt: '2025-06-01T11:58:00.000Z',
    deadline: '2025-06-01T11:59:05.000Z',
  },
  'kernel-ready': {
    version: 1,
    jobId: 'compile-BP012-7f3e',
    blueprintId: 'BP012',
    kernelId: 'k-BP012-7f3e',
    artifactRef: 'urza://kernels/BP012/k-BP012-7f3e',
    checksum: 'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    compileMs: 41_250,
    readyAt: '2025-06-01T11:58:41.250Z',
  },
  'kernel-error': {
    version: 1,
    jobId: 'compile-BP044-11aa',
    blueprintId: 'BP044',
    code: 'TIMEOUT',
    message: 'STANDARD compile exceeded its 250 s budget',
    retryable: true,
    failedAt: '2025-06-01T12:04:10.000Z',
  },
  'safety-sheet': {
    version: 1,
    kernelId: 'k-BP012-7f3e',
    blueprintId: 'BP012',
    riskScore: 0.18,
    hazardBand: 'LOW',
    handlingClass: 'STANDARD',
    decision: 'GO',
    checks: [
      { name: 'gradient_explosion', passed: true },
      { name: 'memory_bound', passed: true },
    ],
    evaluatedAt: '2025-06-01T11:59:20.000Z',
  },
  'benchmark-report': {
    version: 1,
    kernelId: 'k-BP012-7f3e',
    blueprintId: 'BP012',
    device: 'cuda:0',
    batchSize: 128,
    latencyMs: { p50: 3.2, p95: 4.9 },
    throughputPerSecond: 39_250,
    peakMemoryMb: 812,
    measuredAt: '2025-06-01T12:08:00.000Z',
  },
  'validation-request': {
    version: 1,
    requestId: 'bp-BP012-7f3e',
    kernelId: 'k-BP012-7f3e',
    blueprintId: 'BP012',
    artifactRef: 'urza://kernels/BP012/k-BP012-7f3e',
    checksum: 'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    benchmark: true,
    requestedBy: 'relay',
    requestedAt: '2025-06-01T11:58:42.000Z',
    deadline: '2025-06-01T12:14:12.000Z',
  },
};

/** The same epoch as `esperExamples['system-state']`, as a version 1 producer wrote it. */
export const systemStateV1Example: SystemStatePacketV1 = {
  version: 1,
  runId: 'run-2025-06-01-cifar',
  epoch: 42,
  globalStep: 16_464,
  capturedAt: '2025-06-01T12:00:00.000Z',
  hardware,
  seeds,
  loss: 0.612,
  validationLoss: 0.701,
  accuracy: 0.774,
};
