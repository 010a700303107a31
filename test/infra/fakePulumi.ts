/**
 * A FAKE `pulumi` executable for the Automation API driver's tests: the real CLI cannot be
 * installed on these machines. It records every call (arguments, working directory, state
 * environment) and keeps a stack's settings file as the CLI does where the driver depends on it:
 * `stack select`/`stack init` add an `encryptionsalt` to a new file, `config set-all` writes
 * values (with `--path`, a plain `"16"` becomes the number 16 and `"true"` a boolean, as the
 * CLI's `adjustObjectValue` does; `--secret` stores `secure: v1:<base64>`), and `preview`/`up`
 * record the configuration the CLI would hand the program (`PULUMI_CONFIG`: objects as JSON,
 * secure values decrypted) with the keys it would flag secret. The program itself never runs.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { OrthancConfigInput } from "../../infra/config";

/** Strings that look like numbers or booleans, a dotted user name, an empty list. */
export const TRICKY = {
  target: "docker",
  orthanc: {
    name: "16",
    dicom: {
      aet: "1234",
      allowedCidrs: [],
      modalities: {
        ct: { aet: "0042", host: "10.0.0.5", port: 104 },
        mr: { aet: "TRUE", host: "true" },
      },
    },
    users: { "alice.bob": { password: "1234" }, carol: { password: "true" } },
  },
  docker: { httpPort: 8080 },
} satisfies OrthancConfigInput;

export interface FakeCall {
  argv: string[];
  cwd: string;
  backend: string | null;
  passfile: string | null;
  /** `preview`/`up`: what the program would be given. */
  program?: { config: Record<string, string>; secretKeys: string[] };
  /** `preview`/`up`: the settings file the CLI read, as text. */
  settings?: string | null;
}

const SCRIPT = (yamlModule: string) => `#!/usr/bin/env node
"use strict";
const fs = require("fs");
const path = require("path");
const YAML = require(${JSON.stringify(yamlModule)});
const argv = process.argv.slice(2);
const call = {
  argv,
  cwd: process.cwd(),
  backend: process.env.PULUMI_BACKEND_URL ?? null,
  passfile: process.env.PULUMI_CONFIG_PASSPHRASE_FILE ?? null,
};
const record = () => fs.appendFileSync(process.env.FAKE_LOG, JSON.stringify(call) + "\\n");
const fail = (msg) => { record(); process.stderr.write(msg + "\\n"); process.exit(255); };
const flag = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
const stack = flag("--stack") ?? (argv[0] === "stack" && argv[1] === "init" ? argv[2] : undefined);

// The settings file: in the project's stackConfigDir when it names one (a checkout: never written).
const project = fs.existsSync("Pulumi.yaml") ? YAML.parse(fs.readFileSync("Pulumi.yaml", "utf8")) : {};
const settingsFile = () =>
  path.join(project.stackConfigDir ?? ".", "Pulumi." + String(stack).split("/").pop() + ".yaml");
const readSettings = () =>
  fs.existsSync(settingsFile()) ? YAML.parse(fs.readFileSync(settingsFile(), "utf8")) ?? {} : {};
const writeSettings = (s) => {
  if (project.stackConfigDir) fail("fake pulumi: refusing to write a checkout's stack file");
  fs.writeFileSync(settingsFile(), YAML.stringify(s));
};

// The CLI's --path syntax: name, .name, [0], ["quoted"].
function parsePath(p) {
  const segs = [];
  let i = 0;
  while (i < p.length) {
    if (p[i] === ".") i++;
    if (p[i] === "[") {
      if (p[i + 1] === '"') {
        const end = p.indexOf('"]', i + 2);
        segs.push(JSON.parse(p.slice(i + 1, end + 1)));
        i = end + 2;
      } else {
        const end = p.indexOf("]", i);
        segs.push(Number(p.slice(i + 1, end)));
        i = end + 1;
      }
    } else {
      let j = i;
      while (j < p.length && p[j] !== "." && p[j] !== "[") j++;
      segs.push(p.slice(i, j));
      i = j;
    }
  }
  return segs;
}
const adjust = (v) =>
  v === "true" ? true : v === "false" ? false : v.length > 1 && v[0] === "0" ? v : /^[-+]?\\d+$/.test(v) ? Number(v) : v;
const encrypt = (v) => ({ secure: "v1:" + Buffer.from(v).toString("base64") });
const isSecure = (v) => v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 1 && typeof v.secure === "string";
const decrypt = (v) => Buffer.from(v.secure.slice(3), "base64").toString();

function setAll() {
  const usePath = argv.includes("--path");
  const settings = readSettings();
  settings.config = settings.config ?? {};
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] !== "--plaintext" && argv[i] !== "--secret") continue;
    const pair = argv[++i];
    const eq = pair.indexOf("=");
    const key = pair.slice(0, eq);
    const raw = pair.slice(eq + 1);
    const secret = argv[i - 1] === "--secret";
    const colon = key.indexOf(":");
    const ns = key.slice(0, colon);
    const segs = usePath ? parsePath(key.slice(colon + 1)) : [key.slice(colon + 1)];
    const top = ns + ":" + segs[0];
    if (segs.length === 1) {
      settings.config[top] = secret ? encrypt(raw) : raw;
      continue;
    }
    const value = secret ? encrypt(raw) : adjust(raw);
    if (settings.config[top] === undefined || typeof settings.config[top] !== "object")
      settings.config[top] = typeof segs[1] === "number" ? [] : {};
    let node = settings.config[top];
    for (let s = 1; s < segs.length - 1; s++) {
      if (node[segs[s]] === undefined) node[segs[s]] = typeof segs[s + 1] === "number" ? [] : {};
      node = node[segs[s]];
    }
    node[segs[segs.length - 1]] = value;
  }
  writeSettings(settings);
}

function programConfig() {
  const cfg = readSettings().config ?? {};
  const config = {};
  const secretKeys = [];
  let found;
  const open = (v) => {
    if (isSecure(v)) { found = true; return decrypt(v); }
    if (Array.isArray(v)) return v.map(open);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, open(x)]));
    return v;
  };
  for (const [k, v] of Object.entries(cfg)) {
    found = false;
    const value = open(v);
    config[k] = value !== null && typeof value === "object" ? JSON.stringify(value) : String(value);
    if (found) secretKeys.push(k);
  }
  return { config, secretKeys };
}

switch (argv[0]) {
  case "version":
    process.stdout.write("v3.270.0\\n");
    break;
  case "stack":
    if (argv[1] === "select" && process.env.FAKE_FAIL === "notfound")
      fail("error: no stack named '" + stack + "' found");
    if ((argv[1] === "select" || argv[1] === "init") && !project.stackConfigDir && !fs.existsSync(settingsFile()))
      writeSettings({ encryptionsalt: "v1:fake-salt-" + Date.now().toString(36) });
    if (argv[1] === "output")
      process.stdout.write('{"url":"http://127.0.0.1:8042/","adminPassword":"s3cret"}\\n');
    if (argv[1] === "history")
      process.stdout.write('[{"version":1,"kind":"update","startTime":"2026-01-01T00:00:00Z","endTime":"2026-01-01T00:00:01Z","message":"","environment":{},"config":{},"result":"succeeded","resourceChanges":{"create":19}}]\\n');
    break;
  case "config":
    if (argv[1] === "set-all") setAll();
    break;
  case "preview":
  case "up":
    call.program = programConfig();
    call.settings = fs.existsSync(settingsFile()) ? fs.readFileSync(settingsFile(), "utf8") : null;
    if (argv[0] === "up" && process.env.FAKE_FAIL === "conflict")
      fail("error: [409] Conflict: Another update is currently in progress.");
    process.stdout.write(argv[0] === "up" ? "Updating (local)\\n" : "Previewing update (local)\\n");
    break;
  case "destroy":
    process.stdout.write("Destroying (local)\\n");
    break;
}
record();
`;

/** Writes the fake as `<dir>/bin/pulumi`; it logs to `$FAKE_LOG`. Returns `<dir>`. */
export function writeFakePulumi(dir: string): string {
  mkdirSync(join(dir, "bin"), { recursive: true });
  const bin = join(dir, "bin", "pulumi");
  writeFileSync(bin, SCRIPT(require.resolve("yaml")));
  chmodSync(bin, 0o755);
  return dir;
}

/** The calls recorded in `log`, oldest first. */
export function readCalls(log: string): FakeCall[] {
  return readFileSync(log, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as FakeCall);
}
