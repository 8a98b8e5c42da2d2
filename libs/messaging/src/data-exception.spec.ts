import { dataExceptionOf } from './data-exception';

describe('dataExceptionOf', () => {
  it('recognises Postgres class 22 errors as the pg driver raises them', () => {
    const outOfRange = Object.assign(new Error('value "3000000000" is out of range for type integer'), { code: '22003' });
    expect(dataExceptionOf(outOfRange)).toEqual({ code: '22003', message: 'value "3000000000" is out of range for type integer' });
    expect(dataExceptionOf(Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' }))?.code).toBe('22021');
  });

  it('leaves every other error to be an internal one', () => {
    expect(dataExceptionOf(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBeUndefined();
    expect(dataExceptionOf(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBeUndefined();
    expect(dataExceptionOf(new Error('plain'))).toBeUndefined();
    expect(dataExceptionOf(null)).toBeUndefined();
  });
});
