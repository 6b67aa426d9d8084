// Certificates for the TLS tests, made with the openssl command line in a
// temporary directory: authorities, certificates they sign, and expired
// ones (`openssl ca` with explicit dates). P-256 keys: quick to make.
//
//   const pki = await Pki.create();
//   const ca = await pki.authority('site');
//   const a = await pki.certificate('a', ca); // {cert, key, ca}

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { promisify } from 'node:util';

import { TempDir } from './node.mjs';

const run = promisify(execFile);

const KEY_ARGS = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

export class Pki {
  static async create() {
    return new Pki(await TempDir.create('signalbox-pki-'));
  }

  constructor(dir) {
    this.dir = dir;
    this.serial = 1;
  }

  /** A self-signed authority: {name, cert, key}. */
  async authority(name) {
    const cert = this.dir.file(`${name}.ca.pem`);
    const key = this.dir.file(`${name}.ca.key`);
    await run('openssl', ['req', '-x509', ...KEY_ARGS, '-keyout', key, '-out', cert, '-days', '30', '-subj', `/CN=${name}`]);
    return { name, cert, key };
  }

  /**
   * A certificate for `name` signed by `ca`, valid from `start` to `end`
   * (openssl's YYYYMMDDHHMMSSZ; default: now for 30 days): {cert, key, ca}
   * where ca is the authority's certificate file. `server`: the name is
   * also 127.0.0.1 and localhost (subjectAltName), as clients that check
   * the server's name need.
   */
  async certificate(name, ca, { start, end, server = false } = {}) {
    const key = this.dir.file(`${name}.key`);
    const csr = this.dir.file(`${name}.csr`);
    const cert = this.dir.file(`${name}.pem`);
    await run('openssl', ['req', ...KEY_ARGS, '-keyout', key, '-out', csr, '-subj', `/CN=${name}`]);
    const ext = [];
    if (server) {
      const file = this.dir.file(`${name}.ext`);
      await fs.promises.writeFile(file, 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
      ext.push('-extfile', file);
    }
    if (start === undefined) {
      await run('openssl', ['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-set_serial', String(this.serial++), '-out', cert, '-days', '30', ...ext]);
    } else {
      await run('openssl', ['ca', '-batch', '-config', await this.caConfig(ca), '-cert', ca.cert, '-keyfile', ca.key, '-in', csr, '-out', cert, '-startdate', start, '-enddate', end, ...ext]);
    }
    return { cert, key, ca: ca.cert };
  }

  /** A minimal `openssl ca` configuration and database for `ca`. */
  async caConfig(ca) {
    const db = this.dir.file(`${ca.name}.db`);
    const config = this.dir.file(`${ca.name}.cnf`);
    if (!fs.existsSync(config)) {
      await fs.promises.mkdir(db);
      await fs.promises.writeFile(`${db}/index.txt`, '');
      await fs.promises.writeFile(`${db}/serial`, '1000\n');
      await fs.promises.writeFile(
        config,
        [
          '[ca]',
          'default_ca = test',
          '[test]',
          `database = ${db}/index.txt`,
          `new_certs_dir = ${db}`,
          `serial = ${db}/serial`,
          'default_md = sha256',
          'policy = any',
          '[any]',
          'commonName = supplied',
          '',
        ].join('\n'),
      );
    }
    return config;
  }

  async remove() {
    await this.dir.remove();
  }
}

/** The node's options for a TLS identity {cert, key, ca}. */
export function clusterTlsArgs({ cert, key, ca }) {
  return [`--cluster.tls-cert=${cert}`, `--cluster.tls-key=${key}`, `--cluster.tls-ca=${ca}`];
}
