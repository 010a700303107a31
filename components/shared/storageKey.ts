import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

/**
 * Orthanc's storage-encryption master key: 32 random bytes, generated once and protected, since
 * files encrypted with it cannot be read without it. Base64, as Orthanc reads it from its file.
 */
export function storageMasterKey(
  name: string,
  protect: boolean,
  opts: pulumi.CustomResourceOptions = {},
): pulumi.Output<string> {
  const key = new random.RandomBytes(
    name,
    { length: 32 },
    { ...opts, protect, retainOnDelete: protect },
  );
  return pulumi.secret(key.base64);
}
