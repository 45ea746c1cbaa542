/**
 * The simulator's Urabrask: evaluates a compiled kernel into a safety sheet (risk score, hazard band, handling
 * class, go/no-go) and then a benchmark report. The risk centres on Karn's base risk for the blueprint; a
 * configurable set of blueprints rates CRITICAL and NO_GO.
 */
import type { HazardBand, SafetySheet } from '../contracts/esper/evaluation';
import type { EsperMessage } from '../contracts/esper/registry';
import { oonaStreams } from '../contracts/esper/transport';
import type { ValidationRequest } from '../contracts/esper/validation-request';
import { karnBlueprint } from './karn-catalogue';
import { jitter, type Random } from './random';
import type { ScheduledReply, SimulatedAnswer, SimulatedSubsystem } from './subsystem';

export interface UrabraskOptions {
  /** Mean ms until the safety sheet (±20 %); default 1 s (ESPER: up to 30 s). */
  validationMs?: number;
  /** Mean ms from the sheet to the benchmark report; default 2 s (ESPER: 8–15 min). */
  benchmarkMs?: number;
  /** These rate CRITICAL and NO_GO. */
  hazardousBlueprints?: readonly string[];
  /** Validations of these are never answered. */
  silentBlueprints?: readonly string[];
}

/** Urabrask's bands: below 0.25 LOW, 0.5 MEDIUM, 0.75 HIGH, else CRITICAL. */
export function hazardBandOf(riskScore: number): HazardBand {
  if (riskScore < 0.25) return 'LOW';
  if (riskScore < 0.5) return 'MEDIUM';
  return riskScore < 0.75 ? 'HIGH' : 'CRITICAL';
}

const handlingOf = { LOW: 'STANDARD', MEDIUM: 'STANDARD', HIGH: 'RESTRICTED', CRITICAL: 'QUARANTINE' } as const;
const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Urabrask, answering `validation-request`s with a `safety-sheet` and (if asked, and GO) a `benchmark-report`. */
export function createUrabrask(options: UrabraskOptions = {}): SimulatedSubsystem {
  const hazardous = new Set(options.hazardousBlueprints ?? []);
  const silent = new Set(options.silentBlueprints ?? []);
  return {
    name: 'urabrask',
    handles: ['validation-request'],
    streams: [oonaStreams.kernelRequests],
    jobKey: (request) => `validate:${(request.message as ValidationRequest).kernelId}`,
    answer(request: EsperMessage, random: Random): SimulatedAnswer {
      const validation = request.message as ValidationRequest;
      const { kernelId, blueprintId } = validation;
      const baseRisk = karnBlueprint(blueprintId)?.baseRisk ?? 0.5;
      const safetyMs = jitter(random, options.validationMs ?? 1_000);
      const benchmarkMs = safetyMs + jitter(random, options.benchmarkMs ?? 2_000);
      const spread = random();
      const riskScore = round(
        hazardous.has(blueprintId) ? 0.9 + spread * 0.08 : Math.min(1, Math.max(0, baseRisk + (spread - 0.5) * 0.08)),
        3,
      );
      const p50 = round(0.8 + baseRisk * 8 + random() * 0.5, 2);
      const p95 = round(p50 * (1.15 + random() * 0.3), 2);
      const peakMemoryMb = Math.round(200 + random() * 800);
      if (silent.has(blueprintId)) return { replies: [], note: `never answers the validation of ${kernelId} (silent)` };

      const hazardBand = hazardBandOf(riskScore);
      const decision = hazardBand === 'CRITICAL' ? 'NO_GO' : 'GO';
      const sheet = (evaluatedAt: string): SafetySheet => ({
        version: 1,
        kernelId,
        blueprintId,
        riskScore,
        hazardBand,
        handlingClass: handlingOf[hazardBand],
        decision,
        checks: [
          { name: 'gradient_explosion', passed: riskScore < 0.85 },
          { name: 'numerical_stability', passed: riskScore < 0.75 },
          { name: 'memory_bound', passed: riskScore < 0.95 },
          { name: 'interface_contract', passed: true },
        ],
        evaluatedAt,
      });
      const replies: ScheduledReply[] = [
        { delayMs: safetyMs, envelopeId: `urabrask.${kernelId}.safety`, build: (at) => ({ kind: 'safety-sheet', message: sheet(at) }) },
      ];
      // A NO_GO kernel is not worth minutes of benchmarking.
      if (validation.benchmark && decision === 'GO') {
        replies.push({
          delayMs: benchmarkMs,
          envelopeId: `urabrask.${kernelId}.benchmark`,
          build: (measuredAt) => ({
            kind: 'benchmark-report',
            message: {
              version: 1,
              kernelId,
              blueprintId,
              device: 'sim:0',
              batchSize: 128,
              latencyMs: { p50, p95 },
              throughputPerSecond: Math.round((128 * 1000) / p50),
              peakMemoryMb,
              measuredAt,
            },
          }),
        });
      }
      return { replies, note: `rates ${kernelId} ${hazardBand} (risk ${riskScore}, ${decision}) in ${safetyMs} ms` };
    },
  };
}
