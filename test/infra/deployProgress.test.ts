/** The deploy command's progress lines, from engine events as the Automation API delivers them. */
import type { EngineEvent, OpType } from "@pulumi/pulumi/automation";
import { elapsed, Progress } from "../../infra/deployProgress";

const urn = (type: string, name: string) =>
  `urn:pulumi:local::orthanc::orthanc:docker:OrthancDocker$${type}::${name}`;
const STACK = "urn:pulumi:local::orthanc::pulumi:pulumi:Stack::orthanc-local";
const DEFAULT_PROVIDER = "urn:pulumi:local::orthanc::pulumi:providers:random::default_4_21_2";
const VOLUME = urn("docker:index/volume:Volume", "orthanc-local-pgdata");
const CONTAINER = urn("docker:index/container:Container", "orthanc-local-orthanc");

let seq = 0;
const meta = (op: OpType, u: string) => ({
  op,
  urn: u,
  type: u.split("::")[2].split("$").pop()!,
  provider: "",
});
const pre = (op: OpType, u: string): EngineEvent => ({
  sequence: seq++,
  timestamp: 0,
  resourcePreEvent: { metadata: meta(op, u) },
});
const outs = (op: OpType, u: string): EngineEvent => ({
  sequence: seq++,
  timestamp: 0,
  resOutputsEvent: { metadata: meta(op, u) },
});
const failed = (op: OpType, u: string): EngineEvent => ({
  sequence: seq++,
  timestamp: 0,
  resOpFailedEvent: { metadata: meta(op, u), status: 1, steps: 0 },
});

test.each([
  [0, "0:00"],
  [999, "0:00"],
  [65_000, "1:05"],
  [3_599_000, "59:59"],
  [3_723_000, "1:02:03"],
])("elapsed(%d) is %s", (ms, text) => expect(elapsed(ms)).toBe(text));

test("an update: done/total against the offline plan's count, elapsed time, unchanged resources counted but not listed", () => {
  // The plan expects 4: the fourth has not started when these lines are printed.
  const p = new Progress({ start: 1_000, expected: 4 });
  const at = (s: number) => 1_000 + s * 1000;
  const lines = [
    ...p.lines(pre("same", STACK), at(0)),
    ...p.lines(pre("same", DEFAULT_PROVIDER), at(1)),
    ...p.lines(outs("same", DEFAULT_PROVIDER), at(1)),
    ...p.lines(pre("create", VOLUME), at(2)),
    ...p.lines(pre("update", CONTAINER), at(2)),
    ...p.lines(outs("create", VOLUME), at(5)),
    ...p.lines(outs("update", CONTAINER), at(75)),
    ...p.lines(outs("same", STACK), at(76)),
    ...p.lines(
      {
        sequence: 99,
        timestamp: 0,
        summaryEvent: {
          maybeCorrupt: false,
          durationSeconds: 76,
          resourceChanges: { create: 1, update: 1, same: 1 },
          policyPacks: {},
        },
      },
      at(76),
    ),
  ];
  expect(lines).toEqual([
    "[1/4] 0:05  created    orthanc-local-pgdata (docker:index/volume:Volume)",
    "[2/4] 1:15  updated    orthanc-local-orthanc (docker:index/container:Container)",
    "Done in 1:16: 1 created, 1 updated, 1 unchanged.",
  ]);
});

test("without an expected count the total is what the engine has started; failures and errors are shown", () => {
  const p = new Progress({ start: 0 });
  expect(p.lines(pre("delete", VOLUME), 0)).toEqual([]);
  expect(p.lines(pre("delete", CONTAINER), 0)).toEqual([]);
  expect(p.lines(outs("delete", CONTAINER), 12_000)).toEqual([
    "[1/2] 0:12  deleted    orthanc-local-orthanc (docker:index/container:Container)",
  ]);
  expect(p.lines(failed("delete", VOLUME), 13_000)).toEqual([
    "[1/2] 0:13  FAILED     orthanc-local-pgdata (docker:index/volume:Volume)",
  ]);
  expect(
    p.lines(
      {
        sequence: 1,
        timestamp: 0,
        diagnosticEvent: {
          urn: VOLUME,
          message: "volume is in use\n",
          color: "never",
          severity: "error",
        },
      },
      13_000,
    ),
  ).toEqual(["error: orthanc-local-pgdata (docker:index/volume:Volume): volume is in use"]);
  expect(p.summary({ delete: 1 }, 14_000)).toBe("Done in 0:14: 1 deleted, 1 failed.");
});

test("a preview says what would happen; the total grows past a low estimate rather than showing 5/3", () => {
  const p = new Progress({ start: 0, expected: 1, preview: true });
  p.lines(pre("create", VOLUME), 0);
  expect(p.lines(outs("create", VOLUME), 0)).toEqual([
    "[1/1] 0:00  to create  orthanc-local-pgdata (docker:index/volume:Volume)",
  ]);
  p.lines(pre("replace", CONTAINER), 0);
  expect(p.lines(outs("replace", CONTAINER), 0)).toEqual([
    "[2/2] 0:00  to replace orthanc-local-orthanc (docker:index/container:Container)",
  ]);
  expect(p.summary({ create: 1, replace: 1 }, 0)).toBe(
    "Preview done in 0:00: 1 to create, 1 to replace.",
  );
});

test("info diagnostics and the CLI's stdout events add no line", () => {
  const p = new Progress({ start: 0 });
  expect(
    p.lines(
      {
        sequence: 1,
        timestamp: 0,
        diagnosticEvent: { message: "chatty", color: "never", severity: "info" },
      },
      0,
    ),
  ).toEqual([]);
  expect(
    p.lines(
      { sequence: 2, timestamp: 0, stdoutEvent: { message: "Updating (local)", color: "never" } },
      0,
    ),
  ).toEqual([]);
});
