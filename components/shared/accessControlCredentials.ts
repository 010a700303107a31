import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { AccessControlSecretValues } from "./accessControl";

/** Each generated secret of access control, as a Pulumi secret. */
export type AccessControlSecrets = {
  [K in keyof AccessControlSecretValues]: pulumi.Output<string>;
};

/**
 * Every secret access control needs, generated once and kept in state: RandomPasswords of
 * letters and digits only (they end up in JSON, Basic-auth headers, a Java properties file and a
 * realm file Keycloak expands `${...}` in). All exposed values are Pulumi secrets.
 */
export class AccessControlCredentials extends pulumi.ComponentResource {
  public readonly secrets: AccessControlSecrets;

  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super("orthanc:shared:AccessControlCredentials", name, {}, opts);
    const generated = (suffix: string, length = 32) =>
      pulumi.secret(
        new random.RandomPassword(
          `${name}-${suffix}`,
          { length, special: false, minLower: 4, minUpper: 4, minNumeric: 4 },
          { parent: this },
        ).result,
      );
    this.secrets = {
      // 64 characters of 62 symbols: ~380 bits to sign shares with.
      shareSigningKey: generated("share-signing-key", 64),
      servicePassword: generated("service"),
      adminClientSecret: generated("admin-client"),
      keycloakAdminPassword: generated("keycloak-admin"),
      keycloakDatabasePassword: generated("keycloak-database"),
      firstAdminPassword: generated("first-admin"),
    };
    this.registerOutputs({ ...this.secrets });
  }
}

/** The plain values inside one `apply`, for the renderers. */
export function secretValues(s: AccessControlSecrets): pulumi.Output<AccessControlSecretValues> {
  return pulumi.secret(
    pulumi.all({ ...s }).apply((v) => v as unknown as AccessControlSecretValues),
  );
}
