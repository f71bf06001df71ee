/**
 * Imports run downward only: apps (the CLI) may import services and packages, services import
 * packages, packages import nothing of ours above them; services never import each other; the
 * test kit is for tests, benchmarks and scripts, never for shipped code. Run by `npm run lint`.
 */
module.exports = {
  forbidden: [
    {
      name: 'library-imports-service-or-app',
      comment: 'packages/ are the bottom floor: they must not import a service or an application',
      severity: 'error',
      from: { path: '^packages/' },
      to: { path: '^(services|apps)/' },
    },
    {
      name: 'service-imports-app',
      comment: 'a service must not import an application (the CLI composes services, not the reverse)',
      severity: 'error',
      from: { path: '^services/' },
      to: { path: '^apps/' },
    },
    {
      name: 'service-imports-other-service',
      comment: 'services talk through queues; what two of them need belongs in packages/shared',
      severity: 'error',
      from: { path: '^services/([^/]+)/' },
      to: { path: '^services/', pathNot: '^services/$1/' },
    },
    {
      name: 'shipped-code-imports-testkit',
      comment: 'packages/testkit is for tests and benchmarks; shipped code must not import it',
      severity: 'error',
      from: { path: '^(packages|services|apps)/', pathNot: ['\\.test\\.ts$', '^packages/testkit/'] },
      to: { path: '^packages/testkit/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules)/' },
    tsConfig: { fileName: 'tsconfig.test.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
  },
};
