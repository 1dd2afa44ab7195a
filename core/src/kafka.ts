/** The Kafka client every service builds: its logs bridged into the service's logger, and its topics ensured. */
import { Kafka, logLevel, type LogEntry, type logCreator } from 'kafkajs';
import type { Logger } from './log.ts';
import { allTopics, topicsFor } from './topics.ts';

function bridge(logger: Logger): logCreator {
  return () =>
    ({ level, log }: LogEntry) => {
      const { message, ...fields } = log;
      const text = `kafka: ${message}`;
      if (level === logLevel.ERROR) logger.error(text, fields);
      else if (level === logLevel.WARN) logger.warn(text, fields);
      else logger.debug(text, fields);
    };
}

export function createKafka(clientId: string, brokers: string[], logger: Logger): Kafka {
  return new Kafka({
    clientId,
    brokers,
    logLevel: logLevel.WARN,
    logCreator: bridge(logger),
    retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 5000 },
  });
}

/** Creates the system's topics with their partition counts, and adds partitions where a topic has too few. */
export async function ensureTopics(kafka: Kafka, prefix = ''): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const wanted = allTopics(topicsFor(prefix));
    const existing = new Set(await admin.listTopics());
    const missing = wanted.filter((topic) => !existing.has(topic.name));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({ topic: topic.name, numPartitions: topic.partitions })),
      });
    }
    const present = wanted.filter((topic) => existing.has(topic.name));
    if (present.length === 0) return;
    const { topics } = await admin.fetchTopicMetadata({ topics: present.map((topic) => topic.name) });
    const grow = present.filter((topic) => {
      const found = topics.find((meta) => meta.name === topic.name);
      return found !== undefined && found.partitions.length < topic.partitions;
    });
    if (grow.length > 0) {
      await admin.createPartitions({
        topicPartitions: grow.map((topic) => ({ topic: topic.name, count: topic.partitions })),
      });
    }
  } finally {
    await admin.disconnect();
  }
}
