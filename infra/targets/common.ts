import { OrthancSection } from "../config";

/** The `orthanc` section as the Docker and Kubernetes components take it. */
export function orthancArgs(o: OrthancSection) {
  return {
    name: o.name,
    httpPort: o.httpPort,
    replicas: o.replicas,
    dicom: o.dicom,
    plugins: o.plugins,
    verboseLogs: o.verboseLogs,
    image: `${o.image.repository}:${o.image.tag}`,
    adminUser: o.adminUser,
    users: o.users,
    corsOrigins: o.corsOrigins,
    dicomAllowedCidrs: o.dicom.allowedCidrs,
  };
}
