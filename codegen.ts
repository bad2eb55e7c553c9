import type { CodegenConfig } from '@graphql-codegen/cli';

// Typed documents for the operations the client ships, from the checked-in SDL.
const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  documents: ['src/client/operations/**/*.graphql'],
  ignoreNoDocuments: false,
  generates: {
    'src/client/generated/': {
      preset: 'client',
      config: {
        useTypeImports: true,
        // String unions, not TS enums: Node runs these files by stripping types.
        enumType: 'string-literal',
        scalars: { DateTime: 'string', JSON: 'unknown' },
        importExtension: '.ts',
      },
      presetConfig: { fragmentMasking: false, gqlTagName: 'graphql' },
    },
  },
};

export default config;
