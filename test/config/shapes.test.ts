import { safeParseConfig } from "../../infra/config";
import { testRejections } from "./helpers";
import { EXPOSURE_CASES, OPT_INS } from "./exposureCases";
import { SHAPE_CASES } from "./shapeCases";

describe("shapes users get wrong", () => {
  describe.each(Object.entries(SHAPE_CASES))("%s", (_class, cases) => testRejections(cases));
});

describe("exposure needs an explicit yes", () => {
  describe.each(Object.entries(EXPOSURE_CASES))("%s", (_class, cases) => testRejections(cases));

  test.each(OPT_INS)("accepted: %s", (_name, raw) => {
    const result = safeParseConfig(raw);
    expect(result.ok ? [] : result.issues).toEqual([]);
  });
});

describe("a value that may hold a secret is never echoed", () => {
  test.each([
    ["postgres://orthanc:Sup3rSecret@db.example.org:5433/pacs", "Sup3rSecret"],
    ["postgresql://orthanc:p%40ss@w0rd@db.example.org/pacs", "w0rd"],
    ["postgres://db.example.org/pacs?user=orthanc&password=Sup3rSecret", "Sup3rSecret"],
    ["host=db.example.org password=Sup3rSecret", "Sup3rSecret"],
  ])("database.external.host %s", (host, secret) => {
    const result = safeParseConfig({
      target: "docker",
      database: { external: { host, password: "pw-0123456789" } },
    });
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain(secret);
  });

  test("a URL host is reported beside the other problems of the section", () => {
    const result = safeParseConfig({
      target: "docker",
      database: { external: { host: "postgres://db.example.org/pacs", password: "with space" } },
    });
    expect(result.ok ? [] : result.issues.map((i) => i.key)).toEqual([
      "orthanc:database.external.host",
      "orthanc:database.external.password",
    ]);
  });
});
