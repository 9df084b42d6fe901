/**
 * Request bodies of static audiences (a list of profile ids, contract
 * section 7 as extended by the README): `PUT /v1/admin/audiences/:id` with
 * `profileIds` instead of `definition`, and
 * `POST /v1/admin/audiences/:id/members` to add or remove people. Every issue
 * names the JSON path of the bad part (`profileIds[3]`) and what is valid.
 */
import * as v from 'valibot';
import { STATIC_AUDIENCE_LIMITS as L } from './audiences';
import { audienceNameField, bodyIssues, envelopeIssue, writeKeyField, type Parsed } from './audience-schema';

const STATIC_FIELDS = 'a static audience takes name, profileIds, description and writeKey (a live one takes name, definition and writeKey, not profileIds)';
const CHANGE_FIELDS = 'the fields are add and remove (lists of profile ids) and writeKey';

const profileId = v.pipe(
  v.string('expected a profile id (a string, as in the profileId column of a people list or a members export)'),
  v.trim(),
  v.minLength(1, 'expected a profile id, not an empty string'),
  v.maxLength(L.maxProfileIdLength, `a profile id is at most ${L.maxProfileIdLength} characters`),
);

const profileIds = (field: string) =>
  v.pipe(
    v.array(profileId, `"${field}" takes a list of profile ids`),
    v.maxLength(
      L.maxProfileIds,
      `"${field}" takes at most ${L.maxProfileIds} profile ids in one request; add the rest with POST /v1/admin/audiences/:id/members`,
    ),
  );

const StaticAudienceBody = v.strictObject(
  {
    name: audienceNameField,
    profileIds: profileIds('profileIds'),
    description: v.optional(
      v.pipe(
        v.string('expected a description in words (a string)'),
        v.trim(),
        v.maxLength(L.maxDescription, `a description is at most ${L.maxDescription} characters`),
      ),
    ),
    writeKey: writeKeyField,
  },
  envelopeIssue(STATIC_FIELDS),
);

const MembersChangeBody = v.pipe(
  v.strictObject({ add: v.optional(profileIds('add')), remove: v.optional(profileIds('remove')), writeKey: writeKeyField }, envelopeIssue(CHANGE_FIELDS)),
  v.check((body) => (body.add?.length ?? 0) + (body.remove?.length ?? 0) > 0, `nothing to change: give "add" or "remove", a non-empty list of profile ids`),
  v.check(
    (body) => (body.add?.length ?? 0) + (body.remove?.length ?? 0) <= L.maxProfileIds,
    `"add" and "remove" hold at most ${L.maxProfileIds} profile ids together; send several requests`,
  ),
);

export type StaticAudienceBody = v.InferOutput<typeof StaticAudienceBody>;
export type MembersChangeBody = v.InferOutput<typeof MembersChangeBody>;

function parse<T>(schema: v.GenericSchema<unknown, T>, input: unknown): Parsed<T> {
  const result = v.safeParse(schema, input);
  return result.success ? { ok: true, body: result.output } : { ok: false, issues: bodyIssues(result.issues) };
}

/** Whether a PUT body asks for a static audience (it lists people) rather than a live one. */
export function isStaticAudienceBody(input: unknown): boolean {
  return typeof input === 'object' && input !== null && !Array.isArray(input) && 'profileIds' in input;
}

/** `PUT /v1/admin/audiences/:id` of a static audience: `{ name, profileIds, description?, writeKey? }`. */
export function parseStaticAudienceBody(input: unknown): Parsed<StaticAudienceBody> {
  return parse(StaticAudienceBody, input);
}

/** `POST /v1/admin/audiences/:id/members`: `{ add?, remove?, writeKey? }`. */
export function parseMembersChangeBody(input: unknown): Parsed<MembersChangeBody> {
  return parse(MembersChangeBody, input);
}
