/** Where Orthanc connects out to, as egress rules can name it. */
import { destinationsOf } from "../../../components/shared/remoteServers";

test.each<[string, string[], ReturnType<typeof destinationsOf>]>([
  ["https by name: 443, any address", ["https://pacs.example.org/"], [{ port: 443 }]],
  ["http by name: 80", ["http://pacs.example.org/"], [{ port: 80 }]],
  ["an explicit port", ["https://pacs.example.org:8443/"], [{ port: 8443 }]],
  [
    "an IPv4 address: that address only",
    ["https://10.40.0.7:8042/"],
    [{ port: 8042, cidr: "10.40.0.7/32" }],
  ],
  ["an IPv6 address", ["https://[fd00::7]/"], [{ port: 443, cidr: "fd00::7/128" }]],
  [
    "one rule per port and address, sorted",
    [
      "https://b.example.org/",
      "https://a.example.org/",
      "https://10.0.0.1/",
      "https://c.example.org:8042/",
    ],
    [{ port: 443 }, { port: 443, cidr: "10.0.0.1/32" }, { port: 8042 }],
  ],
  ["none", [], []],
])("%s", (_name, urls, expected) => {
  expect(destinationsOf(urls.map((url) => ({ url })))).toEqual(expected);
});
