/**
 * The bus ingress of the health registry: every TelemetryPacket on `oona.telemetry` signals (signal-with-start)
 * the registry of this relay's task queue. The entry is acknowledged only once Temporal accepted the signal; if
 * Temporal is unreachable the handler throws and the bus retries. A redelivered entry carries the same envelope
 * id, which the registry counts once.
 */
import type { Client } from '@temporalio/client';
import type { EsperHealthOptions } from '../../contracts/esper/health';
import { oonaStreams, type EsperHandler, type EsperTransport } from '../../contracts/esper/transport';
import { signalHealthTelemetry } from './health-client';

/** The relay's consumer group for telemetry health. */
export const HEALTH_INGRESS_GROUP = 'relay-health';

export interface HealthIngressOptions {
  client: Client;
  /** The relay task queue whose registry is signalled (and where it runs). */
  taskQueue: string;
  /** Used when the signal starts the registry (tests shorten the breakers' periods). */
  health?: EsperHealthOptions;
}

/** The handler: resolves once the registry took the packet; throws to have it retried. */
export function createHealthIngress({ client, taskQueue, health }: HealthIngressOptions): EsperHandler {
  return async (delivery) => {
    if (delivery.kind !== 'telemetry') return;
    await signalHealthTelemetry(client, taskQueue, { messageId: delivery.envelope.id, message: delivery.message }, health);
  };
}

/** Runs the ingress consumer until `signal` aborts. */
export function runHealthIngress(transport: EsperTransport, options: HealthIngressOptions & { signal: AbortSignal; consumer?: string }) {
  return transport.consume({
    streams: [oonaStreams.telemetry],
    group: HEALTH_INGRESS_GROUP,
    consumer: options.consumer ?? 'relay-1',
    handler: createHealthIngress(options),
    signal: options.signal,
  });
}
