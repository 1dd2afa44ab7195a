/**
 * The connections the server holds to the shared servers: MongoDB (its
 * models, the catalogue seeded), Kafka (a producer and an admin client for
 * readiness) and Redis (order events, and the connection the order index
 * writes on). Opened once at start, closed once at stop.
 */
import {
  connectDatabase,
  createKafka,
  createModels,
  createProducer,
  ensureTopics,
  type Logger,
  type Models,
} from '@orders/core';
import type { Admin, Kafka, Producer } from 'kafkajs';
import type { Connection } from 'mongoose';
import { seedCatalogue } from './catalogue/seed.ts';
import type { ServerConfig } from './config.ts';
import { createOrderEvents, type OrderEvents } from './pubsub/order-events.ts';

export interface Stores {
  readonly connection: Connection;
  readonly models: Models;
  readonly kafka: Kafka;
  readonly producer: Producer;
  /** Asked by `/ready` whether the broker answers. */
  readonly admin: Admin;
  readonly events: OrderEvents;
  /** Whether MongoDB, Kafka and Redis all answer now; rejects with the first that does not. */
  ping(): Promise<void>;
}

export async function connectStores(config: ServerConfig, logger: Logger): Promise<Stores> {
  const connection = await connectDatabase(config.mongo.uri);
  const models = createModels(connection);
  await Promise.all(Object.values(models).map((model) => model.init()));
  logger.info('catalogue ready', await seedCatalogue(models));

  const kafka = createKafka('order-server', config.kafka.brokers, logger);
  await ensureTopics(kafka, config.namePrefix);
  const producer = createProducer(kafka);
  const admin = kafka.admin();
  await Promise.all([producer.connect(), admin.connect()]);

  const events = createOrderEvents(config.redis, config.namePrefix, logger);
  return {
    connection,
    models,
    kafka,
    producer,
    admin,
    events,
    async ping() {
      await Promise.all([connection.db!.admin().ping(), events.ping(), admin.describeCluster()]);
    },
  };
}
