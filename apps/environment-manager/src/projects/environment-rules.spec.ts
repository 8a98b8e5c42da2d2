import { changesOf, refuseDelete, refuseUpdate } from './environment-rules';

const staging = { id: 'e-1', name: 'staging', type: 'staging' as const, isDefault: false };
const production = { id: 'e-2', name: 'production', type: 'production' as const, isDefault: true };

describe('environment changes', () => {
  it('keeps only the fields that differ', () => {
    expect(changesOf(staging, { name: 'staging', type: 'preview', isDefault: false })).toEqual({ type: 'preview' });
    expect(changesOf(staging, {})).toEqual({});
    expect(changesOf(staging, { name: 'qa', isDefault: true })).toEqual({ name: 'qa', isDefault: true });
  });

  it('sets allowedRefs as a list without duplicates; [] and null both mean any ref, stored as null', () => {
    expect(changesOf(staging, { allowedRefs: ['main', 'v*', 'main'] })).toEqual({ allowedRefs: ['main', 'v*'] });
    const guarded = { ...staging, allowedRefs: ['main'] };
    expect(changesOf(guarded, { allowedRefs: ['main'] })).toEqual({});
    expect(changesOf(guarded, { allowedRefs: [] })).toEqual({ allowedRefs: null });
    expect(changesOf(guarded, { allowedRefs: null })).toEqual({ allowedRefs: null });
    expect(changesOf(staging, { allowedRefs: [] })).toEqual({});
  });

  it("refuses to un-default the project's default, naming the field", () => {
    const r = refuseUpdate(production, changesOf(production, { isDefault: false }));
    expect(r).toEqual({ ok: false, error: expect.objectContaining({ code: 'environment/default-required', details: { field: 'isDefault' } }) });
    expect(refuseUpdate(production, changesOf(production, { isDefault: true, name: 'live' }))).toBeUndefined();
    expect(refuseUpdate(staging, changesOf(staging, { isDefault: false }))).toBeUndefined();
  });

  it('refuses to delete the default, and only the default', () => {
    expect(refuseDelete(production)).toEqual({ ok: false, error: expect.objectContaining({ code: 'environment/is-default' }) });
    expect(refuseDelete(staging)).toBeUndefined();
  });
});
