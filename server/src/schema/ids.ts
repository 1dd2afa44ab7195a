/** Global ids of the Relay `Node` interface: base64 of "Type:id", checked with a clear message. */
import { decodeGlobalID } from '@pothos/plugin-relay';
import { badInput } from '../errors.ts';

export function orderIdFromGlobalId(globalId: string, argument = 'id'): string {
  let decoded: { typename: string; id: string } | undefined;
  try {
    decoded = decodeGlobalID(globalId);
  } catch {
    decoded = undefined;
  }
  if (!decoded || decoded.typename !== 'Order' || !/^[0-9a-f]{24}$/.test(decoded.id)) {
    throw badInput(
      `"${argument}" must be the id of an Order as this API returns it, got ${JSON.stringify(globalId)}`,
      argument,
    );
  }
  return decoded.id;
}
