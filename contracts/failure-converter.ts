/**
 * The relay's failure converter, loaded by path (a workflow bundle takes a module, not an instance): failure
 * messages and stack traces move into an encoded attribute, which the payload codec encrypts like any payload;
 * the history keeps "Encoded failure" in their place. Decoding restores both before workflow code, a client or
 * `relay trace` reads them.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
