/**
 * mTLS in front of the test run's dev server, which has no TLS flags of its own: a throwaway CA made with
 * openssl, a server and a client certificate signed by it, and a TLS terminator (what a load balancer or ingress
 * does in front of a Temporal cluster) that refuses any client without a certificate from that CA and forwards
 * the decrypted HTTP/2 bytes to the dev server.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';

export interface TestCertificates {
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

/** The name the server certificate is issued to; clients connect to 127.0.0.1 and override the TLS name to it. */
export const TLS_SERVER_NAME = 'temporal.relay.test';

const openssl = (args: string[], cwd: string) => execFileSync('openssl', args, { cwd, stdio: 'pipe' });
const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** Writes a CA, a server certificate (SAN {@link TLS_SERVER_NAME}) and a client certificate into `dir`. */
export function makeTestCertificates(dir: string): TestCertificates {
  openssl(
    ['req', '-x509', ...newKey, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=relay test CA'].concat([
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]),
    dir,
  );
  const issue = (name: string, extensions: string) => {
    writeFileSync(path.join(dir, `${name}.ext`), extensions);
    openssl(['req', ...newKey, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`], dir);
    openssl(
      ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1'].concat([
        '-out',
        `${name}.pem`,
        '-extfile',
        `${name}.ext`,
      ]),
      dir,
    );
  };
  issue('server', `subjectAltName=DNS:${TLS_SERVER_NAME}\nextendedKeyUsage=serverAuth\n`);
  issue('client', 'extendedKeyUsage=clientAuth\n');
  const file = (name: string) => path.join(dir, name);
  return {
    caCert: file('ca.pem'),
    serverCert: file('server.pem'),
    serverKey: file('server.key'),
    clientCert: file('client.pem'),
    clientKey: file('client.key'),
  };
}

export interface MtlsProxy {
  /** `127.0.0.1:port` to connect to with TLS. */
  address: string;
  close(): Promise<void>;
}

/** Listens with TLS on a free loopback port, requiring a client certificate, and forwards to `target`. */
export async function startMtlsProxy(target: string, certificates: TestCertificates): Promise<MtlsProxy> {
  const [targetHost, targetPort] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  const sockets = new Set<net.Socket>();
  const server = tls.createServer(
    {
      cert: readFileSync(certificates.serverCert),
      key: readFileSync(certificates.serverKey),
      ca: readFileSync(certificates.caCert),
      requestCert: true,
      rejectUnauthorized: true,
      // gRPC clients insist on HTTP/2 being negotiated.
      ALPNProtocols: ['h2'],
    },
    (client) => {
      const upstream = net.connect(targetPort, targetHost);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
        socket.on('error', () => (socket === client ? upstream : client).destroy());
      }
      client.pipe(upstream).pipe(client);
    },
  );
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
