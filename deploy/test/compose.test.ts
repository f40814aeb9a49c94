import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkAlerterConfig } from '@vigie/alerter';
import { DEFAULT_OPS_PORTS, loadConfig } from '@vigie/common';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const file = (path: string) => readFileSync(fileURLToPath(new URL(path, import.meta.url)), 'utf8');

interface Service {
  image?: string;
  ports?: string[];
  environment?: Record<string, string>;
  command?: string[];
  build?: { context: string; dockerfile: string };
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
  healthcheck?: { test: string[] };
}

// The compose file cannot run here (no Docker engine); these checks keep it in step
// with the local stack that the tests do run.
describe('deploy/docker-compose.yml', () => {
  const compose = parse(file('../docker-compose.yml')) as { services: Record<string, Service> };
  const versions = Object.fromEntries(
    file('../local/versions.env')
      .split('\n')
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => line.split('=') as [string, string]),
  );

  it('runs the same engine versions as the local stack', () => {
    expect(compose.services.kafka?.image).toBe(`apache/kafka:${versions.KAFKA_VERSION}`);
    expect(compose.services.elasticsearch?.image).toBe(
      `docker.elastic.co/elasticsearch/elasticsearch:${versions.ELASTICSEARCH_VERSION}`,
    );
  });

  it('publishes the engines on the loopback address only, on the usual ports', () => {
    expect(compose.services.kafka?.ports).toEqual(['127.0.0.1:9092:9094']);
    expect(compose.services.elasticsearch?.ports).toEqual(['127.0.0.1:9200:9200']);
    for (const service of Object.values(compose.services)) {
      for (const port of service.ports ?? []) expect(port.startsWith('127.0.0.1:')).toBe(true);
    }
  });

  it('runs the processor from the repository image against both engines, once they are healthy', () => {
    const processor = compose.services.processor;
    expect(processor?.command).toEqual(['vigie', 'processor']);
    expect(processor?.build?.dockerfile).toBe('Dockerfile');
    expect(processor?.environment).toMatchObject({
      VIGIE_KAFKA_BROKERS: 'kafka:9092',
      VIGIE_ELASTICSEARCH_URL: 'http://elasticsearch:9200',
    });
    expect(processor?.depends_on).toEqual({
      kafka: { condition: 'service_healthy' },
      elasticsearch: { condition: 'service_healthy' },
    });
  });

  it('runs the alerter like the processor, healthy once its ops endpoint says ready', () => {
    const { processor, alerter } = compose.services;
    expect(alerter?.command).toEqual(['vigie', 'alerter']);
    expect(alerter?.build).toEqual(processor?.build);
    expect(alerter?.image).toBe(processor?.image);
    expect(alerter?.depends_on).toEqual(processor?.depends_on);
    expect(alerter?.environment).toMatchObject({
      VIGIE_KAFKA_BROKERS: 'kafka:9092',
      VIGIE_ELASTICSEARCH_URL: 'http://elasticsearch:9200',
    });
    expect(alerter?.healthcheck?.test.join(' ')).toContain(
      `http://127.0.0.1:${DEFAULT_OPS_PORTS.alerter}/ready`,
    );
    // The alerting file is optional: an empty /dev/null stands in for it.
    const target = alerter?.environment?.VIGIE_CONFIG;
    expect(alerter?.volumes).toEqual([`\${VIGIE_ALERTING_CONFIG:-/dev/null}:${target}:ro`]);
    expect(loadConfig({ env: {}, file: '/dev/null' }).config.alerter.receivers).toEqual([]);
  });

  it('runs every role: the collector and the API too, after the first-start credentials', () => {
    const { processor, collector, api, credentials } = compose.services;
    for (const [role, service] of [
      ['collector', collector],
      ['api', api],
      ['credentials', credentials],
    ] as const) {
      expect(service?.build, role).toEqual(processor?.build);
      expect(service?.image, role).toBe(processor?.image);
      if (role !== 'credentials') {
        expect(service?.healthcheck?.test.join(' '), role).toContain(
          `http://127.0.0.1:${DEFAULT_OPS_PORTS[role]}/ready`,
        );
        // Listening beyond the container's loopback needs the credentials made first.
        expect(service?.depends_on?.credentials, role).toEqual({
          condition: 'service_completed_successfully',
        });
      }
      expect(service?.volumes, role).toEqual(['vigie-data:/app/data']);
    }
    expect(api?.command).toEqual(['vigie', 'api']);
    expect(api?.environment).toMatchObject({ VIGIE_API_HOST: '0.0.0.0' });
    expect(api?.ports).toEqual(['127.0.0.1:8080:8080']);
    expect(collector?.environment).toMatchObject({
      VIGIE_KAFKA_BROKERS: 'kafka:9092',
      VIGIE_COLLECTOR_HTTP_HOST: '0.0.0.0',
    });
    expect(collector?.command?.join(' ')).toContain('exec vigie collector');
    // What the credentials make and the others read is tested in image-build.it.test.ts.
  });

  it('ships an alerting example that loads and passes the start-up check', () => {
    const path = fileURLToPath(new URL('../alerting.example.yaml', import.meta.url));
    const { config, warnings } = loadConfig({ env: {}, file: path });
    expect(warnings).toEqual([]);
    expect(checkAlerterConfig(config.alerter)).toEqual({ problems: [], warnings: [] });
    expect(new Set(config.alerter.receivers.map((r) => r.type))).toEqual(
      new Set(['pagerduty', 'slack', 'opsgenie', 'alertmanager', 'teams', 'webhook']),
    );
  });

  it('builds the image on a current Node.js LTS', () => {
    const dockerfile = file('../../Dockerfile');
    expect(dockerfile).toMatch(/^FROM node:(22|24)-/m);
    expect(dockerfile).toContain('ln -s /app/services/cli/dist/main.js /usr/local/bin/vigie');
  });
});
