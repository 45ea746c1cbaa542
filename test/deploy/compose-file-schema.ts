/**
 * A JSON schema for the part of the Compose Specification docker-compose.temporal.yml uses: top-level `services`,
 * `volumes` and `x-` extensions; per service the keys below, each in the shape the specification gives it. Strict
 * (`additionalProperties: false`), so a misspelt key or a wrong shape fails the test instead of being ignored by
 * the engine at `up` time.
 */
const duration = { type: 'string', pattern: '^(\\d+(\\.\\d+)?(us|ms|s|m|h))+$' };
const stringList = { type: 'array', items: { type: 'string' } };
const command = { oneOf: [{ type: 'string' }, stringList] };
const name = '^[a-zA-Z0-9._-]+$';

const service = {
  type: 'object',
  additionalProperties: false,
  patternProperties: { '^x-': {} },
  properties: {
    image: { type: 'string', pattern: '^[\\w./-]+:[\\w.-]+$' },
    build: {
      oneOf: [
        { type: 'string' },
        {
          type: 'object',
          additionalProperties: false,
          properties: { context: { type: 'string' }, dockerfile: { type: 'string' } },
        },
      ],
    },
    command,
    entrypoint: command,
    container_name: { type: 'string' },
    environment: {
      type: 'object',
      patternProperties: { '^[A-Za-z_][A-Za-z0-9_]*$': { type: ['string', 'number', 'boolean', 'null'] } },
      additionalProperties: false,
    },
    depends_on: {
      oneOf: [
        stringList,
        {
          type: 'object',
          additionalProperties: false,
          patternProperties: {
            [name]: {
              type: 'object',
              additionalProperties: false,
              required: ['condition'],
              properties: {
                condition: { enum: ['service_started', 'service_healthy', 'service_completed_successfully'] },
                restart: { type: 'boolean' },
                required: { type: 'boolean' },
              },
            },
          },
        },
      ],
    },
    healthcheck: {
      type: 'object',
      additionalProperties: false,
      required: ['test'],
      properties: {
        test: { oneOf: [{ type: 'string' }, { ...stringList, minItems: 2 }] },
        interval: duration,
        timeout: duration,
        retries: { type: 'integer', minimum: 0 },
        start_period: duration,
        start_interval: duration,
        disable: { type: 'boolean' },
      },
    },
    ports: {
      type: 'array',
      uniqueItems: true,
      items: { type: 'string', pattern: '^(\\d+\\.\\d+\\.\\d+\\.\\d+:)?(\\d+:)?\\d+(/(tcp|udp))?$' },
    },
    volumes: { type: 'array', uniqueItems: true, items: { type: 'string' } },
    restart: { enum: ['no', 'always', 'on-failure', 'unless-stopped'] },
  },
  anyOf: [{ required: ['image'] }, { required: ['build'] }],
};

/** The schema the compose-file test validates docker-compose.temporal.yml against. */
export const composeFileSchema = {
  type: 'object',
  required: ['services'],
  additionalProperties: false,
  patternProperties: { '^x-': {} },
  properties: {
    name: { type: 'string' },
    services: { type: 'object', additionalProperties: false, patternProperties: { [name]: service } },
    volumes: {
      type: 'object',
      additionalProperties: false,
      patternProperties: { [name]: { type: ['object', 'null'] } },
    },
  },
};
