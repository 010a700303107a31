import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { PROBE_USER } from "./orthancImage";

export interface CredentialsArgs {
  /** The administrator's user name. */
  readonly adminUser: string;
  /** Users from config; a password given there is used, others are generated. */
  readonly users: Record<string, { password?: pulumi.Output<string> }>;
  /** Generate a password for a database this deployment creates. */
  readonly generateDatabasePassword: boolean;
  /** Also one for Orthanc's own role in that database (not CloudNativePG's, which has its own). */
  readonly generateAppRolePassword?: boolean;
  /**
   * Orthanc's Basic-auth users (the default). False under access control, where Keycloak holds
   * the users and the probe asks an unchecked path: no user password is generated at all.
   */
  readonly basicAuth?: boolean;
}

/**
 * Every credential an Orthanc deployment needs: the admin user, further users, the health-probe
 * user and the database password. Generated values are RandomPasswords, created once and kept in
 * state; everything this component exposes is a Pulumi secret.
 */
export class Credentials extends pulumi.ComponentResource {
  /** User name -> password, admin and probe user included (secret). */
  public readonly users: pulumi.Output<Record<string, string>>;
  /** Undefined without Basic auth (`basicAuth: false`). */
  public readonly adminPassword?: pulumi.Output<string>;
  public readonly probePassword?: pulumi.Output<string>;
  /** Undefined when the database is external (its password comes from config). */
  public readonly databasePassword?: pulumi.Output<string>;
  /** Orthanc's own database role (postgresRole.ts), where this program creates it. */
  public readonly appRolePassword?: pulumi.Output<string>;

  constructor(name: string, args: CredentialsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("orthanc:shared:Credentials", name, {}, opts);
    const generated = (suffix: string) =>
      new random.RandomPassword(
        `${name}-${suffix}`,
        // No special characters: they end up in JSON, basic-auth headers and libpq URIs.
        { length: 32, special: false, minLower: 4, minUpper: 4, minNumeric: 4 },
        { parent: this },
      ).result;

    if (args.basicAuth === false) {
      this.users = pulumi.secret(pulumi.output<Record<string, string>>({}));
    } else {
      const passwords = userPasswords(args, generated);
      this.users = pulumi.secret(pulumi.all(passwords));
      this.adminPassword = pulumi.secret(passwords[args.adminUser]);
      this.probePassword = pulumi.secret(passwords[PROBE_USER]);
    }
    if (args.generateDatabasePassword) this.databasePassword = pulumi.secret(generated("database"));
    if (args.generateAppRolePassword)
      this.appRolePassword = pulumi.secret(generated("database-app"));

    this.registerOutputs({
      users: this.users,
      adminPassword: this.adminPassword,
      probePassword: this.probePassword,
      databasePassword: this.databasePassword,
      appRolePassword: this.appRolePassword,
    });
  }
}

/** The admin's, the further users' (given or generated) and the probe user's passwords. */
function userPasswords(
  args: CredentialsArgs,
  generated: (suffix: string) => pulumi.Output<string>,
): Record<string, pulumi.Output<string>> {
  const wanted: Record<string, pulumi.Output<string> | undefined> = {
    ...mapValues(args.users, (u) => u.password),
  };
  if (!(args.adminUser in wanted)) wanted[args.adminUser] = undefined;
  const passwords: Record<string, pulumi.Output<string>> = {};
  for (const [user, given] of Object.entries(wanted).sort(([a], [b]) => a.localeCompare(b))) {
    passwords[user] = given ?? generated(`user-${user}`);
  }
  passwords[PROBE_USER] = generated("probe");
  return passwords;
}

function mapValues<T, U>(obj: Record<string, T>, fn: (v: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, fn(v)]));
}
