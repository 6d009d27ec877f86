import { describe, expect, it } from 'vitest';
import { couchPasswordOf, couchUserOf, shopperSecurity } from './shopper-couch-users.ts';

const admin = { name: 'admin', password: 'the admin password' };

describe('shoppers\' own CouchDB users', () => {
  it('names each after its cart database and derives its password from the admin\'s, the same on every gateway', () => {
    expect(couchUserOf('userdb-616c696365')).toBe('tote-userdb-616c696365');
    expect(couchPasswordOf(admin, 'userdb-616c696365')).toBe(couchPasswordOf({ ...admin }, 'userdb-616c696365'));
    expect(couchPasswordOf(admin, 'userdb-616c696365')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(couchPasswordOf(admin, 'userdb-626f62')).not.toBe(couchPasswordOf(admin, 'userdb-616c696365'));
    expect(couchPasswordOf({ ...admin, password: 'another' }, 'userdb-616c696365')).not.toBe(couchPasswordOf(admin, 'userdb-616c696365'));
  });

  it('makes the shopper\'s user the member of its databases, keeps the configured shopper, and drops other gateway users and roles', () => {
    expect(shopperSecurity('userdb-61', null)).toEqual({ admins: { names: [], roles: ['_admin'] }, members: { names: ['tote-userdb-61'], roles: [] } });
    expect(shopperSecurity('userdb-61', { admins: { names: [], roles: [] }, members: { names: ['shopper', 'tote-userdb-62'], roles: ['_admin'] } }))
      .toEqual({ admins: { names: [], roles: ['_admin'] }, members: { names: ['shopper', 'tote-userdb-61'], roles: [] } });
  });
});
