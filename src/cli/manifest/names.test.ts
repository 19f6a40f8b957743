import { describe, expect, it } from 'vitest';
import { assignNames, dnsLabel, MAX_NAME_LENGTH } from './names.ts';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const request = (key: string, principalName: string, clusterName = 'prod') => ({ key, clusterName, principalName });

describe('object names', () => {
  it('are cluster and principal, lower-cased, as DNS-1123 labels', () => {
    expect(dnsLabel('prod-AWSReservedSSO_Admin_0123456789abcdef')).toBe('prod-awsreservedsso-admin-0123456789abcdef');
    expect(dnsLabel('Prod_EU--role.with+odd=chars@x')).toBe('prod-eu-role-with-odd-chars-x');
    expect(dnsLabel('__')).toBe('entry');
  });

  it('cut long names to 63 characters with a hash of the whole, so two that start alike stay apart', () => {
    const a = dnsLabel(`prod-${'x'.repeat(70)}-a`);
    const b = dnsLabel(`prod-${'x'.repeat(70)}-b`);
    expect(a).toHaveLength(MAX_NAME_LENGTH);
    expect(a).toMatch(DNS_LABEL);
    expect(a).not.toBe(b);
  });

  it('give every colliding entry a suffix of its own key, and report the collision', () => {
    const role = 'arn:aws:iam::111122223333:role/alice';
    const user = 'arn:aws:iam::111122223333:user/alice';
    const { names, collisions } = assignNames([request(role, 'alice'), request(user, 'alice'), request('arn:aws:iam::111122223333:role/bob', 'bob')]);
    expect(names.get('arn:aws:iam::111122223333:role/bob')).toBe('prod-bob');
    expect(names.get(role)).toMatch(/^prod-alice-[0-9a-f]{6}$/);
    expect(names.get(user)).toMatch(/^prod-alice-[0-9a-f]{6}$/);
    expect(names.get(role)).not.toBe(names.get(user));
    expect(collisions).toEqual([{ name: 'prod-alice', members: expect.arrayContaining([{ key: role, name: names.get(role) }, { key: user, name: names.get(user) }]) }]);
  });

  it('do not depend on the order of the input or on what else is in it', () => {
    const role = request('arn:aws:iam::111122223333:role/alice', 'alice');
    const user = request('arn:aws:iam::111122223333:user/alice', 'alice');
    const other = request('arn:aws:iam::444455556666:role/alice', 'alice');
    const first = assignNames([role, user]).names;
    const reversed = assignNames([user, role]).names;
    const more = assignNames([other, user, role]).names;
    expect(reversed.get(role.key)).toBe(first.get(role.key));
    expect(more.get(role.key)).toBe(first.get(role.key));
    expect(more.get(user.key)).toBe(first.get(user.key));
  });

  it('stay unique when a suffixed name is another principal\'s plain name', () => {
    const role = request('arn:aws:iam::111122223333:role/alice', 'alice');
    const user = request('arn:aws:iam::111122223333:user/alice', 'alice');
    const suffixed = assignNames([role, user]).names.get(role.key)!;
    const impostor = request('arn:aws:iam::111122223333:role/impostor', suffixed.slice('prod-'.length));
    const { names } = assignNames([role, user, impostor]);
    expect(new Set(names.values()).size).toBe(3);
    for (const name of names.values()) expect(name).toMatch(DNS_LABEL);
  });
});
