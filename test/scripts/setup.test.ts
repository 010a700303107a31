/**
 * scripts/setup.sh, step by step: the script is sourced in bash (its `main` does not run) and
 * each step runs against stand-ins on PATH for apt-get, docker and dockerd, in a temporary
 * directory. Nothing is installed and no engine is touched. Plus the promises about the
 * checkout: the lockfile npm settles on and the README's list of system packages.
 */
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(__dirname, "..", "..");
const setup = join(root, "scripts", "setup.sh");

/**
 * A copy of the script in a directory of its own, with stand-ins for every command its `main`
 * would call (npm, node, apt-get, docker, dockerd, systemctl, and `id` saying "not root"): if the
 * guard that keeps `main` from running when sourced ever broke, it would run there, on stand-ins,
 * and never install anything into this checkout or the machine.
 */
const sandboxes: string[] = [];
afterAll(() => sandboxes.forEach((d) => rmSync(d, { recursive: true, force: true })));

function sandbox(stubs: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), "setup-sh-"));
  sandboxes.push(dir);
  const stub = (name: string) => `echo ${name} "$@" >> "$SANDBOX/log"; exit 1`;
  const all: Record<string, string> = {
    npm: stub("npm"),
    node: "echo 24",
    "apt-get": stub("apt-get"),
    docker: stub("docker"),
    dockerd: stub("dockerd"),
    systemctl: stub("systemctl"),
    id: "echo 1000",
    ...stubs,
  };
  for (const sub of ["bin", "scripts"]) mkdirSync(join(dir, sub));
  const script = join(dir, "scripts", "setup.sh");
  writeFileSync(script, readFileSync(setup));
  for (const [name, body] of Object.entries(all)) {
    writeFileSync(join(dir, "bin", name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(dir, "bin", name), 0o755);
  }
  const run = (code: string) =>
    execFileSync(
      "bash",
      [
        "-c",
        `source "${script}"; POLICY_RC_D="${dir}/policy-rc.d"; DOCKERD_LOG="${dir}/dockerd.log"; SYSTEMD_DIR="${dir}/no-systemd"; ${code}`,
      ],
      { cwd: dir, env: { PATH: `${dir}/bin:/usr/bin:/bin`, SANDBOX: dir }, encoding: "utf8" },
    );
  return {
    dir,
    run,
    log: () => (existsSync(join(dir, "log")) ? readFileSync(join(dir, "log"), "utf8") : ""),
  };
}

// apt-get records its arguments and whether the policy file was in place while it ran.
const APT = `echo "apt-get $* policy=$([ -x "$SANDBOX/policy-rc.d" ] && echo yes || echo no)" >> "$SANDBOX/log"; [ "$1" != install ] || [ -z "$APT_FAIL" ]`;

test("sourcing the script runs nothing", () => {
  const s = sandbox({});
  expect(s.run("echo sourced")).toBe("sourced\n");
  expect(s.log()).toBe("");
});

test("system packages: installed with service starts forbidden, and the policy file it created is gone afterwards", () => {
  const s = sandbox({ "apt-get": APT });
  s.run("install_system_packages");
  const pkgs = /TEST_PACKAGES="([^"]+)"/.exec(readFileSync(setup, "utf8"))![1];
  expect(s.log()).toBe(
    `apt-get update -qq policy=yes\napt-get install -y -qq ${pkgs} policy=yes\n`,
  );
  expect(existsSync(join(s.dir, "policy-rc.d"))).toBe(false);
});

test("a failed install still removes the policy file, and fails", () => {
  const s = sandbox({ "apt-get": APT });
  expect(() => s.run("APT_FAIL=1; export APT_FAIL; install_system_packages")).toThrow();
  expect(s.log()).toMatch(/apt-get install .* policy=yes/);
  expect(existsSync(join(s.dir, "policy-rc.d"))).toBe(false);
});

test("a policy file that was there before is left as it was", () => {
  const s = sandbox({ "apt-get": APT });
  writeFileSync(join(s.dir, "policy-rc.d"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
  s.run("install_system_packages");
  expect(readFileSync(join(s.dir, "policy-rc.d"), "utf8")).toBe("#!/bin/sh\nexit 0\n");
});

// `docker info` answers once the stand-in dockerd has written its mark.
const DOCKER = `echo "docker $*" >> "$SANDBOX/log"; [ -e "$SANDBOX/engine-up" ]`;
const DOCKERD = `echo "dockerd started" >> "$SANDBOX/log"; echo "engine log line"; touch "$SANDBOX/engine-up"`;

test("no engine answers: dockerd is started in the background, logging to a file, and awaited", () => {
  const s = sandbox({ docker: DOCKER, dockerd: DOCKERD });
  const out = s.run("start_docker_engine");
  expect(out).toContain(`starting dockerd in the background (log: ${s.dir}/dockerd.log)`);
  expect(s.log()).toMatch(/^docker info\n(docker info\n)*dockerd started\n(docker info\n)*$/);
  expect(s.log().trim().split("\n").pop()).toBe("docker info");
  expect(readFileSync(join(s.dir, "dockerd.log"), "utf8")).toBe("engine log line\n");
});

test("ORTHANC_SETUP_DOCKERD=no leaves the engine to the caller (CI starts and stops its own)", () => {
  const s = sandbox({ docker: DOCKER, dockerd: DOCKERD });
  expect(s.run("ORTHANC_SETUP_DOCKERD=no start_docker_engine")).toBe("");
  expect(s.log()).toBe("");
});

test("an engine that answers is left alone", () => {
  const s = sandbox({ docker: DOCKER, dockerd: DOCKERD });
  writeFileSync(join(s.dir, "engine-up"), "");
  expect(s.run("start_docker_engine")).toBe("");
  expect(s.log()).toBe("docker info\n");
});

test("the committed lockfile is the one npm settles on: its root lists exactly package.json's dependencies", () => {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8"));
  const top = lock.packages[""];
  expect(lock.name).toBe(pkg.name);
  expect(top.version).toBe(pkg.version);
  expect(top.dependencies).toEqual(pkg.dependencies);
  expect(top.devDependencies).toEqual(pkg.devDependencies);
  expect(top.engines).toEqual(pkg.engines);
  // every direct dependency is locked at a version its range accepts
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const semver = require("semver");
  for (const [name, range] of Object.entries({ ...pkg.dependencies, ...pkg.devDependencies }))
    expect([name, semver.satisfies(lock.packages[`node_modules/${name}`].version, range)]).toEqual([
      name,
      true,
    ]);
});

test("the README lists every system package setup installs", () => {
  const pkgs = /TEST_PACKAGES="([^"]+)"/.exec(readFileSync(setup, "utf8"))![1];
  const readme = readFileSync(join(root, "README.md"), "utf8").replace(/\s+/g, " ");
  expect(readme).toContain(`\`${pkgs}\``);
});
