import tseslint from "typescript-eslint";
import pulumi from "@pulumi/eslint-plugin";

export default tseslint.config(
  {
    ignores: [
      "node_modules/**",
      ".tools/**",
      "bin/**",
      "jest.config.js",
      "jest.modelsResolver.js",
      "eslint.config.mjs",
      ".pulumi-state/**",
      "dist/**",
    ],
  },
  ...tseslint.configs.recommended,
  {
    plugins: { "@pulumi": pulumi },
    rules: {
      // `${output}` in a template string renders "Calling [toString] on an [Output<T>]".
      "@pulumi/no-output-in-template-literal": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
);
