import type { z } from "zod";

/**
 * Refuses the value being checked (in a zod `.check`). `message` says what is allowed (the
 * formatter adds what was given); `example` is the value the `Fix:` command sets, e.g. the
 * nearest valid one.
 */
export function refuse(ctx: z.core.ParsePayload<unknown>, message: string, example?: string): void {
  ctx.issues.push({
    code: "custom",
    message,
    input: ctx.value,
    ...(example === undefined ? {} : { params: { example } }),
  });
}
