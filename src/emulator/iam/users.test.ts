import { CreateUserCommand, DeleteUserCommand, GetUserCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { ACCOUNT, failure, useTestBed } from '../test-support.ts';

const t = useTestBed();

describe('CreateUser, GetUser, DeleteUser', () => {
  it('make a user with its path, ARN, unique id and creation date, found whatever the case of its name', async () => {
    const iam = t.bed.iam();
    const { User: created } = await iam.send(new CreateUserCommand({ UserName: 'Alice', Path: '/people/' }));
    expect(created).toEqual({
      Path: '/people/',
      UserName: 'Alice',
      UserId: expect.stringMatching(/^AIDA[A-Z0-9]{17}$/) as unknown,
      Arn: `arn:aws:iam::${ACCOUNT}:user/people/Alice`,
      CreateDate: expect.any(Date) as unknown,
    });
    expect((await iam.send(new GetUserCommand({ UserName: 'alice' }))).User).toEqual(created);
    const again = await failure(iam.send(new CreateUserCommand({ UserName: 'ALICE' })));
    expect([again.name, again.message, again.$metadata?.httpStatusCode]).toEqual(['EntityAlreadyExistsException', 'User with name ALICE already exists.', 409]);
    await iam.send(new DeleteUserCommand({ UserName: 'Alice' }));
    const gone = await failure(iam.send(new GetUserCommand({ UserName: 'Alice' })));
    expect([gone.name, gone.message, gone.$metadata?.httpStatusCode]).toEqual(['NoSuchEntityException', 'The user with name Alice cannot be found.', 404]);
    expect((await failure(iam.send(new DeleteUserCommand({ UserName: 'Alice' })))).name).toBe('NoSuchEntityException');
  });

  it('default the path to /, and refuse bad names and paths with ValidationError', async () => {
    const iam = t.bed.iam();
    expect((await iam.send(new CreateUserCommand({ UserName: 'bob' }))).User?.Arn).toBe(`arn:aws:iam::${ACCOUNT}:user/bob`);
    const error = await failure(iam.send(new CreateUserCommand({ UserName: 'bob smith', Path: 'people' })));
    expect([error.name, error.$metadata?.httpStatusCode]).toEqual(['ValidationError', 400]);
    expect(error.message).toMatch(/^2 validation errors detected: Value 'bob smith' at 'userName'.*; Value 'people' at 'path'/);
  });

  it("without UserName answers the caller: the emulator's user for long-term keys, ValidationError for a role session", async () => {
    const { User } = await t.bed.iam().send(new GetUserCommand({}));
    expect(User).toMatchObject({ UserName: 'emulator', Path: '/', Arn: `arn:aws:iam::${ACCOUNT}:user/emulator`, UserId: `AIDAEMULATOR${ACCOUNT}` });
    const { Credentials } = await t.bed.sts().send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/ops`, RoleSessionName: 'me' }));
    const session = { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! };
    const error = await failure(t.bed.iam({ credentials: session }).send(new GetUserCommand({})));
    expect([error.name, error.message]).toEqual(['ValidationError', 'Must specify userName when calling with non-User credentials']);
  });
});
