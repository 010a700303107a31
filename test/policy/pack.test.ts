/**
 * The pack as a program: importing its policies starts nothing, and `policy/` runs the way the
 * Pulumi CLI runs it (`@pulumi/pulumi`'s run-policy-pack, TypeScript through ts-node) and
 * answers the analyzer's calls with the pack's policies and violations.
 */
import { ChildProcess, execFileSync, spawn } from "child_process";
import { join } from "path";
import * as grpc from "@grpc/grpc-js";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
/* eslint-disable @typescript-eslint/no-require-imports -- the SDK's generated protobuf code has no types */
const analyzerRpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
const analyzerProto = require("@pulumi/pulumi/proto/analyzer_pb");
/* eslint-enable @typescript-eslint/no-require-imports */

const root = join(__dirname, "../..");

it("importing policy/policies opens no handle and loads no server code", () => {
  const script = `
    require("./policy/policies");
    const loaded = Object.keys(require.cache).filter((f) => /@pulumi[\\\\/]policy|@grpc/.test(f));
    console.log(JSON.stringify({ handles: process.getActiveResourcesInfo(), loaded }));
    process.exit(0);`;
  const out = execFileSync(process.execPath, ["-r", "@swc-node/register", "-e", script], {
    cwd: root,
    encoding: "utf8",
  });
  const { handles, loaded } = JSON.parse(out);
  expect(loaded).toEqual([]);
  expect(handles).not.toContain("TCPServerWrap");
});

describe("the pack run as the CLI runs it", () => {
  let child: ChildProcess;
  let client: grpc.Client & Record<string, (...args: unknown[]) => void>;

  beforeAll(async () => {
    // The CLI starts run-policy-pack in the pack's folder with the engine's address; the pack
    // prints the port of its analyzer server on its first line.
    child = spawn(
      process.execPath,
      [require.resolve("@pulumi/pulumi/cmd/run-policy-pack"), "127.0.0.1:1", "."],
      { cwd: join(root, "policy"), stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    const port = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout!.on("data", (d) => {
        out += d;
        const line = /^(\d+)\s*\n/.exec(out);
        if (line) resolve(line[1]);
      });
      child.on("exit", (code) => reject(new Error(`pack exited (${code}): ${out}${stderr}`)));
    });
    client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  }, 120_000);

  afterAll(() => {
    client?.close();
    if (child?.pid && child.exitCode === null) child.kill();
  });

  const call = <T>(method: string, request: unknown) =>
    new Promise<T>((resolve, reject) =>
      client[method](request, (err: Error | null, res: T) => (err ? reject(err) : resolve(res))),
    );

  it("lists its policies", async () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const info: any = await call("getAnalyzerInfo", new Empty());
    expect(info.getName()).toBe("orthanc-security");
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    expect(info.getPoliciesList().map((p: any) => p.getName())).toEqual([
      "encryption-at-rest",
      "s3-bucket-encryption",
      "no-public-database",
      "no-plaintext-secret-env",
      "dicom-restricted",
      "protected-data",
      "tls-on-public-endpoints",
      "least-privilege-iam",
    ]);
  });

  it("reports a bad resource's violations as mandatory", async () => {
    const request = new analyzerProto.AnalyzeRequest();
    request.setType("aws:rds/instance:Instance");
    request.setName("db");
    request.setUrn("urn:pulumi:dev::orthanc::aws:rds/instance:Instance::db");
    request.setProperties(
      Struct.fromJavaScript({
        engine: "postgres",
        storageEncrypted: false,
        publiclyAccessible: true,
      }),
    );
    const options = new analyzerProto.AnalyzerResourceOptions();
    options.setProtect(false);
    request.setOptions(options);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const response: any = await call("analyze", request);
    // The engine puts the policy's description on the first line, the violation on the last.
    const found = response
      .getDiagnosticsList()
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      .map((d: any) => [
        d.getPolicyname(),
        d.getEnforcementlevel(),
        d.getMessage().split("\n").pop(),
      ]);
    const mandatory = analyzerProto.EnforcementLevel.MANDATORY;
    expect(found).toEqual([
      [
        "encryption-at-rest",
        mandatory,
        expect.stringMatching(/^RDS storage is not encrypted: set/),
      ],
      [
        "no-public-database",
        mandatory,
        expect.stringMatching(
          /^RDS instance is publicly accessible: set `publiclyAccessible: false`/,
        ),
      ],
      [
        "protected-data",
        mandatory,
        expect.stringMatching(
          /^RDS database db is not protected: register it with `\{ protect: true \}`/,
        ),
      ],
    ]);
  });
});
