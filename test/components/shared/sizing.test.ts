/**
 * Connection pool sizing: two connections per Orthanc, fewer only when the server's budget is
 * shared too thinly, and a refusal when it cannot serve the replicas.
 */
import {
  connectionsPerReplica,
  MAX_CONNECTIONS_PER_REPLICA,
} from "../../../components/shared/sizing";

describe("connection pool sizing", () => {
  test("two connections per Orthanc process, as measured (sizing.ts)", () => {
    expect(MAX_CONNECTIONS_PER_REPLICA).toBe(2);
  });

  test.each([
    // One writer: the measured 2, on any server with room for it.
    [100, 1, 2],
    [405, 1, 2],
    [12, 1, 2],
    [11, 1, 1],
    // Several writers: 2 each too, fewer only when the server's budget is shared too thinly.
    [100, 2, 2],
    [90, 6, 2],
    [100, 20, 2],
    [100, 45, 2],
    [100, 46, 1],
    [50, 8, 2],
    [30, 15, 1],
    [20, 10, 1],
  ])("max_connections %i, %i replicas -> %i each", (max, replicas, expected) => {
    expect(connectionsPerReplica(max, replicas)).toBe(expected);
    expect(connectionsPerReplica(max, replicas) * replicas).toBeLessThanOrEqual(max - 10);
  });

  test("refuses a server too small for the replicas", () => {
    expect(() => connectionsPerReplica(15, 6)).toThrow(
      /max_connections=15 cannot serve 6 Orthanc replicas/,
    );
  });
});
