/**
 * What the real-engine cases of the Docker target share: a plan as deployed here (through the
 * stand-ins' mirror, with its containers, admin and secrets), and clients to check it over the wire.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Config, planConfig, Planned, planStack } from "../../helpers/plan";
import { makeInstance } from "../../real-orthanc/dicom";
import { dcmtk as labDcmtk } from "../../real-orthanc/lab";
import { waitHealthy } from "../engine";
import { PlanResource, plainInputs, TYPES } from "../engineSpec";
import { MIRROR } from "../standIns";

export interface Deployment {
  stack: string;
  resources: PlanResource[];
  /** Plain inputs of each container, by container name. */
  containers: Record<string, Record<string, unknown>>;
  admin: { user: string; password: string };
  /** Every secret value the plan holds (passwords, credentials files). */
  secrets: string[];
}

/** Every image through the stand-ins' mirror: the plan names exactly the images the engine has. */
const THROUGH_MIRROR: Config = { registry: { mirror: MIRROR } };

/** A shipped stack with a change, as deployed here. */
export const planShipped = async (stack: string, change: Config = {}) =>
  deployment(await planStack(stack, { ...change, ...THROUGH_MIRROR }));

/** Any configuration, as deployed here. */
export const planOther = async (stack: string, config: Config) =>
  deployment(await planConfig({ ...config, ...THROUGH_MIRROR }, stack));

function deployment({ plan, registrations: resources, config: raw }: Planned): Deployment {
  const stack = plan.stack;
  const containers: Deployment["containers"] = {};
  const secrets = new Set<string>();
  for (const r of resources) {
    if (r.type === TYPES.container)
      containers[r.inputs.name as string] = plainInputs(r.inputs, r.name) as Record<
        string,
        unknown
      >;
  }
  // Uploaded into the first replica's files container, whose volumes Orthanc mounts.
  const files = Object.values(containers).find((c) => String(c.name).endsWith("-orthanc-files"))!;
  const credentials = JSON.parse(
    (files.uploads as { file: string; content: string }[]).find((u) =>
      u.file.endsWith("orthanc-credentials.json"),
    )!.content,
  );
  // Every secret file the containers receive (credentials, password, pgpass), and the passwords
  // themselves, beside the documents that carry them.
  for (const c of Object.values(containers))
    for (const u of (c.uploads ?? []) as { file: string; content: string }[]) {
      if (u.file.startsWith("/run/secrets/")) {
        secrets.add(u.content.trim());
        // The auth service's USERS: a JSON object of passwords.
        if (u.file.endsWith("/USERS"))
          for (const p of Object.values(JSON.parse(u.content) as Record<string, string>))
            secrets.add(p);
      }
      // Keycloak's secret options, and the realm's client secret and initial password.
      if (u.file.endsWith("/keycloak.conf"))
        for (const m of u.content.matchAll(/^[a-z-]*password=(.+)$/gm)) secrets.add(m[1]);
      if (u.file.includes("/data/import/")) {
        const realm = JSON.parse(u.content);
        for (const client of realm.clients ?? []) if (client.secret) secrets.add(client.secret);
        for (const user of realm.users ?? [])
          for (const cred of user.credentials ?? []) secrets.add(cred.value);
      }
    }
  // Under access control Orthanc has no users (Keycloak has them).
  const users = (credentials.RegisteredUsers ?? {}) as Record<string, string>;
  for (const password of Object.values(users)) secrets.add(password);
  if (credentials.PostgreSQL?.Password) secrets.add(credentials.PostgreSQL.Password);
  if (credentials.Authorization?.WebServicePassword)
    secrets.add(credentials.Authorization.WebServicePassword);
  const adminUser = (raw.orthanc as { adminUser?: string } | undefined)?.adminUser ?? "admin";
  return {
    stack,
    resources,
    containers,
    admin: { user: adminUser, password: users[adminUser] },
    secrets: [...secrets],
  };
}

export const imageRefs = (d: Deployment) =>
  d.resources
    .filter((r) => r.type === TYPES.remoteImage)
    .map((r) => String((plainInputs(r.inputs) as { name: string }).name));

export async function http(
  url: string,
  opts: {
    auth?: { user: string; password: string };
    method?: string;
    body?: Buffer;
    headers?: Record<string, string>;
  } = {},
): Promise<{ status: number; body: string }> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.auth)
    headers.authorization = `Basic ${Buffer.from(`${opts.auth.user}:${opts.auth.password}`).toString("base64")}`;
  const res = await fetch(url, { method: opts.method ?? "GET", headers, body: opts.body });
  return { status: res.status, body: await res.text() };
}

/** A command (a DICOM client, mostly) from this host or from a test host's network namespace. */
export const dcmtk = (argv: string[], netns?: string) =>
  labDcmtk(argv[0], argv.slice(1), { netns });

export function instanceFiles(dir: string, count: number, studyUid?: string): string[] {
  const study = makeInstance().ids;
  return Array.from({ length: count }, (_, i) => {
    const { file } = makeInstance(
      { patientId: "ENGINE", studyUid: studyUid ?? study.studyUid, seriesUid: study.seriesUid },
      i + 1,
    );
    const path = join(dir, `i${i}.dcm`);
    writeFileSync(path, file);
    return path;
  });
}

export async function instanceCount(base: string, auth: Deployment["admin"]): Promise<number> {
  const r = await http(`${base}/statistics`, { auth });
  expect(r.status).toBe(200);
  return JSON.parse(r.body).CountInstances;
}

export async function healthyAll(d: Deployment, timeoutMs: number): Promise<number> {
  const start = Date.now();
  for (const c of Object.values(d.containers))
    if (c.healthcheck)
      await waitHealthy(String(c.name), Math.max(1000, timeoutMs - (Date.now() - start)));
  return Date.now() - start;
}
