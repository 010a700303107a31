import { readFileSync } from "node:fs";
import { join } from "node:path";
import { configKeys } from "../../infra/config/configKeys";
import { TARGETS } from "../../infra/config";

const readme = readFileSync(join(__dirname, "..", "..", "README.md"), "utf8");

/** A key is documented when the README names it in backticks, alone or as `a.b` / `.c` pairs. */
function documented(key: string): boolean {
  if (readme.includes(`\`${key}\``)) return true;
  // Rows such as `database.external.host` / `.port`: the last segment as `.port` on a row with its parent.
  const parent = key.slice(0, key.lastIndexOf("."));
  const leaf = key.slice(key.lastIndexOf("."));
  return readme
    .split("\n")
    .some((line) => line.includes(`\`${parent}.`) && line.includes(`\`${leaf}\``));
}

test.each(TARGETS)("the README documents every configuration key of target %s", (target) => {
  expect(configKeys(target).filter((k) => !documented(k))).toEqual([]);
});
