import { rule, ruleIssues } from "../../infra/config/rule";

const found = (message: string) => ({ key: "orthanc:probe", message });

describe("cross-field rules", () => {
  test("a rule runs only once every section it names parsed", () => {
    const probe = rule({ sections: ["orthanc", "dns"] }, () => found("ran"));
    expect(ruleIssues([probe], { orthanc: {}, dns: {} }, "docker")).toEqual([found("ran")]);
    expect(ruleIssues([probe], { orthanc: {} }, "docker")).toEqual([]);
  });

  test("a target-specific rule runs only for its targets, and is told which", () => {
    const probe = rule({ sections: ["orthanc"], targets: ["aws", "kubernetes"] }, (_c, target) =>
      found(target),
    );
    expect(ruleIssues([probe], { orthanc: {} }, "docker")).toEqual([]);
    expect(ruleIssues([probe], { orthanc: {} }, "aws")).toEqual([found("aws")]);
    expect(ruleIssues([probe], { orthanc: {} }, "kubernetes")).toEqual([found("kubernetes")]);
  });

  test("a rule finds nothing, one problem or several, in the order of the rules", () => {
    const none = rule({ sections: ["tls"] }, () => undefined);
    const one = rule({ sections: ["tls"] }, () => found("one"));
    const two = rule({ sections: ["tls"] }, () => [found("two"), found("three")]);
    expect(ruleIssues([none, one, two], { tls: {} }, "docker")).toEqual([
      found("one"),
      found("two"),
      found("three"),
    ]);
  });

  test("a rule is told which keys the stack wrote, as opposed to the schema's defaults", () => {
    const probe = rule({ sections: ["database"] }, (_c, _t, given) =>
      ["database.multiAz", "database.version", "database.external.host", "dns.name"]
        .filter(given)
        .map(found),
    );
    const raw = { database: { multiAz: false, external: { host: "db" } }, dns: null };
    expect(ruleIssues([probe], { database: {} }, "aws", raw)).toEqual([
      found("database.multiAz"),
      found("database.external.host"),
    ]);
    expect(ruleIssues([probe], { database: {} }, "aws")).toEqual([]);
  });

  // Compile-time: `tsc --noEmit` fails if any of these lines stops being an error.
  test("a rule's check sees exactly the sections it names, typed for its targets", () => {
    const typed = [
      rule({ sections: ["orthanc"] }, ({ orthanc }) => {
        const replicas: number = orthanc.replicas;
        // @ts-expect-error replicas is a number
        const text: string = orthanc.replicas;
        return replicas && text ? undefined : undefined;
      }),
      // @ts-expect-error dns is not among the sections this rule names
      rule({ sections: ["orthanc"] }, ({ dns }) => (dns ? undefined : undefined)),
      // @ts-expect-error only the kubernetes target has a kubernetes section
      rule({ sections: ["kubernetes"] }, () => undefined),
      rule({ sections: ["kubernetes"], targets: ["kubernetes"] }, ({ kubernetes }) =>
        kubernetes.namespace ? undefined : undefined,
      ),
      rule({ sections: ["storage"] }, ({ storage }) =>
        // @ts-expect-error accessMode is in the kubernetes storage variant only
        storage.accessMode ? undefined : undefined,
      ),
      rule({ sections: ["storage"], targets: ["kubernetes"] }, ({ storage }) =>
        storage.accessMode === "ReadWriteMany" ? undefined : undefined,
      ),
      rule({ sections: ["database"], targets: ["aws", "kubernetes"] }, ({ database }) => {
        // @ts-expect-error kind is in the kubernetes database variant only
        return database.kind ? undefined : undefined;
      }),
      rule({ sections: ["orthanc"], targets: ["aws"] }, (_c, target) =>
        // @ts-expect-error the rule applies to aws only: its target is never docker
        target === "docker" ? undefined : undefined,
      ),
    ];
    expect(typed).toHaveLength(8);
  });
});
