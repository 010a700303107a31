import { rawConfigFrom } from "../../infra/config";

test("values read from Pulumi's flat config map are decoded (JSON objects, numbers, plain strings)", () => {
  const raw = rawConfigFrom({
    "orthanc:target": "docker",
    "orthanc:orthanc": JSON.stringify({ replicas: 2 }),
    "orthanc:protectData": "false",
    "aws:region": "eu-west-1",
  });
  expect(raw).toEqual({ target: "docker", orthanc: { replicas: 2 }, protectData: false });
});
