/** Tests run through SWC (fast, low memory); `tsc --noEmit` type-checks them in `npm test`. */
module.exports = {
  testEnvironment: "node",
  // kubernetes-models 5, its @kubernetes-models/* siblings (the offline schemas the manifests are
  // validated against) and is-cidr, which their validator uses, are ES modules only: resolve their
  // `import` entries and let SWC turn them into CommonJS like the tests.
  resolver: "<rootDir>/jest.modelsResolver.js",
  transformIgnorePatterns: [
    "/node_modules/(?!(kubernetes-models|@kubernetes-models|is-cidr|cidr-regex)/)",
  ],
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": [
      "@swc/jest",
      { jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "commonjs" } },
    ],
    "/node_modules/(kubernetes-models|@kubernetes-models|is-cidr|cidr-regex)/.+\\.js$": [
      "@swc/jest",
      { jsc: { parser: { syntax: "ecmascript" }, target: "es2022" }, module: { type: "commonjs" } },
    ],
  },
  testTimeout: 30000,
  // Pulumi loads ~150 MB per test file; two workers fit the 2-core machines.
  maxWorkers: 2,
};
