import { z } from "zod";

/** `orthanc:keys`: the KMS key that encrypts the deployment's data. */
export const keysSection = z.strictObject({
  /** Use this customer-managed KMS key instead of creating one. */
  kmsKeyArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/.+$/, {
      error: "must be a KMS key or alias ARN",
    })
    .optional(),
  /** Waiting period before a deleted key is destroyed. */
  deletionWindowDays: z.number().int().min(7).max(30).default(30),
});
