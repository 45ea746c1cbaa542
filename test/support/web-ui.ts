/**
 * What a browser test of the Temporal Web UI needs: a dev server WITH the UI (the global one is headless), the
 * relay's codec endpoint so the UI shows decrypted payloads and summaries as it does under `relay up`, and
 * Debian's Chromium driven by playwright-core (which never downloads a browser of its own).
 */
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { loadConfig } from '../../contracts/config';
import { startCodecServer, webUiOrigins } from '../../workers/codec-server';
import { freePort, startDevServer } from '../../workers/dev-server';
import { createPayloadCodec } from '../../workers/payload-encryption';
import { resolveTemporalBinary } from '../../workers/temporal-binary';

/** Debian's `chromium` package; installed by the test when missing (as root), and by `.ci/run`. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Headless and quiet: this machine has no internet, and without the background-networking flags Chromium keeps
 * trying to reach Google's hosts.
 */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Installs Debian's Chromium when it is missing and this process may (root, with apt-get), as `relay setup`
 * provisions the Temporal CLI: a fresh machine passes `npm test` with no manual step. Minutes, once per machine.
 */
async function provisionChromium(): Promise<void> {
  if (existsSync(CHROMIUM_PATH) || process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) return;
  console.log("installing Debian's chromium for the Web UI test (once per machine)…");
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = (args: string[]) =>
    new Promise<void>((resolve) => spawn('apt-get', args, { env, stdio: 'ignore' }).once('exit', () => resolve()));
  await run(['update', '-qq']);
  await run(['install', '-y', '-qq', '--no-install-recommends', 'chromium']);
}

/** Launches Debian's Chromium (installing it if it can); fails (never skips) with what to install when missing. */
export async function launchChromium(): Promise<Browser> {
  await provisionChromium();
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `${CHROMIUM_PATH} is missing: the Web UI test drives Debian's Chromium. Install it with ` +
        '`apt-get install -y --no-install-recommends chromium` (.ci/run does this on a fresh machine).',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 30_000 });
}

export interface WebUiServer {
  /** The Web UI, e.g. `http://127.0.0.1:41234`. */
  uiUrl: string;
  /** Environment for `startHarness`: this server's address and the key its codec endpoint decrypts with. */
  env: { TEMPORAL_ADDRESS: string; RELAY_ENCRYPTION_KEYS: string };
  stop(): Promise<void>;
}

/**
 * An in-memory dev server with the Web UI on a free port, and a codec endpoint holding a fresh key that only
 * this server's UI may call (CORS), as `relay up` wires them.
 */
export async function startWebUiServer(): Promise<WebUiServer> {
  const config = loadConfig(process.env, '/nonexistent/.env');
  const binary = await resolveTemporalBinary({
    explicitPath: config.temporal.binary,
    cacheDir: config.temporal.cacheDir,
    searchPath: config.temporal.searchPath,
    log: () => {},
  });
  const keys = `web-ui-test:${randomBytes(32).toString('base64')}`;
  const codec = createPayloadCodec(loadConfig({ RELAY_ENCRYPTION_KEYS: keys }, '/nonexistent/.env'));
  // The UI port must be known before the codec endpoint starts: only that origin may call it.
  const uiPort = await freePort();
  const codecServer = await startCodecServer({ codec, port: 0, allowedOrigins: webUiOrigins(uiPort) });
  try {
    const server = await startDevServer({ binary, namespace: 'default', port: 0, uiPort, codecEndpoint: codecServer.url });
    return {
      uiUrl: server.uiUrl!,
      env: { TEMPORAL_ADDRESS: server.address, RELAY_ENCRYPTION_KEYS: keys },
      stop: async () => {
        await server.stop();
        await codecServer.close();
      },
    };
  } catch (error) {
    await codecServer.close();
    throw error;
  }
}
