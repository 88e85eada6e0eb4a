import { PythonValueError } from '../odoo-errors';
import { field } from '../orm/fields';
import { RecordsetResult, type MethodTable, type ModelDefinition } from '../orm/model';

const MESSAGE_TYPES = [
  ['email', 'Incoming Email'],
  ['comment', 'Comment'],
  ['email_outgoing', 'Outgoing Email'],
  ['notification', 'System notification'],
  ['auto_comment', 'Automated Targeted Notification'],
  ['user_notification', 'User Specific Notification'],
] as const;

export const mailMessageModel: ModelDefinition = {
  name: 'mail.message',
  description: 'Message',
  order: 'id desc',
  fields: {
    subject: field.char('Subject'),
    body: field.html('Contents'),
    model: field.char('Related Document Model'),
    res_id: field.integer('Related Document ID'),
    message_type: field.selection('Type', MESSAGE_TYPES, { default: 'comment' }),
    is_internal: field.boolean('Employee Only'),
    author_id: field.many2one('Author', 'res.partner'),
    date: field.datetime('Date'),
  },
};

/**
 * A plain-text body as Odoo 18 and 19 store it: `&`, `<` and `>` escaped, quotes kept as they are (Odoo escapes them,
 * then its HTML sanitizer writes them back plain: contract case res.partner.message_post.note_body).
 */
function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * What `mail.message.body` (an Html field, sanitized on write) holds for a plain-text note: the escaped text in a
 * paragraph. Real Odoo 18 stored the support flow's note as `<p>Support ticket #1001 opened: …</p>` (the support
 * stories on real Odoo 18), where the sandbox had stored the bare text.
 */
function plainTextBody(text: string): string {
  return text === '' ? '' : `<p>${escapeHtml(text)}</p>`;
}

/** The chatter of every `mail.thread` model: `message_post(**kwargs)` logs a message on one record. */
export const MAIL_THREAD_METHODS: MethodTable = {
  message_post: {
    definedOn: 'MailThread',
    onRecords: true,
    parameters: [],
    acceptsAnyKeyword: true,
    run: ({ env, model, ids, args }) => {
      if (ids.length !== 1) throw new PythonValueError(`Expected singleton: ${model.name}(${ids.join(', ')})`);
      const [recordId] = ids as [number];
      model.get(env, recordId);
      const admin = env.store.find('res.users', env.uid);
      const [messageId] = env.model('mail.message').create(env, [
        {
          subject: args.subject ?? false,
          body: plainTextBody(String(args.body ?? '')),
          model: model.name,
          res_id: recordId,
          message_type: args.message_type ?? 'notification',
          // `mail.mt_note` is an internal note; `mail.mt_comment` (the default) is sent to followers.
          is_internal: args.subtype_xmlid === 'mail.mt_note',
          author_id: admin?.partner_id ?? false,
          date: env.now(),
        },
      ]) as [number];
      return new RecordsetResult([messageId], env.differences.messagePostReturnsSingleId);
    },
  },
};
