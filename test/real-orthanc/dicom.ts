import { randomBytes } from "node:crypto";

/** A fresh `2.25.<uuid as decimal>` UID, as DICOM PS3.5 B.2 allows. */
export function newUid(): string {
  return `2.25.${BigInt(`0x${randomBytes(16).toString("hex")}`).toString()}`;
}

type VR = "UI" | "OB" | "UL" | "CS" | "DA" | "PN" | "LO" | "IS" | "US" | "SH";

function element(group: number, elem: number, vr: VR, value: Buffer | string | number): Buffer {
  let data: Buffer;
  if (vr === "US") {
    data = Buffer.alloc(2);
    data.writeUInt16LE(value as number);
  } else if (vr === "UL") {
    data = Buffer.alloc(4);
    data.writeUInt32LE(value as number);
  } else if (Buffer.isBuffer(value)) {
    data = value;
  } else {
    data = Buffer.from(String(value), "ascii");
  }
  if (data.length % 2)
    data = Buffer.concat([data, Buffer.from(vr === "UI" || vr === "OB" ? [0] : [0x20])]);
  const long = vr === "OB";
  const head = Buffer.alloc(long ? 12 : 8);
  head.writeUInt16LE(group, 0);
  head.writeUInt16LE(elem, 2);
  head.write(vr, 4, "ascii");
  if (long) head.writeUInt32LE(data.length, 8);
  else head.writeUInt16LE(data.length, 6);
  return Buffer.concat([head, data]);
}

export interface InstanceIds {
  patientId: string;
  studyUid: string;
  seriesUid: string;
  sopUid: string;
}

const SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7";
const EXPLICIT_VR_LE = "1.2.840.10008.1.2.1";

/** A valid Part-10 Secondary Capture file: rows x rows 8-bit MONOCHROME2, explicit VR little endian. */
export function makeInstance(
  ids: Partial<InstanceIds> = {},
  instanceNumber = 1,
  rows = 16,
): { file: Buffer; ids: InstanceIds } {
  const full: InstanceIds = {
    patientId: ids.patientId ?? "LAB-PATIENT",
    studyUid: ids.studyUid ?? newUid(),
    seriesUid: ids.seriesUid ?? newUid(),
    sopUid: ids.sopUid ?? newUid(),
  };
  const pixels = Buffer.alloc(rows * rows, instanceNumber % 256);
  const dataset = Buffer.concat([
    element(0x0008, 0x0016, "UI", SECONDARY_CAPTURE),
    element(0x0008, 0x0018, "UI", full.sopUid),
    element(0x0008, 0x0020, "DA", "20260101"),
    element(0x0008, 0x0060, "CS", "OT"),
    element(0x0010, 0x0010, "PN", "Lab^Patient"),
    element(0x0010, 0x0020, "LO", full.patientId),
    element(0x0020, 0x000d, "UI", full.studyUid),
    element(0x0020, 0x000e, "UI", full.seriesUid),
    element(0x0020, 0x0013, "IS", String(instanceNumber)),
    element(0x0028, 0x0002, "US", 1),
    element(0x0028, 0x0004, "CS", "MONOCHROME2"),
    element(0x0028, 0x0010, "US", rows),
    element(0x0028, 0x0011, "US", rows),
    element(0x0028, 0x0100, "US", 8),
    element(0x0028, 0x0101, "US", 8),
    element(0x0028, 0x0102, "US", 7),
    element(0x0028, 0x0103, "US", 0),
    element(0x7fe0, 0x0010, "OB", pixels),
  ]);
  const metaBody = Buffer.concat([
    element(0x0002, 0x0001, "OB", Buffer.from([0, 1])),
    element(0x0002, 0x0002, "UI", SECONDARY_CAPTURE),
    element(0x0002, 0x0003, "UI", full.sopUid),
    element(0x0002, 0x0010, "UI", EXPLICIT_VR_LE),
    element(0x0002, 0x0012, "UI", "1.2.826.0.1.3680043.10.1"),
  ]);
  const meta = Buffer.concat([element(0x0002, 0x0000, "UL", metaBody.length), metaBody]);
  return {
    file: Buffer.concat([Buffer.alloc(128), Buffer.from("DICM", "ascii"), meta, dataset]),
    ids: full,
  };
}
