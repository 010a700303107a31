/** The StatefulSet PostgreSQL's TLS settings and client authentication rules, and what they refuse. */
import {
  POSTGRES_HBA_RULES,
  postgresHbaConf,
  postgresTlsSettings,
} from "../../../components/shared/postgresTls";
import { postgresServerArgs } from "../../../components/shared/postgresTuning";

const files = { certFile: "/tls/tls.crt", keyFile: "/tls/tls.key", hbaFile: "/hba/pg_hba.conf" };

describe("PostgreSQL TLS settings", () => {
  test.each([
    [undefined, "TLSv1.2"],
    ["TLSv1.2", "TLSv1.2"],
    ["TLSv1.3", "TLSv1.3"],
  ] as const)("minimum version %s gives %s", (min, expected) => {
    expect(postgresTlsSettings(files, min)).toEqual({
      ssl: "on",
      ssl_cert_file: "/tls/tls.crt",
      ssl_key_file: "/tls/tls.key",
      ssl_min_protocol_version: expected,
      hba_file: "/hba/pg_hba.conf",
    });
  });

  test("are valid `postgres -c` arguments", () => {
    expect(postgresServerArgs(postgresTlsSettings(files))).toEqual([
      ...["-c", "ssl=on", "-c", "ssl_cert_file=/tls/tls.crt", "-c", "ssl_key_file=/tls/tls.key"],
      ...["-c", "ssl_min_protocol_version=TLSv1.2", "-c", "hba_file=/hba/pg_hba.conf"],
    ]);
  });

  test.each([
    [files, "TLSv1.1", /must be one of TLSv1.2, TLSv1.3, got "TLSv1.1"/],
    [files, "TLSv1", /got "TLSv1"/],
    [{ ...files, keyFile: "tls.key" }, "TLSv1.2", /keyFile must be an absolute path/],
    [{ ...files, certFile: "/my certs/tls.crt" }, "TLSv1.2", /certFile must be .* without spaces/],
  ])("refuses %j with %s", (f, min, message) => {
    expect(() => postgresTlsSettings(f, min as "TLSv1.2")).toThrow(message);
  });
});

describe("PostgreSQL client authentication (pg_hba.conf)", () => {
  test("the socket with a password; TCP over TLS with SCRAM; TCP without TLS refused", () => {
    expect(POSTGRES_HBA_RULES).toEqual([
      "local all all scram-sha-256",
      "hostssl all all all scram-sha-256",
      "hostnossl all all all reject",
    ]);
    expect(postgresHbaConf()).toBe(
      [
        "# Written by the deployment (postgresTls.ts); TCP only over TLS.",
        "# TYPE DATABASE USER ADDRESS METHOD",
        "local all all scram-sha-256",
        "hostssl all all all scram-sha-256",
        "hostnossl all all all reject",
        "",
      ].join("\n"),
    );
  });

  test.each([
    ["host all all all scram-sha-256", /`host` admits plaintext TCP/],
    ["local all all trust", /no trust, clear or md5/],
    ["hostssl all all all md5", /no trust, clear or md5/],
    ["hostssl all all all password", /no trust, clear or md5/],
    ["hostssl all all all cert", /must authenticate with scram-sha-256/],
    ["hostnossl all all all scram-sha-256", /TCP without TLS may only be rejected/],
  ])("refuses %s", (rule, message) => {
    expect(() => postgresHbaConf([rule])).toThrow(message);
  });
});
