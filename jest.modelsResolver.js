/**
 * Jest resolver: kubernetes-models 5 and the @kubernetes-models/* packages (the offline schemas
 * the Kubernetes manifests are validated against) publish ES modules only, under the `import`
 * condition, as does is-cidr, which their validator uses. Resolve those packages, and nothing else, with it; SWC then turns them into
 * CommonJS like the tests (see jest.config.js).
 */
const MODELS = /^(kubernetes-models|@kubernetes-models\/[^/]+|is-cidr|cidr-regex)(\/|$)/;

module.exports = (request, options) =>
  options.defaultResolver(
    request,
    MODELS.test(request) ? { ...options, conditions: ["import", "default"] } : options,
  );
