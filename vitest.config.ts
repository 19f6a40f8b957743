import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/unit/**/*.test.ts', 'bench/**/*.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/testenv/global-setup.ts'],
          // The emulator accepts any SigV4 credentials; the SDK's default chain needs some.
          env: { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_EC2_METADATA_DISABLED: 'true' },
          testTimeout: 90_000,
          hookTimeout: 120_000,
          // One control plane is shared; files run in parallel against it with fresh names.
          fileParallelism: true,
        },
      },
      {
        test: {
          // After the integration project (npm test runs it next): its AWS calls against the shipped IAM policy.
          name: 'iam-audit',
          include: ['test/iam-audit/**/*.test.ts'],
          // Thousands of calls through the simulator on a busy machine: no deadline worth failing on.
          testTimeout: 0,
        },
      },
    ],
  },
});
