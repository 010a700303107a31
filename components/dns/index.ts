/** Route 53 records for the names a deployment serves: one part for every target. */
export {
  createDnsRecords,
  createRoute53Provider,
  type DnsRecordsArgs,
  type DnsTarget,
} from "./records";
