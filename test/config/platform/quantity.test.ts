import { parseQuantity, quantityHint } from "../../../infra/config/platform/quantity";

describe("Kubernetes quantities, parsed by apimachinery's grammar", () => {
  test.each([
    ["500m", 0.5],
    ["0.5", 0.5],
    ["2", 2],
    [".5", 0.5],
    ["1.", 1],
    ["+1", 1],
    ["1Ki", 1024],
    ["512Mi", 512 * 2 ** 20],
    ["1.5Gi", 1.5 * 2 ** 30],
    ["1G", 1e9],
    ["1k", 1e3],
    ["1E", 1e18],
    ["1e9", 1e9],
    ["5E-3", 5e-3],
    ["100n", 100e-9],
    ["100u", 100e-6],
  ])("%s is %d", (text, value) => {
    expect(parseQuantity(text)?.value).toBeCloseTo(value, 12);
  });

  test.each([
    "",
    "1GB",
    "1gi",
    "1 Gi",
    "1K",
    "1Kib",
    "1e",
    "1e1.5",
    "Gi",
    "1.2.3",
    "1d",
    "1da",
    "0x10",
    "one",
  ])("%j is not a quantity", (text) => {
    expect(parseQuantity(text)).toBeUndefined();
  });

  test.each([
    ["1GB", "1Gi", /no `B`/],
    ["512MiB", "512Mi", /no `B`/],
    ["1gi", "1Gi", /case-sensitive: Gi/],
    ["1 Gi", "1Gi", /no spaces/],
    ["1 gb", "1Gi", /no spaces; Kubernetes writes no `B`/],
  ])("%j is explained, with %s instead", (text, example, hint) => {
    const h = quantityHint(text);
    expect(h?.example).toBe(example);
    expect(h?.hint).toMatch(hint);
  });
});
