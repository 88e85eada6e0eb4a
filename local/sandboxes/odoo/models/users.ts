import { field } from '../orm/fields';
import type { ModelDefinition } from '../orm/model';

/** Enough of `res.users` for a client to read who it is logged in as (uid 2, `admin`). */
export const usersModel: ModelDefinition = {
  name: 'res.users',
  description: 'User',
  order: 'name, login',
  fields: {
    name: field.char('Name', { required: true }),
    login: field.char('Login', { required: true }),
    partner_id: field.many2one('Related Partner', 'res.partner'),
    company_id: field.many2one('Company', 'res.company'),
    active: field.boolean('Active', { default: true }),
  },
};
