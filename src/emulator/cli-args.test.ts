import { describe, expect, it } from 'vitest';
import { parseCli } from './cli-args.ts';

describe('parseCli', () => {
  it('has defaults for a local demo', () => {
    expect(parseCli([])).toEqual({
      kind: 'run',
      config: { port: 4566, host: '127.0.0.1', defaultRegion: 'us-east-1', accountId: '123456789012', clusters: [], logLevel: 'info' },
    });
  });

  it('reads repeated --cluster specs with a mode and a region', () => {
    const command = parseCli(['--port', '0', '--cluster', 'demo', '--cluster', 'legacy:CONFIG_MAP', '--cluster', 'eu:API@eu-west-1', '--region', 'us-west-2']);
    expect(command).toMatchObject({
      kind: 'run',
      config: {
        port: 0,
        defaultRegion: 'us-west-2',
        clusters: [
          { name: 'demo', authenticationMode: 'API_AND_CONFIG_MAP' },
          { name: 'legacy', authenticationMode: 'CONFIG_MAP' },
          { name: 'eu', authenticationMode: 'API', region: 'eu-west-1' },
        ],
      },
    });
  });

  it('asks for help with -h', () => {
    expect(parseCli(['-h'])).toEqual({ kind: 'help' });
  });

  it.each([
    [['--port', '70000'], /--port must be a whole number from 0 to 65535/],
    [['--account', '42'], /--account must be 12 digits/],
    [['--region', 'mars'], /--region must look like us-east-1/],
    [['--cluster', 'demo:OPEN'], /--cluster 'demo:OPEN': mode must be one of CONFIG_MAP/],
    [['--cluster', 'demo@moon'], /--cluster 'demo@moon': region must look like us-east-1/],
    [['--cluster', 'bad name'], /--cluster 'bad name': The cluster name bad name is not valid/],
    [['--log-level', 'loud'], /--log-level must be one of/],
    [['--bogus'], /Unknown option '--bogus'/],
  ])('rejects %j with a message naming the flag', (argv, message) => {
    expect(() => parseCli(argv)).toThrow(message);
  });
});
