/** Tests run through SWC (fast, low memory); `tsc --noEmit` type-checks them in `npm test`. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": [
      "@swc/jest",
      { jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "commonjs" } },
    ],
  },
  testTimeout: 30000,
  // Pulumi loads ~150 MB per test file; two workers fit the 2-core machines.
  maxWorkers: 2,
};
