import { configSchemas, TargetName } from "./schema";
import { unwrap, ZodLike } from "./errors";

/**
 * Every leaf key a target's configuration accepts, as `section.key.sub` (`<name>` for entries of
 * a map). Used to keep the README's key tables complete.
 */
export function configKeys(target: TargetName): string[] {
  const keys: string[] = [];
  const walk = (schema: ZodLike, path: string) => {
    const inner = unwrap(schema);
    const d = inner._zod.def;
    if (d.type === "object" && d.shape) {
      for (const [k, v] of Object.entries(d.shape)) walk(v, path ? `${path}.${k}` : k);
    } else if (d.type === "record" && d.valueType) {
      walk(d.valueType, `${path}.<name>`);
    } else {
      keys.push(path);
    }
  };
  walk(configSchemas[target] as unknown as ZodLike, "");
  return keys;
}
