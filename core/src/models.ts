/**
 * The record in MongoDB: products, customers, orders, and the status changes
 * that decide them. Every write the system makes is a single-document write, so
 * that the same code is correct on MongoDB and on FerretDB (which has neither
 * multi-document transactions nor atomic conditional updates).
 */
import mongoose, { type Connection, type InferSchemaType } from 'mongoose';
import { ORDER_STATUSES } from './status.ts';

const { Schema } = mongoose;

/** A field every document has, of `type` (String, Number, Date). */
export const requiredField = <Type>(type: Type) => ({ type, required: true }) as const;
/** A field that is null until it is set. */
export const nullableField = <Type>(type: Type) => ({ type, default: null }) as const;

export const productSchema = new Schema(
  {
    _id: requiredField(String),
    name: requiredField(String),
    price: requiredField(Number),
    stock: { type: Number, required: true, min: 0 },
  },
  { versionKey: false },
);

export const customerSchema = new Schema(
  {
    _id: requiredField(String),
    name: requiredField(String),
    email: requiredField(String),
  },
  { versionKey: false },
);

const historyEntrySchema = new Schema(
  {
    version: requiredField(Number),
    previousStatus: { type: String, enum: [...ORDER_STATUSES, null], default: null },
    status: { type: String, enum: ORDER_STATUSES, required: true },
    at: requiredField(Date),
    error: nullableField(String),
  },
  { _id: false },
);

/** The `orders` collection: its fields are `OrderDocument`'s (./order/order.ts), checked there by the compiler. */
export const orderSchema = new Schema(
  {
    _id: requiredField(String),
    orderNumber: { type: String, required: true, unique: true },
    customerId: requiredField(String),
    sku: requiredField(String),
    quantity: requiredField(Number),
    total: requiredField(Number),
    status: { type: String, enum: ORDER_STATUSES, required: true },
    version: requiredField(Number),
    attempts: { type: Number, required: true, default: 0 },
    error: nullableField(String),
    idempotencyKey: nullableField(String),
    traceId: nullableField(String),
    createdAt: requiredField(Date),
    processedAt: nullableField(Date),
    failedAt: nullableField(Date),
    updatedAt: requiredField(Date),
    history: { type: [historyEntrySchema], default: [] },
  },
  { versionKey: false },
);
// No secondary indexes: lists, counts and statistics come from the order index in Redis, and every
// read and write here is by `_id` (see ./order-index/).

/**
 * One status change of one order, with `_id` = `<orderId>:<version>`. Inserting
 * it is how a writer claims the change: the unique `_id` lets only one writer
 * win, on any MongoDB-wire server. Its event goes out in the Kafka transaction
 * that commits the offset of the message placed at `partition`/`seq`.
 */
export const statusChangeSchema = new Schema(
  {
    _id: requiredField(String),
    orderId: requiredField(String),
    version: requiredField(Number),
    previousStatus: { type: String, enum: [...ORDER_STATUSES, null], default: null },
    status: { type: String, enum: ORDER_STATUSES, required: true },
    error: nullableField(String),
    at: requiredField(Date),
    /** The product's stock after this change reserved it; null when nothing was reserved. */
    stockAfter: nullableField(Number),
    /** The stream and place the change was announced at (see sequence.ts); null until a writer sequences it. */
    partition: nullableField(Number),
    seq: nullableField(Number),
  },
  { versionKey: false },
);

export type ProductDoc = InferSchemaType<typeof productSchema>;
export type CustomerDoc = InferSchemaType<typeof customerSchema>;
export type StatusChangeDoc = InferSchemaType<typeof statusChangeSchema>;

export function createModels(connection: Connection) {
  return {
    Product: connection.model('Product', productSchema, 'products'),
    Customer: connection.model('Customer', customerSchema, 'customers'),
    Order: connection.model('Order', orderSchema, 'orders'),
    StatusChange: connection.model('StatusChange', statusChangeSchema, 'statuschanges'),
  };
}

export type Models = ReturnType<typeof createModels>;

/** MongoDB's error code for a unique index violation. */
export const DUPLICATE_KEY = 11000;

export function isDuplicateKey(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === DUPLICATE_KEY;
}

/**
 * The documents a bulk insert or update could not write, by their index in the batch; throws the
 * error again when it is not about single documents (the server unreachable, say).
 */
export function failuresByIndex(error: unknown): ReadonlyMap<number, unknown> {
  const writeErrors =
    typeof error === 'object' && error !== null && 'writeErrors' in error ? error.writeErrors : undefined;
  if (!Array.isArray(writeErrors) || writeErrors.length === 0) throw error;
  return new Map(writeErrors.map((writeError: { index: number }) => [writeError.index, writeError]));
}

/** Whether a (bulk) write failed only because some of its documents exist already. */
export function onlyDuplicateKeys(error: unknown): boolean {
  const writeErrors =
    typeof error === 'object' && error !== null && 'writeErrors' in error ? error.writeErrors : undefined;
  if (!Array.isArray(writeErrors)) return isDuplicateKey(error);
  return writeErrors.length > 0 && writeErrors.every((writeError) => isDuplicateKey(writeError));
}

/** Connects with the options every service uses: filters from clients never become operators. */
export async function connectDatabase(uri: string): Promise<Connection> {
  mongoose.set('sanitizeFilter', true);
  mongoose.set('strictQuery', true);
  const connection = mongoose.createConnection(uri, { serverSelectionTimeoutMS: 5000, maxPoolSize: 20 });
  await connection.asPromise();
  return connection;
}
