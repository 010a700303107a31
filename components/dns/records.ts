import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Where a name points. */
export type DnsTarget =
  /** An AWS load balancer: an alias A record, answered by Route 53 without a TTL to wait out. */
  | { loadBalancer: { dnsName: pulumi.Input<string>; zoneId: pulumi.Input<string> } }
  /** An address given by a platform: an A record for an IPv4 address, a CNAME for a host name. */
  | { address: pulumi.Input<string> };

export interface DnsRecordsArgs {
  /** The Route 53 hosted zone the names belong to. */
  readonly zoneId: pulumi.Input<string>;
  /** Resource-name suffix -> the record's name and what it points at. */
  readonly records: Readonly<Record<string, { name: string; target: DnsTarget }>>;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * Route 53 records for the names a deployment serves, one per name: the single place every target
 * creates them (the AWS balancers, the Docker VM's address, the Kubernetes ingress and DICOM
 * service). Each is a child of `parent`, named `<name>-<suffix>`.
 */
export function createDnsRecords(
  name: string,
  parent: pulumi.Resource,
  args: DnsRecordsArgs,
  opts: { provider?: aws.Provider; aliases?: pulumi.Input<pulumi.Alias>[] } = {},
): aws.route53.Record[] {
  return Object.entries(args.records).map(([suffix, { name: recordName, target }]) =>
    "loadBalancer" in target
      ? new aws.route53.Record(
          `${name}-${suffix}`,
          {
            zoneId: args.zoneId,
            name: recordName,
            type: "A",
            aliases: [
              {
                name: target.loadBalancer.dnsName,
                zoneId: target.loadBalancer.zoneId,
                evaluateTargetHealth: true,
              },
            ],
          },
          { parent, ...opts },
        )
      : new aws.route53.Record(
          `${name}-${suffix}`,
          {
            zoneId: args.zoneId,
            name: recordName,
            type: pulumi.output(target.address).apply((a) => (IPV4.test(a) ? "A" : "CNAME")),
            ttl: 300,
            records: [target.address],
          },
          { parent, ...opts },
        ),
  );
}

/**
 * A provider for Route 53 where the deployment has no AWS provider of its own (Kubernetes).
 * Route 53 is a global service whose API is signed for us-east-1 whatever the zone serves, so the
 * region is fixed here rather than asked of the user.
 */
export function createRoute53Provider(
  name: string,
  parent: pulumi.Resource,
  opts: { aliases?: pulumi.Input<pulumi.Alias>[] } = {},
): aws.Provider {
  return new aws.Provider(name, { region: "us-east-1" }, { parent, ...opts });
}
