import { failureTypes, terminalFailure } from '../../contracts/errors';
import type { ActivityDeps } from '../deps';
import type { EsperDeps } from './deps';

/** The Esper dependencies, or a final failure: retrying on a worker without a bus cannot help. */
export function requireEsper(deps: ActivityDeps): EsperDeps {
  if (!deps.esper) throw terminalFailure(failureTypes.invalidInput, 'Esper is not configured on this worker (no bus to publish to)');
  return deps.esper;
}
