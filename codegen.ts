import type { CodegenConfig } from '@graphql-codegen/cli';

// Typed documents from the checked-in SDL: one output for the client the project ships, one for
// the dashboard. Each output names its own documents, so neither changes when the other does.
const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  ignoreNoDocuments: false,
  generates: {
    'packages/client/src/generated/': {
      documents: ['packages/client/operations/**/*.graphql'],
      preset: 'client',
      config: {
        useTypeImports: true,
        // String unions, not TS enums: erasable syntax, which Node can strip and tsc emits as is.
        enumType: 'string-literal',
        scalars: { DateTime: 'string', JSON: 'unknown' },
        // The package is compiled by tsc: `.js` paths work in its output and declarations alike.
        importExtension: '.js',
      },
      presetConfig: { fragmentMasking: false, gqlTagName: 'graphql' },
    },
    // Documents as plain strings: the browser bundle then needs no GraphQL parser or printer.
    'dashboard/generated/': {
      documents: ['dashboard/operations/**/*.graphql'],
      preset: 'client',
      config: {
        useTypeImports: true,
        enumType: 'string-literal',
        scalars: { DateTime: 'string', JSON: 'unknown' },
        importExtension: '.ts',
        documentMode: 'string',
      },
      presetConfig: { fragmentMasking: false, gqlTagName: 'graphql' },
    },
  },
};

export default config;
