import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../../src/config';
import { databaseConnection } from '../../../src/lib/db';
import { kafkaConnection } from '../../../src/lib/kafka';

/** What loadConfig throws for `overrides`, as text; '' when it accepts them. */
function refusal(overrides: Parameters<typeof loadConfig>[1]): string {
  try {
    loadConfig({}, overrides);
    return '';
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return (error as Error).message;
  }
}

describe('configuration of encrypted connections', () => {
  const folder = mkdtempSync(join(tmpdir(), 'orderflow-tls-config-'));
  const caFile = join(folder, 'ca.pem');
  const notPem = join(folder, 'not-pem.txt');
  writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  writeFileSync(notPem, 'hello');
  after(() => rmSync(folder, { recursive: true, force: true }));
  const sasl = { KAFKA_SECURITY_PROTOCOL: 'sasl_ssl', KAFKA_SASL_USERNAME: 'orderflow', KAFKA_SASL_PASSWORD: 'hunter2-but-longer' };

  describe('Kafka', () => {
    it('talks plaintext by default, giving kafkajs neither ssl nor sasl', () => {
      const config = loadConfig({}, {});
      expect(config.KAFKA_SECURITY_PROTOCOL).to.equal('plaintext');
      expect(config.KAFKA_SASL_MECHANISM).to.equal('scram-sha-512');
      expect(kafkaConnection(config)).to.deep.equal({ brokers: '127.0.0.1:19092', security: {} });
    });

    it('with ssl and no CA file, trusts the default CAs', () => {
      expect(kafkaConnection(loadConfig({}, { KAFKA_SECURITY_PROTOCOL: 'ssl' })).security).to.deep.equal({ ssl: true });
    });

    it('with sasl_ssl, signs in with SCRAM over TLS trusting the CA file', () => {
      const config = loadConfig({}, { ...sasl, KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SSL_CA_FILE: caFile });
      expect(kafkaConnection(config).security).to.deep.equal({
        ssl: { ca: ['-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'] },
        sasl: { mechanism: 'scram-sha-256', username: 'orderflow', password: 'hunter2-but-longer' },
      });
    });

    it('refuses sasl_ssl without a username or a password, naming what is missing', () => {
      expect(refusal({ KAFKA_SECURITY_PROTOCOL: 'sasl_ssl' })).to.include('KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required when KAFKA_SECURITY_PROTOCOL is sasl_ssl');
      expect(refusal({ ...sasl, KAFKA_SASL_PASSWORD: '' })).to.include('KAFKA_SASL_PASSWORD is required when KAFKA_SECURITY_PROTOCOL is sasl_ssl');
    });

    it('refuses SASL credentials or a CA file that the protocol would ignore', () => {
      expect(refusal({ KAFKA_SASL_USERNAME: 'orderflow' })).to.include('KAFKA_SASL_USERNAME is set but KAFKA_SECURITY_PROTOCOL is plaintext');
      expect(refusal({ KAFKA_SECURITY_PROTOCOL: 'ssl', KAFKA_SASL_USERNAME: 'a', KAFKA_SASL_PASSWORD: 'b' })).to.include('KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are set but KAFKA_SECURITY_PROTOCOL is ssl');
      expect(refusal({ KAFKA_SSL_CA_FILE: caFile })).to.include('KAFKA_SSL_CA_FILE is set but KAFKA_SECURITY_PROTOCOL is plaintext');
    });

    it('refuses an unknown protocol or mechanism, naming the setting', () => {
      expect(refusal({ KAFKA_SECURITY_PROTOCOL: 'sasl_plaintext' })).to.match(/KAFKA_SECURITY_PROTOCOL='sasl_plaintext'/);
      expect(refusal({ ...sasl, KAFKA_SASL_MECHANISM: 'plain' })).to.match(/KAFKA_SASL_MECHANISM='plain'/);
    });

    it('never prints the SASL password, also when it is refused', () => {
      const message = refusal({ KAFKA_SASL_PASSWORD: 'hunter2-but-longer' });
      expect(message).to.include('KAFKA_SASL_PASSWORD is set but KAFKA_SECURITY_PROTOCOL is plaintext');
      expect(message).not.to.include('hunter2');
    });
  });

  describe('CA files', () => {
    it('refuses a CA file that cannot be read, naming the setting, the path and why', () => {
      const missing = join(folder, 'nowhere.pem');
      expect(refusal({ ...sasl, KAFKA_SSL_CA_FILE: missing })).to.include(`KAFKA_SSL_CA_FILE='${missing}': cannot be read (ENOENT)`);
      expect(refusal({ DATABASE_SSL: 'verify-full', DATABASE_SSL_CA_FILE: folder })).to.include(`DATABASE_SSL_CA_FILE='${folder}': cannot be read (EISDIR)`);
    });

    it('refuses a file that holds no PEM certificate', () => {
      expect(refusal({ DATABASE_SSL: 'verify-full', DATABASE_SSL_CA_FILE: notPem })).to.include('holds no PEM certificate');
    });
  });

  describe('PostgreSQL', () => {
    it('leaves TLS to DATABASE_URL by default, giving pg no ssl option', () => {
      expect(databaseConnection(loadConfig({}, {})).ssl).to.equal(undefined);
    });

    it('with require, encrypts without checking the certificate', () => {
      expect(databaseConnection(loadConfig({}, { DATABASE_SSL: 'require' })).ssl).to.deep.equal({ rejectUnauthorized: false });
    });

    it('with verify-full, checks the certificate against the CA file and keeps the host-name check', () => {
      const ssl = databaseConnection(loadConfig({}, { DATABASE_SSL: 'verify-full', DATABASE_SSL_CA_FILE: caFile })).ssl;
      expect(ssl).to.deep.equal({ rejectUnauthorized: true, ca: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' });
      expect(ssl, "Node's own host-name check stays").not.to.have.property('checkServerIdentity');
    });

    it('refuses a CA file without verify-full, and TLS parameters in DATABASE_URL that would override DATABASE_SSL', () => {
      expect(refusal({ DATABASE_SSL: 'require', DATABASE_SSL_CA_FILE: caFile })).to.include('DATABASE_SSL_CA_FILE is set but DATABASE_SSL is require');
      expect(refusal({ DATABASE_SSL: 'verify-full', DATABASE_URL: 'postgres://u:p@db.example.com:5432/orderflow?sslmode=disable' })).to.include(
        'DATABASE_URL sets sslmode while DATABASE_SSL is verify-full',
      );
      expect(refusal({ DATABASE_URL: 'postgres://u:p@db.example.com:5432/orderflow?sslmode=require' }), 'the URL alone still decides').to.equal('');
    });

    it('refuses an unknown DATABASE_SSL mode, naming the setting', () => {
      expect(refusal({ DATABASE_SSL: 'verify-ca' })).to.match(/DATABASE_SSL='verify-ca'/);
    });
  });
});
