/**
 * The simulator's Karn: the prototype's fixed catalogue BP001–BP050 in its three tiers, each blueprint with an
 * architecture family and the base risk Urabrask's simulated evaluation starts from. SAFE blueprints rate LOW,
 * EXPERIMENTAL ones MEDIUM, HIGH_RISK ones HIGH (so they pass validation and then wait for a human).
 */
import { blueprintTier, type BlueprintId, type BlueprintTier } from '../contracts/esper/lifecycle';

export interface KarnBlueprint {
  blueprintId: BlueprintId;
  tier: BlueprintTier;
  family: string;
  /** Where Urabrask's risk score centres, 0..1. */
  baseRisk: number;
}

const families = [
  'residual-conv',
  'depthwise-separable',
  'attention-head',
  'gated-mlp',
  'low-rank-adapter',
  'squeeze-excite',
  'mixture-of-experts',
];

/** Base risk by tier: spread a little within the tier, clear of the band edges (0.25 / 0.5 / 0.75). */
const riskOf = (tier: BlueprintTier, n: number) =>
  tier === 'SAFE' ? 0.05 + (n % 6) * 0.025 : tier === 'EXPERIMENTAL' ? 0.3 + (n % 4) * 0.03 : 0.55 + (n % 4) * 0.03;

/** All fifty blueprints, in catalogue order. */
export const karnCatalogue: readonly KarnBlueprint[] = Array.from({ length: 50 }, (_, index) => {
  const n = index + 1;
  const blueprintId = `BP${String(n).padStart(3, '0')}`;
  const tier = blueprintTier(blueprintId);
  return { blueprintId, tier, family: families[index % families.length]!, baseRisk: riskOf(tier, n) };
});

/** A catalogue blueprint, or undefined for an id outside BP001–BP050. */
export function karnBlueprint(blueprintId: string): KarnBlueprint | undefined {
  return karnCatalogue.find((blueprint) => blueprint.blueprintId === blueprintId);
}
