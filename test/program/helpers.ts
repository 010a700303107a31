/**
 * Moved to test/helpers/plan.ts. Kept only for test/real-orthanc/shippedDocuments.ts, which
 * imports `reveal` from here; delete this file once that import names ../helpers/plan.
 */
export { reveal } from "../helpers/plan";
